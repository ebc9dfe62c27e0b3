"""The demo company: three legal entities, a login per role, exchange rates, customers with open
balances, and a year of general-journal entries, all posted through remit's own services so the
books prove themselves (``remit ledger check``) after loading.

Deterministic: the same seed and as-of date give the same company.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from remit.core.actor import Actor
from remit.core.exceptions import RuleViolation
from remit.core.memory import objects_before_set_aside
from remit.core.models import ExchangeRate, LegalEntity
from remit.core.money import Money
from remit.core.services import legal_entity_create, user_create
from remit.demo.credit import demo_credit
from remit.demo.crm import demo_crm
from remit.demo.insights import demo_insights
from remit.ledger.models import AccountRole
from remit.ledger.rules import PostingLine
from remit.ledger.selectors import account_by_number, account_for_role, journal_by_code
from remit.ledger.services import journal_entry_reverse, manual_entry_post
from remit.receivables.models import (
    BankAccount,
    CashDiscountTerms,
    CustomerTransaction,
    PaymentTerms,
    PostingProfile,
    PostingProfileLine,
    ProfileScope,
)
from remit.receivables.services import (
    ContactSpec,
    customer_create,
    customer_group_create,
    parameters_for,
)

from .history import History, profile_for
from .names import FIRST_NAMES, LAST_NAMES, PUBLIC, STEMS, SUFFIX, TRADES
from .users import DEMO_PASSWORD, DEMO_USERS

ENTITIES = [
    # code, name, currency, country, customers
    ("NO01", "Nordlys Handel AS", "NOK", "NO", 220),
    ("DK01", "Nordlys Danmark ApS", "DKK", "DK", 60),
    ("SE01", "Nordlys Sverige AB", "SEK", "SE", 40),
]
HISTORY_DAYS = 730
GROUPS = [("DOM", "Domestic customers"), ("KEY", "Key accounts"), ("PUB", "Public sector"),
          ("FOR", "Foreign customers")]
# 1 unit = this many NOK at the start of the history; a random walk moves them day by day
NOK_PER = {"EUR": Decimal("11.45"), "USD": Decimal("10.60"), "GBP": Decimal("13.30"),
           "SEK": Decimal("0.985"), "DKK": Decimal("1.535")}
FOREIGN_CURRENCY = {"NO": ["EUR", "SEK", "DKK"], "DK": ["EUR", "NOK", "SEK"],
                    "SE": ["EUR", "NOK", "DKK"]}

Step = Callable[..., None]  # step(label, advance, more_total=0)


@dataclass
class DemoResult:
    legal_entities: int
    users: int
    customers: int
    open_items: int
    journal_entries: int
    invoices: int = 0
    payments: int = 0
    bounced: int = 0
    written_off: int = 0
    leads: int = 0


class DemoAlreadyLoaded(RuleViolation):
    default_code = "demo_already_loaded"


def demo_load(*, as_of: date, seed: int = 7, customers_scale: Decimal = Decimal(1),
              step: Step | None = None) -> DemoResult:
    """Load the demo company as of a date. Refuses to load twice."""
    with objects_before_set_aside():  # see core.memory
        return _load(as_of, seed, customers_scale, step)


def _load(as_of: date, seed: int, customers_scale: Decimal, step: Step | None) -> DemoResult:
    if LegalEntity.objects.filter(code__in=[e[0] for e in ENTITIES]).exists():
        raise DemoAlreadyLoaded("The demo company is already loaded (legal entity NO01 exists)")
    step = step or (lambda label, n, more=0: None)
    rng = random.Random(seed)
    actor = Actor.system("demo")
    result = DemoResult(0, 0, 0, 0, 0)

    with transaction.atomic():
        entities = [legal_entity_create(code=c, name=n, accounting_currency=cur, country=cty,
                                        actor=actor)
                    for c, n, cur, cty, _ in ENTITIES]
        result.legal_entities = len(entities)
        by_code = {e.code: e for e in entities}
        for username, role, codes in DEMO_USERS:
            allowed = list(by_code.values()) if codes == "*" else [by_code[c] for c in codes.split(",")]
            user_create(username=username, password=DEMO_PASSWORD, roles=[role],
                        legal_entities=allowed, all_legal_entities=codes == "*",
                        email=f"{username}@nordlys.example", validate=False, actor=actor)
            result.users += 1
        _exchange_rates(rng, as_of)
    step("company, users and exchange rates", 1)

    start = as_of - timedelta(days=HISTORY_DAYS)
    for (code, _, _, country, n_customers), entity in zip(ENTITIES, entities):
        n = max(1, int((n_customers * customers_scale).to_integral_value()))
        with transaction.atomic():
            _parameters(entity)
            customers = _customers(rng, entity, country, n, start, as_of, actor)
        result.customers += len(customers)
        history = History(rng, start, as_of, actor)
        planned = sum(history.schedule(customer, profile) for customer, profile in customers)
        step(f"two years of history for {code}", 0, planned)
        history.run(step, f"two years of history for {code}")
        result.invoices += history.invoices
        result.payments += history.payments
        result.bounced += history.bounced
        result.written_off += history.written_off
        with transaction.atomic():
            result.journal_entries += _general_journal(rng, entity, as_of, actor)
            demo_credit(entity, as_of, rng, actor)
            _collections(entity, as_of, actor)
            demo_insights(entity, as_of, actor)
        # its own random stream, so the pipeline never changes the receivables history
        made = demo_crm(entity, as_of, random.Random(f"crm-{entity.code}-{seed}"), actor,
                        scale=customers_scale)
        if made:
            result.leads += made
            step(f"sales pipeline for {code}", 0)
    result.open_items = CustomerTransaction.objects.filter(is_open=True).count()
    return result


def demo_steps(customers_scale: Decimal = Decimal(1)) -> int:
    """Progress units known before starting: the company; each legal entity adds its invoices
    to the total once they are planned."""
    return 1


NSF_FEE = {"NOK": Decimal("250.00"), "SEK": Decimal("250.00"), "DKK": Decimal("175.00")}


def _parameters(entity) -> None:
    """Tolerances a finance team would set: pennies and small differences are written off."""
    params = parameters_for(entity)
    params.max_penny_difference = Decimal("1.00")
    params.max_over_under = Decimal("50.00")
    params.save()
    # the bank charges for bounced payments; the fee is passed on to the customer
    BankAccount.objects.filter(legal_entity=entity).update(
        nsf_fee=NSF_FEE.get(entity.accounting_currency, Decimal(0)))


POOLS = [("KEY", "Key accounts", {"groups": ["KEY"]}),
         ("OVER30", "Oldest invoice 30+ days overdue", {"min_days_overdue": 30}),
         ("FOREIGN", "Foreign customers", {"groups": ["FOR"]})]


def _collections(entity, as_of: date, actor: Actor) -> None:
    """Pools, the agents who work them, today's aging, and work in progress on the customers
    most overdue: a case and a call for each."""
    from django.contrib.auth import get_user_model

    from remit.collections.activities import activity_create, case_open
    from remit.collections.models import CaseCategory
    from remit.collections.pools import agent_save, pool_save
    from remit.collections.services import snapshot_create

    pools = {code: pool_save(legal_entity=entity, code=code, description=text, actor=actor,
                             **criteria) for code, text, criteria in POOLS}
    users = {u.username: u for u in get_user_model().objects.filter(
        Q(remit_profile__legal_entities=entity) | Q(remit_profile__all_legal_entities=True),
        username__in=["agent", "colmgr", "admin"]).distinct()}
    if "agent" in users:
        agent_save(legal_entity=entity, user=users["agent"], actor=actor,
                   pools=[pools["OVER30"], pools["KEY"]], default_pool=pools["OVER30"])
    if "colmgr" in users:
        agent_save(legal_entity=entity, user=users["colmgr"], view_all_pools=True, actor=actor)
    snapshot = snapshot_create(legal_entity=entity, as_of=as_of, actor=actor)
    _interest(entity, as_of, users, pools, actor)
    owner = users.get("agent") or users.get("colmgr")
    plan = CaseCategory.objects.get(legal_entity=entity, code="PAYPLAN")
    for line in snapshot.lines.select_related("customer").order_by("-overdue")[:4]:
        if line.overdue <= 0:
            break
        overdue = list(line.customer.transactions.filter(is_open=True, amount__gt=0,
                                                         due_date__lt=as_of))
        case = case_open(customer=line.customer, category=plan, transactions=overdue,
                         description="Agree a payment plan for the overdue invoices",
                         owner=owner, on=as_of - timedelta(days=7), actor=actor)
        activity_create(customer=line.customer, kind="call", case=case, owner=owner,
                        purpose="Call about the payment plan", due_on=as_of, actor=actor)


def _interest(entity, as_of: date, users: dict, pools: dict, actor: Actor) -> None:
    """Late-payment interest (12 % a year, per day, after 5 days' grace), waive and write-off
    limits for the collections staff, and this month's notes created for review (not posted)."""
    from remit.collections.interest import VersionSpec, interest_code_save, interest_notes_create
    from remit.collections.models import WaiveLimit

    interest_code_save(
        legal_entity=entity, code="LATE", name="Late payment interest, 12 % a year",
        is_default=True, actor=actor,
        version=VersionSpec(as_of - timedelta(days=HISTORY_DAYS + 60),
                            [(Decimal(0), Decimal(12))], per_day=True, grace_days=5))
    from remit.receivables.models import WriteOffLimit

    for username, waive, write_off in (("agent", "1000", "5000"),
                                       ("colmgr", "25000", "500000"),
                                       ("admin", None, "10000000")):
        if username in users and waive:
            WaiveLimit.objects.create(legal_entity=entity, user=users[username],
                                      max_amount=Decimal(waive))
        if username in users:
            WriteOffLimit.objects.create(legal_entity=entity, user=users[username],
                                         max_amount=Decimal(write_off))
    interest_notes_create(legal_entity=entity, to=as_of, actor=actor)
    from remit.collections.letters import letter_sequence_save, letters_create

    fee = NSF_FEE.get(entity.accounting_currency, Decimal(0)) / 5
    levels = []
    for currency in sorted({entity.accounting_currency, "EUR"}):
        levels += [(currency, "L1", "Payment reminder", 5, Decimal(0), Decimal(0), False,
                    "According to our books the invoices below are overdue. If you have "
                    "paid in the last few days, please disregard this letter."),
                   (currency, "L2", "Second reminder", 10, Decimal(10),
                    fee if currency == entity.accounting_currency else Decimal(5), False,
                    "We have not received payment of the invoices below."),
                   (currency, "FINAL", "Final notice", 14, Decimal(100),
                    fee * 2 if currency == entity.accounting_currency else Decimal(10), True,
                    "Unless we receive payment within 14 days, the claim will be passed "
                    "to a debt collection agency.")]
    letter_sequence_save(legal_entity=entity, code="STD", description="Standard reminders",
                         levels=levels, is_default=True, actor=actor)
    letters_create(legal_entity=entity, on=as_of, actor=actor)
    from remit.collections.models import CollectionsProcess, EmailTemplate, ProcessStep

    process = CollectionsProcess.objects.create(
        legal_entity=entity, code="STD", description="Standard follow-up of overdue invoices",
        pool=pools["OVER30"], quiet_days=5)
    ProcessStep.objects.bulk_create([
        ProcessStep(process=process, description="Email the open items", action="email",
                    days=31, email_template=EmailTemplate.objects.get(legal_entity=entity,
                                                                      code="OVERDUE")),
        ProcessStep(process=process, description="Call the customer", action="activity",
                    days=45, activity_kind="call"),
        ProcessStep(process=process, description="Collection letter", action="letter",
                    days=60)])


def _exchange_rates(rng: random.Random, as_of: date) -> None:
    start = as_of - timedelta(days=HISTORY_DAYS + 30)
    level = dict(NOK_PER)
    rows = []
    day = start
    while day <= as_of:
        if day.weekday() < 5:
            for cur in level:
                drift = Decimal(rng.randint(-15, 15)) / Decimal(10000)
                level[cur] = (level[cur] * (1 + drift)).quantize(Decimal("0.000001"))
            for cur, nok in level.items():
                rows.append(ExchangeRate(from_currency=cur, to_currency="NOK", valid_from=day,
                                         rate=nok))
            for base in ("DKK", "SEK"):
                for cur, nok in level.items():
                    if cur != base:
                        rows.append(ExchangeRate(
                            from_currency=cur, to_currency=base, valid_from=day,
                            rate=(nok / level[base]).quantize(Decimal("0.000001"))))
                rows.append(ExchangeRate(from_currency="NOK", to_currency=base, valid_from=day,
                                         rate=(1 / level[base]).quantize(Decimal("0.000001"))))
        day += timedelta(days=1)
    ExchangeRate.objects.bulk_create(rows, batch_size=2000)


def _company_name(rng: random.Random, country: str, group: str) -> str:
    if group == "PUB":
        return f"{rng.choice(STEMS)} {rng.choice(PUBLIC)}"
    return f"{rng.choice(STEMS)} {rng.choice(TRADES)} {SUFFIX.get(country, 'Ltd')}"


def _customers(rng, entity, country, n, start, as_of, actor):
    groups = {code: customer_group_create(legal_entity=entity, code=code, name=name, actor=actor)
              for code, name in GROUPS}
    profile = PostingProfile.objects.get(legal_entity=entity, is_default=True)
    PostingProfileLine.objects.create(
        profile=profile, scope=ProfileScope.GROUP, customer_group=groups["FOR"],
        receivable_account=account_by_number(entity, "1510"))
    terms = {t.code: t for t in PaymentTerms.objects.filter(legal_entity=entity)}
    discount = CashDiscountTerms.objects.get(legal_entity=entity, code="2/10")
    made = []
    for i in range(n):
        roll = rng.randint(1, 100)  # percent: 8 key accounts, 8 public, 14 foreign, 70 domestic
        group = "KEY" if roll <= 8 else "PUB" if roll <= 16 else "FOR" if roll <= 30 else "DOM"
        foreign_country = {"NO": "SE", "DK": "DE", "SE": "FI"}[country]
        name = _company_name(rng, foreign_country if group == "FOR" else country, group)
        currency = (rng.choice(FOREIGN_CURRENCY[country]) if group == "FOR"
                    else entity.accounting_currency)
        behaviour = profile_for(rng, start, as_of)
        if group == "PUB":
            behaviour.low, behaviour.high = behaviour.low + 5, behaviour.high + 15
        payment_terms = terms[{"PUB": "N30", "KEY": "N30", "FOR": "EOM30"}.get(
            group, rng.choice(["N14", "N30", "N30"]))]
        takes_discount = behaviour.behaviour == "discount_taker" or (
            group in ("DOM", "KEY") and rng.randint(1, 100) <= 15)
        customer = customer_create(
            legal_entity=entity, account_number=f"{10000 + i}", name=name, group=groups[group],
            currency=currency, customer_since=start - timedelta(days=rng.randint(0, 3000)),
            payment_terms=payment_terms,
            cash_discount_terms=discount if takes_discount else None,
            language={"NO": "nb", "DK": "da", "SE": "sv"}[country] if group != "FOR" else "en",
            contacts=[ContactSpec(f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                                  f"accounts{i}@{name.split()[0].lower()}.example",
                                  is_collections=True)],
            actor=actor)
        made.append((customer, behaviour))
    return made


def _general_journal(rng, entity, as_of, actor) -> int:
    """A year of rent, bank fees and office supplies, and one mistake corrected by reversal."""
    journal = journal_by_code(entity, "GJ")
    bank = account_for_role(entity, AccountRole.BANK)
    rent = account_by_number(entity, "6300")
    supplies = account_by_number(entity, "6800")
    fees = account_for_role(entity, AccountRole.BANK_FEES)
    cur = entity.accounting_currency
    posted = 0
    first = date(as_of.year - 1, as_of.month, 1)
    month = first
    while month <= as_of:
        rent_amount = Money(Decimal("48500.00") if cur == "NOK" else Decimal("31200.00"), cur)
        manual_entry_post(legal_entity=entity, journal=journal, entry_date=month,
                          description=f"Office rent {month:%B %Y}",
                          lines=[PostingLine(rent, rent_amount), PostingLine(bank, -rent_amount)],
                          actor=actor, as_of=as_of)
        fee = Money(Decimal(rng.randint(18000, 42000)) / 100, cur)
        fee_day = min(month + timedelta(days=27), as_of)
        manual_entry_post(legal_entity=entity, journal=journal, entry_date=fee_day,
                          description=f"Bank fees {month:%B %Y}",
                          lines=[PostingLine(fees, fee), PostingLine(bank, -fee)], actor=actor,
                          as_of=as_of)
        posted += 2
        month = (month + timedelta(days=32)).replace(day=1)
    wrong_day = as_of - timedelta(days=20)
    wrong = Money(Decimal("12990.00"), cur)
    mistake = manual_entry_post(
        legal_entity=entity, journal=journal, entry_date=wrong_day,
        description="Office chairs (booked to rent by mistake)",
        lines=[PostingLine(rent, wrong), PostingLine(bank, -wrong)], actor=actor,
        as_of=as_of)
    journal_entry_reverse(entry=mistake, reversal_date=wrong_day + timedelta(days=2),
                          reason="booked to rent instead of office supplies", actor=actor)
    manual_entry_post(
        legal_entity=entity, journal=journal, entry_date=wrong_day + timedelta(days=2),
        description="Office chairs", lines=[PostingLine(supplies, wrong),
                                            PostingLine(bank, -wrong)], actor=actor,
        as_of=as_of)
    return posted + 3
