"""The credit periodic tasks: balance statistics (balance, DSO by the spec's formula, average
and highest balance, average payment days), risk scores from the scoring groups and the risk
group they put a customer in, and deleting statistics that are no longer needed. Each run is
idempotent for its date: running it twice leaves one set of figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.dates import add_months
from remit.core.db import ExactSum
from remit.core.exceptions import InvalidInput
from remit.receivables.models import Customer, CustomerTransaction, TransactionKind

from . import rules
from .models import (
    BalanceStatistic,
    CustomerCredit,
    CustomerScore,
    CustomerScoreValue,
    RiskGroup,
    ScoringGroup,
    ScoringGroupType,
)
from .setup import credit_for, parameters_for

ZERO = Decimal(0)
PERCENT_CAP = Decimal("99999999.99")  # the column's largest value: a token limit of 1 is "used"


def _ensure_credit_records(legal_entity) -> dict[int, CustomerCredit]:
    missing = Customer.objects.filter(legal_entity=legal_entity, credit__isnull=True)
    CustomerCredit.objects.bulk_create(
        [CustomerCredit(legal_entity=legal_entity, customer=c) for c in missing],
        ignore_conflicts=True)
    return {c.customer_id: c for c in CustomerCredit.objects.filter(legal_entity=legal_entity)
            .select_related("customer")}


@transaction.atomic
def balance_statistics_calculate(*, legal_entity, as_of: date, actor: Actor) -> int:
    """One statistics row per customer for ``as_of`` (replacing one made earlier that day):
    balance and credit sales from two grouped queries over the open items and invoices."""
    actor.require("credit.add_balancestatistic")
    params = parameters_for(legal_entity)
    credits = _ensure_credit_records(legal_entity)
    items = CustomerTransaction.objects.filter(legal_entity=legal_entity)
    starts = {m: add_months(as_of, -m) for m in {params.dso1_months, params.dso2_months, 12}}
    invoices = Q(kind=TransactionKind.INVOICE, document_date__lte=as_of)
    sales = {m: ExactSum("amount_acc", filter=invoices & Q(document_date__gt=start), zero=True)
             for m, start in starts.items()}
    rows = {r["customer_id"]: r for r in items.filter(document_date__lte=as_of)
            .values("customer_id")
            .annotate(balance=ExactSum(F("amount_acc") - F("settled_acc"),
                                       filter=Q(is_open=True), zero=True),
                      **{f"sales_{m}": s for m, s in sales.items()})}
    pay_days: dict[int, list[int]] = defaultdict(list)
    for cid, issued, closed in (items.filter(kind=TransactionKind.INVOICE, is_open=False,
                                             closed_on__gt=starts[12], closed_on__lte=as_of)
                                .values_list("customer_id", "document_date", "closed_on")):
        days = (closed - issued).days
        pay_days[cid].append(days if days >= 1 else 0)
    history: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    avg_start = add_months(as_of, -params.average_balance_months)
    for cid, day, balance in (BalanceStatistic.objects
                              .filter(customer_credit__legal_entity=legal_entity,
                                      as_of__gt=avg_start, as_of__lt=as_of)
                              .values_list("customer_credit__customer_id", "as_of", "balance")):
        history[cid].append((day, balance))
    BalanceStatistic.objects.filter(customer_credit__legal_entity=legal_entity,
                                    as_of=as_of).delete()
    made = []
    for cid, credit in credits.items():
        row = rows.get(cid, {})
        balance = row.get("balance", ZERO)
        since = credit.customer.customer_since
        points = history[cid] + [(as_of, balance)]
        top = max(points, key=lambda p: (p[1], p[0]))
        days = pay_days.get(cid)
        made.append(BalanceStatistic(
            customer_credit=credit, as_of=as_of, balance=balance,
            dso1=rules.dso(balance, row.get(f"sales_{params.dso1_months}", ZERO),
                           rules.window_days(as_of, params.dso1_months, since)),
            dso2=rules.dso(balance, row.get(f"sales_{params.dso2_months}", ZERO),
                           rules.window_days(as_of, params.dso2_months, since)),
            average_balance=(sum((p[1] for p in points), ZERO) / len(points)).quantize(
                rules.CENT),
            highest_balance=top[1], highest_balance_on=top[0],
            average_payment_days=(Decimal(sum(days)) / len(days)).quantize(rules.CENT)
            if days else None,
            credit_limit_used=min(rules.shown(rules.used_percent(balance, credit.credit_limit)),
                                  PERCENT_CAP) if credit.credit_limit > 0 else None))
    BalanceStatistic.objects.bulk_create(made)
    audit_record(actor=actor, action="credit.statistics.calculate", legal_entity=legal_entity,
                 data={"as_of": as_of.isoformat(), "customers": len(made)})
    return len(made)


@transaction.atomic
def balance_statistics_delete(*, legal_entity, until: date, as_of: date, actor: Actor) -> int:
    """Delete statistics dated before ``until``. The statistics months must stay: ``until``
    may be at most that many months before ``as_of``."""
    actor.require("credit.delete_balancestatistic")
    months = parameters_for(legal_entity).statistics_months
    earliest = add_months(as_of, -months)
    if until > earliest:
        raise InvalidInput.field("until", f"statistics of the last {months} months are kept: "
                                 f"choose {earliest} or earlier")
    deleted, _ = BalanceStatistic.objects.filter(customer_credit__legal_entity=legal_entity,
                                                 as_of__lt=until).delete()
    audit_record(actor=actor, action="credit.statistics.delete", legal_entity=legal_entity,
                 data={"until": until.isoformat(), "deleted": deleted})
    return deleted


def _years(since: date | None, as_of: date) -> Decimal | None:
    if since is None or since > as_of:
        return None
    return (Decimal((as_of - since).days) / Decimal("365.25")).quantize(rules.CENT)


@dataclass
class Scored:
    customers: int = 0
    grouped: int = 0


@transaction.atomic
def risk_scores_update(*, legal_entity, as_of: date, actor: Actor) -> Scored:
    """Every customer's score in every scoring group, their sum, and the risk group whose range
    holds it. Statistics come from each customer's latest balance statistics."""
    actor.require("credit.change_customercredit")
    groups = list(ScoringGroup.objects.filter(legal_entity=legal_entity)
                  .prefetch_related("lines"))
    risk_groups = [(g.pk, g.score_from, g.score_to)
                   for g in RiskGroup.objects.filter(legal_entity=legal_entity)]
    credits = _ensure_credit_records(legal_entity)
    latest: dict[int, BalanceStatistic] = {}
    for stat in (BalanceStatistic.objects.filter(customer_credit__legal_entity=legal_entity,
                                                 as_of__lte=as_of).order_by("as_of")):
        latest[stat.customer_credit_id] = stat
    values = defaultdict(dict)
    for credit_id, group_id, value in CustomerScoreValue.objects.filter(
            customer_credit__legal_entity=legal_entity).values_list("customer_credit_id",
                                                                    "group_id", "value"):
        values[credit_id][group_id] = value
    countries = dict(Customer.objects.filter(legal_entity=legal_entity,
                                             addresses__purpose="primary")
                     .values_list("pk", "addresses__country"))
    CustomerScore.objects.filter(customer_credit__legal_entity=legal_entity).delete()
    result, scores = Scored(), []
    for cid, credit in credits.items():
        stat = latest.get(credit.pk)
        measured_by_type = {
            ScoringGroupType.AVERAGE_PAYMENT_DAYS: stat.average_payment_days if stat else None,
            ScoringGroupType.CUSTOMER_YEARS: _years(credit.customer.customer_since, as_of),
            ScoringGroupType.BUSINESS_YEARS: _years(credit.business_started, as_of),
            ScoringGroupType.DSO: stat.dso1 if stat else None,
            ScoringGroupType.AVERAGE_BALANCE: stat.average_balance if stat else None,
            ScoringGroupType.MANAGEMENT_GROUP: credit.management_group.code
            if credit.management_group_id else None,
            ScoringGroupType.ACCOUNT_STATUS: credit.account_status.code
            if credit.account_status_id else None,
            ScoringGroupType.COUNTRY: countries.get(cid),
        }
        total = ZERO
        for group in groups:
            measured = (values[credit.pk].get(group.pk)
                        if group.group_type == ScoringGroupType.USER_DEFINED
                        else measured_by_type.get(group.group_type))
            points = rules.score(group.score_type, [
                rules.ScoreLine(x.score, x.from_value, x.to_value, x.value)
                for x in group.lines.all()], measured)
            total += points
            scores.append(CustomerScore(customer_credit=credit, group=group,
                                        measured="" if measured is None else str(measured),
                                        score=points))
        credit.risk_score = total
        credit.risk_group_id = rules.risk_group_for(total, risk_groups)
        credit.risk_scored_on = as_of
        result.customers += 1
        result.grouped += credit.risk_group_id is not None
    CustomerScore.objects.bulk_create(scores)
    CustomerCredit.objects.bulk_update(list(credits.values()),
                                       ["risk_score", "risk_group", "risk_scored_on"],
                                       batch_size=1000)
    audit_record(actor=actor, action="credit.risk.update", legal_entity=legal_entity,
                 data={"as_of": as_of.isoformat(), "customers": result.customers,
                       "grouped": result.grouped})
    return result


def customer_scores(customer: Customer):
    credit = credit_for(customer)
    return credit.scores.select_related("group").order_by("group__name")
