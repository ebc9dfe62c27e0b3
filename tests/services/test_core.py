"""Legal entities, users and roles, tokens, exchange rates, exact sums."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from remit.core.actor import Actor
from remit.core.context import resolve_legal_entity
from remit.core.db import ExactSum
from remit.core.exceptions import AccessDenied, InvalidInput, RuleViolation
from remit.core.models import AuditLog, LegalEntity
from remit.core.roles import ROLE_PERMISSIONS
from remit.core.selectors import ExchangeRateMissing, exchange_rate_on, legal_entities_for
from remit.core.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    exchange_rate_set,
    legal_entity_create,
    user_create,
)
from remit.ledger.models import Account, Journal, JournalLine
from remit.receivables.models import PostingProfile
from tests.helpers import SYSTEM, post

pytestmark = pytest.mark.django_db


def test_a_new_legal_entity_gets_a_chart_journals_and_a_posting_profile(entity):
    roles = set(Account.objects.filter(legal_entity=entity).exclude(role="")
                .values_list("role", flat=True))
    assert {"receivable", "revenue", "sales_tax_payable", "bank", "cash_discount", "write_off",
            "interest_income", "fee_income", "penny_difference", "intercompany_due_from",
            "intercompany_due_to", "exchange_gain", "exchange_loss"} <= roles
    assert set(Journal.objects.filter(legal_entity=entity).values_list("code", flat=True)) == {
        "GJ", "CP", "SI", "IN", "OB"}
    profile = PostingProfile.objects.get(legal_entity=entity, is_default=True)
    assert profile.lines.get().receivable_account.number == "1500"


def test_a_legal_entity_needs_a_real_currency_and_a_valid_code(db):
    with pytest.raises(InvalidInput) as exc:
        legal_entity_create(code="X1", name="x", accounting_currency="NKR", actor=SYSTEM)
    assert exc.value.errors[0][0] == ("accounting_currency",)
    with pytest.raises(InvalidInput, match="code"):
        legal_entity_create(code="bad code", name="x", accounting_currency="NOK", actor=SYSTEM)
    assert not LegalEntity.objects.exists() and not Account.objects.exists()


def test_every_role_exists_as_a_group_with_its_permissions(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_PERMISSIONS)
    clerk = Group.objects.get(name="AR clerk")
    codes = {f"{p.content_type.app_label}.{p.codename}" for p in clerk.permissions.all()}
    assert codes == set(ROLE_PERMISSIONS["AR clerk"])
    admin = Group.objects.get(name="Administrator")
    assert admin.permissions.filter(codename="reverse_journalentry").exists()


def test_users_work_only_in_the_legal_entities_they_are_allowed(entity, other_entity, make_user):
    agent = make_user("Collections agent", [entity])
    boss = make_user("Credit manager", all_entities=True)
    assert list(legal_entities_for(agent)) == [entity]
    assert set(legal_entities_for(boss)) == {entity, other_entity}
    assert resolve_legal_entity(agent, requested_id=other_entity.pk) == entity
    assert resolve_legal_entity(agent, requested_code="DK01") is None
    assert not agent.is_staff and not boss.is_staff
    assert make_user("Administrator", all_entities=True).is_staff


def test_creating_a_user_validates_roles_and_password(entity):
    with pytest.raises(InvalidInput, match="unknown role"):
        user_create(username="x", password="a-long-password-1", roles=["wizard"], actor=SYSTEM)
    with pytest.raises(InvalidInput, match="password"):
        user_create(username="x", password="123", roles=["ar-clerk"], actor=SYSTEM)
    user_create(username="x", password="a-long-password-1", roles=["ar-clerk"], actor=SYSTEM)
    with pytest.raises(RuleViolation, match="already exists"):
        user_create(username="x", password="a-long-password-1", roles=["ar-clerk"], actor=SYSTEM)


def test_only_user_managers_create_users(entity, make_user):
    clerk = make_user("AR clerk", [entity])
    with pytest.raises(AccessDenied):
        user_create(username="y", password="a-long-password-1", roles=["ar-clerk"],
                    actor=Actor.web(clerk))


def test_api_tokens_authenticate_until_revoked_and_are_stored_hashed(clerk):
    token, secret = api_token_create(user=clerk, name="script", actor=SYSTEM)
    assert secret.startswith(f"rmt_{token.prefix}_") and secret not in token.key_hash
    assert api_token_authenticate(secret) == clerk
    assert api_token_authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    api_token_revoke(token=token, actor=SYSTEM)
    assert api_token_authenticate(secret) is None
    assert AuditLog.objects.filter(action__startswith="core.api_token").count() == 2


def test_exchange_rates_are_taken_by_date_and_inverted_when_quoted_the_other_way(db):
    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=date(2026, 1, 1),
                      rate="11.50", actor=SYSTEM)
    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=date(2026, 2, 1),
                      rate="11.70", actor=SYSTEM)
    assert exchange_rate_on("EUR", "NOK", date(2026, 1, 31)) == Decimal("11.5")
    assert exchange_rate_on("EUR", "NOK", date(2026, 2, 1)) == Decimal("11.7")
    # inverted, then rounded at the RATE point (12 decimals, 15 significant digits)
    assert exchange_rate_on("NOK", "EUR", date(2026, 2, 1)) == Decimal("0.085470085470")
    with pytest.raises(ExchangeRateMissing):
        exchange_rate_on("EUR", "NOK", date(2025, 12, 31))
    with pytest.raises(InvalidInput, match="greater than zero"):
        exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=date(2026, 3, 1),
                          rate="0", actor=SYSTEM)


def test_a_rate_book_answers_as_exchange_rate_on_for_every_day_read_whole_or_between():
    from datetime import timedelta

    from remit.core.selectors import RateBook

    for on, rate in [(date(2025, 6, 1), "11.10"), (date(2026, 1, 1), "11.50"),
                     (date(2026, 1, 20), "11.60"), (date(2026, 2, 1), "11.70")]:
        exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=on, rate=rate,
                          actor=SYSTEM)
    exchange_rate_set(from_currency="NOK", to_currency="SEK", valid_from=date(2026, 1, 10),
                      rate="0.98", actor=SYSTEM)
    first, last = date(2026, 1, 5), date(2026, 1, 25)
    whole = RateBook({"EUR", "SEK"}, "NOK")
    between = RateBook({"EUR", "SEK"}, "NOK", between=(first, last))
    day = first
    while day <= last:
        for currency in ("EUR", "SEK"):
            try:
                expected = exchange_rate_on(currency, "NOK", day)
            except ExchangeRateMissing:
                assert not whole.has_rate(currency, day) and not between.has_rate(currency, day)
                continue
            assert whole.rate(currency, day) == between.rate(currency, day) == expected
        day += timedelta(days=1)
    assert between.rate("EUR", first) == Decimal("11.5")  # the quote in force on the first day
    with pytest.raises(ValueError, match="outside"):
        between.rate("EUR", date(2026, 2, 1))


def test_exact_sum_stays_exact_where_djangos_sum_loses_digits_on_sqlite(entity):
    from django.db import connection
    from django.db.models import Sum

    big = "99999999999.99"
    post(entity, [("6300", big)] * 101 + [("1920", f"-{big}")] * 101)
    lines = JournalLine.objects.filter(account__number="6300")
    exact = Decimal(big) * 101
    assert lines.aggregate(t=ExactSum("debit"))["t"] == exact == Decimal("10099999999998.99")
    if connection.vendor == "sqlite":  # why ExactSum exists; if this fails, Django fixed it
        assert lines.aggregate(t=Sum("debit"))["t"] != exact


def test_exact_sum_compares_in_having_and_refuses_sql_arithmetic(entity):
    post(entity, [("6300", "5.25"), ("1920", "-5.25")])
    by_account = JournalLine.objects.values("account_id").annotate(s=ExactSum("debit"))
    assert len(by_account.filter(s__gt=Decimal("1"))) == 1
    assert len(by_account.filter(s=Decimal("5.25"))) == 1
    assert len(by_account.filter(s__gt=Decimal("100"))) == 0
    with pytest.raises(TypeError, match="combine the results in Python"):
        ExactSum("debit") + ExactSum("credit")
