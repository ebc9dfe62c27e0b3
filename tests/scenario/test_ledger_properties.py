"""Property test: whatever sequence of postings, failed postings and reversals happens, the
books keep every invariant ``remit ledger check`` proves, and the trial balance nets to zero."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from remit.core.exceptions import DomainError
from remit.core.services import exchange_rate_set, legal_entity_create
from remit.ledger.models import JournalEntry
from remit.ledger.selectors import account_balances
from remit.ledger.services import journal_entry_reverse, ledger_check_run
from tests.helpers import SYSTEM, post

ACCOUNTS = ["6300", "6800", "7770", "1920", "1925", "3000"]
amount = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2)
post_op = st.tuples(st.just("post"), st.sampled_from(["NOK", "EUR"]),
                    st.lists(st.tuples(st.sampled_from(ACCOUNTS), amount), min_size=1, max_size=4),
                    st.sampled_from(ACCOUNTS), st.integers(0, 60))
unbalanced_op = st.tuples(st.just("unbalanced"), amount)
reverse_op = st.tuples(st.just("reverse"), st.integers(0, 50), st.integers(0, 10))
operations = st.lists(st.one_of(post_op, post_op, unbalanced_op, reverse_op), min_size=1,
                      max_size=12)

START = date(2026, 1, 1)


class LedgerProperties(TestCase):
    @settings(max_examples=30, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(operations)
    def test_any_sequence_of_operations_keeps_the_books_provable(self, ops):
        entity = legal_entity_create(code="NO01", name="Property AS", accounting_currency="NOK",
                                     actor=SYSTEM)
        exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=START,
                          rate="11.437911", actor=SYSTEM)
        posted = []
        for op in ops:
            if op[0] == "post":
                _, currency, debits, credit_account, day = op
                total = sum(a for _, a in debits)
                lines = [(acc, str(a)) for acc, a in debits] + [(credit_account, str(-total))]
                posted.append(post(entity, lines, currency=currency,
                                   on=START + timedelta(days=day)))
            elif op[0] == "unbalanced":
                before = JournalEntry.objects.count()
                with self.assertRaises(DomainError):
                    post(entity, [("6300", str(op[1])), ("1920", str(-op[1] + Decimal("0.01")))])
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
