"""Property test: whatever sequence of postings, failed postings and reversals happens, in
whatever currencies and with rates quoted either way round, the books keep every invariant
``remit ledger check`` proves, and the trial balance nets to zero."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from remit.core.exceptions import DomainError
from remit.core.money import currency_decimals
from remit.core.services import exchange_rate_set, legal_entity_create
from remit.ledger.models import JournalEntry
from remit.ledger.selectors import account_balances
from remit.ledger.services import journal_entry_reverse, ledger_check_run
from tests.helpers import SYSTEM, post

ACCOUNTS = ["6300", "6800", "7770", "1920", "1925", "3000"]
CURRENCIES = ["NOK", "EUR", "JPY", "KRW", "KWD"]
START = date(2026, 1, 1)

minor_units = st.integers(min_value=1, max_value=10**9)
post_op = st.tuples(st.just("post"), st.sampled_from(CURRENCIES),
                    st.lists(st.tuples(st.sampled_from(ACCOUNTS), minor_units), min_size=1,
                             max_size=4),
                    st.sampled_from(ACCOUNTS), st.integers(0, 60))
unbalanced_op = st.tuples(st.just("unbalanced"), minor_units)
reverse_op = st.tuples(st.just("reverse"), st.integers(0, 50), st.integers(0, 10))
operations = st.lists(st.one_of(post_op, post_op, unbalanced_op, reverse_op), min_size=1,
                      max_size=10)
# a rate as stored: up to 6 decimals, from 0.000001 to 99999
stored_rate = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("99999"), places=6)
world = st.tuples(st.sampled_from(["NOK", "KRW", "KWD"]),
                  st.fixed_dictionaries({c: st.tuples(stored_rate, st.booleans())
                                         for c in CURRENCIES}))


def money(units: int, currency: str) -> Decimal:
    return Decimal(units).scaleb(-currency_decimals(currency))


class LedgerProperties(TestCase):
    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(world, operations)
    def test_any_sequence_of_operations_keeps_the_books_provable(self, setup, ops):
        accounting, rates = setup
        entity = legal_entity_create(code="XX01", name="Property AS",
                                     accounting_currency=accounting, actor=SYSTEM)
        for currency, (rate, inverted) in rates.items():
            if currency != accounting:  # quoted either way round
                pair = (accounting, currency) if inverted else (currency, accounting)
                exchange_rate_set(from_currency=pair[0], to_currency=pair[1], valid_from=START,
                                  rate=rate, actor=SYSTEM)
        posted = []
        for op in ops:
            if op[0] == "post":
                _, currency, debits, credit_account, day = op
                lines = [(acc, str(money(u, currency))) for acc, u in debits]
                total = sum(money(u, currency) for _, u in debits)
                lines.append((credit_account, str(-total)))
                try:
                    posted.append(post(entity, lines, currency=currency,
                                       on=START + timedelta(days=day)))
                except DomainError as exc:  # only an amount beyond the limit may be refused
                    assert exc.errors and exc.errors[0][0][-1] == "amount", exc.message
            elif op[0] == "unbalanced":
                before = JournalEntry.objects.count()
                with self.assertRaises(DomainError):
                    post(entity, [("6300", str(money(op[1], accounting))),
                                  ("1920", str(-money(op[1], accounting) + money(1, accounting)))])
                assert JournalEntry.objects.count() == before
            elif posted:
                target = posted[op[1] % len(posted)]
                try:
                    journal_entry_reverse(entry=target, reversal_date=target.entry_date
                                          + timedelta(days=op[2]), reason="property",
                                          actor=SYSTEM)
                except DomainError:
                    pass  # already reversed: refused, and must leave the books as they were
        run = ledger_check_run(actor=SYSTEM)
        assert run.ok, run.violations
        balances = account_balances(entity, date(2027, 1, 1))
        assert sum(a.balance_acc for a in balances) == 0
