"""Credit management's rules, free of the database and the clock: total and effective credit
limits (insurance, temporary limits, credit groups), exposure by credit limit type, the
blocking-rule evaluation order, checkpoint grace days, DSO, risk scores and adjustments.

The services gather facts (balances, overdue days, limits) in a few aggregate queries and hand
them here; every decision a hold shows comes out of ``evaluate``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from remit.core.dates import add_months

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

# rule types, kinds, scopes and value types (the model's choices, as plain strings)
DAYS_OVERDUE, ACCOUNT_STATUS, TERMS = "days_overdue", "account_status", "terms"
LIMIT_EXPIRED, OVERDUE_AMOUNT = "limit_expired", "overdue_amount"
ORDER_AMOUNT, LIMIT_USED = "order_amount", "limit_used"
RULE_TYPES = (DAYS_OVERDUE, ACCOUNT_STATUS, TERMS, LIMIT_EXPIRED, OVERDUE_AMOUNT, ORDER_AMOUNT,
              LIMIT_USED)
TERMS_INCREASED, DISCOUNT_INCREASED = "terms_increased", "discount_increased"
STATUS_HOLD = "status_hold"
BLOCKING, EXCLUSION = "blocking", "exclusion"
LEVEL = {"customer": 0, "group": 1, "all": 2}  # Table → Group → All
NONE, BALANCE, BALANCE_PACKING, BALANCE_ALL = "none", "balance", "balance_packing", "balance_all"


# --- limits -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cover:
    """An insurance or guarantee in force, its value already in the limit's currency."""
    value: Decimal
    percent: Decimal
    included_in_exposure: bool = False


def total_limit(limit: Decimal, temporary: Decimal | None = None,
                covers: Sequence[Cover] = ()) -> Decimal:
    """The customer page's total credit limit: the active temporary limit instead of the
    normal one, plus A + B × C for each cover (less B when it is included in exposure:
    100,000 + 50,000 × 50 % = 125,000, or 75,000 included). Never below zero."""
    total = Decimal(temporary if temporary is not None else limit)
    for cover in covers:
        total += cover.value * cover.percent / HUNDRED
        if cover.included_in_exposure:
            total -= cover.value
    return max(total.quantize(CENT, ROUND_HALF_UP), ZERO)


@dataclass(frozen=True)
class CustomerLimit:
    total: Decimal               # total_limit(...) of the customer
    unlimited: bool = False
    mandatory: bool = False
    own: Decimal | None = None   # the limit set on the customer (temporary or normal), before
    #                              covers: 0 here means "use the group", whatever the covers add


@dataclass(frozen=True)
class LimitCheck:
    """One limit to hold exposure against: the credit group's or the customer's own."""
    who: str                     # "customer" or "group CODE"
    limit: Decimal


def limit_checks(customer: CustomerLimit, group: tuple[str, Decimal] | None,
                 check_groups: bool) -> list[LimitCheck]:
    """Which limits apply, group first (Credit-limit-scenarios): unlimited → none, even in a
    group; the group's limit when the customer is in one; the customer's own as well, except
    a 0 that is not mandatory, which means 'use the group'. Outside a group, 0 is no credit."""
    if customer.unlimited:
        return []
    checks = []
    in_group = group is not None and check_groups
    if in_group:
        checks.append(LimitCheck(f"group {group[0]}", group[1]))
    own = customer.own if customer.own is not None else customer.total
    if not in_group or own > 0 or customer.mandatory:
        checks.append(LimitCheck("customer", customer.total))
    return checks


def effective_limit(checks: Sequence[LimitCheck]) -> Decimal | None:
    """The lowest limit that applies; None for unlimited."""
    return min((c.limit for c in checks), default=None)


@dataclass(frozen=True)
class Exposure:
    balance: Decimal
    packing_slips: Decimal = ZERO   # delivered, not yet invoiced
    open_orders: Decimal = ZERO     # ordered, not yet delivered


def exposure(limit_type: str, amounts: Exposure, mandatory: bool = False) -> Decimal | None:
    """What counts against the limit for the credit limit type; None when nothing is checked
    (type none, unless the customer's limit is mandatory, which checks the balance)."""
    if limit_type == NONE:
        return amounts.balance if mandatory else None
    if limit_type == BALANCE:
        return amounts.balance
    if limit_type == BALANCE_PACKING:
        return amounts.balance + amounts.packing_slips
    return amounts.balance + amounts.packing_slips + amounts.open_orders


def used_percent(exposure_with_order: Decimal, limit: Decimal) -> Decimal:
    """Credit limit used, in percent, the current order included — unrounded, so a cent over
    the limit is over 100 % (``shown`` rounds it for people). A zero limit is used infinitely
    by any exposure (999,999.99 %)."""
    if limit <= 0:
        return Decimal("999999.99") if exposure_with_order > 0 else ZERO
    return exposure_with_order * HUNDRED / limit


def shown(percent: Decimal) -> Decimal:
    """A percentage for a person: two decimals, and never 100.00 when it is over 100."""
    rounded = percent.quantize(CENT, ROUND_HALF_UP)
    return rounded + CENT if rounded == HUNDRED and percent > HUNDRED else rounded


# --- blocking rules -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    id: int
    rule_type: str
    scope: str = "all"
    customer_id: int | None = None
    group_id: int | None = None
    risk_group_id: int | None = None
    kind: str = BLOCKING
    value_type: str = "none"
    value: Decimal | None = None
    limit_threshold: Decimal | None = None
    account_status_id: int | None = None
    payment_terms_id: int | None = None
    release_order: bool = False
    label: str = ""              # names for the reasons: the status or terms code


@dataclass(frozen=True)
class Facts:
    """What the check knows about the customer and the order, as of the check date."""
    as_of: date
    customer_id: int
    order_amount: Decimal
    group_id: int | None = None                # credit management group
    risk_group_id: int | None = None
    account_status_id: int | None = None
    account_status: str = ""
    terms_id: int | None = None                # the order's payment terms
    terms: str = ""
    terms_rank: int | None = None
    customer_terms_rank: int | None = None
    discount: str = ""
    discount_rank: int | None = None
    customer_discount_rank: int | None = None
    days_overdue: int = 0                      # the oldest open invoice's days past due
    overdue_amount: Decimal = ZERO
    limit: Decimal | None = None               # effective limit; None: unlimited or unchecked
    uses: tuple[tuple[str, Decimal], ...] = () # (who, used %) for each limit that applies
    limit_expires: date | None = None
    ignore_blank_expiry: bool = True
    check_limit_used: bool = True
    check_terms_increase: bool = False
    check_discount_increase: bool = False
    step: str = ""                             # the posting step being checked
    status_hold: str = "none"                  # the account status's invoicing/delivery hold


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    rule_id: int | None = None


@dataclass(frozen=True)
class Decision:
    reasons: tuple[Reason, ...] = ()
    released_by: int | None = None   # an exclusion rule with "release sales order"

    @property
    def held(self) -> bool:
        return bool(self.reasons)

    @property
    def summary(self) -> str:
        if not self.reasons:
            return "passed"
        return self.reasons[0].text if len(self.reasons) == 1 else "Multiple"

    @property
    def detail(self) -> str:
        """Every reason, for the person who posted (the hold list says "Multiple")."""
        if len(self.reasons) < 2:
            return self.summary
        return "Multiple: " + "; ".join(r.text for r in self.reasons)


def applies(rule: Rule, facts: Facts) -> bool:
    if rule.scope == "customer" and rule.customer_id != facts.customer_id:
        return False
    if rule.scope == "group" and (facts.group_id is None or rule.group_id != facts.group_id):
        return False
    return rule.risk_group_id is None or rule.risk_group_id == facts.risk_group_id


def _max_use(facts: Facts) -> Decimal | None:
    return max((u for _, u in facts.uses), default=None)


def triggered(rule: Rule, facts: Facts) -> bool:
    """Whether the rule's condition is met: a blocking rule holds the order when it is; an
    exclusion excludes when the customer stays within it (see ``excludes``)."""
    t, value = rule.rule_type, rule.value if rule.value is not None else ZERO
    if t == DAYS_OVERDUE:
        if rule.value_type == "amount":
            return facts.overdue_amount > value
        return facts.days_overdue > value
    if t == ACCOUNT_STATUS:
        return (facts.account_status_id is not None
                and facts.account_status_id == rule.account_status_id)
    if t == TERMS:
        return facts.terms_id is not None and facts.terms_id == rule.payment_terms_id
    if t == LIMIT_EXPIRED:
        if facts.limit_expires is None:
            return not facts.ignore_blank_expiry
        return facts.as_of > facts.limit_expires + timedelta(days=int(value))
    if t == OVERDUE_AMOUNT:
        if rule.value_type == "percent":
            if facts.limit is None:
                return False
            over = facts.overdue_amount > facts.limit * value / HUNDRED
        else:
            over = facts.overdue_amount > value
        used = _max_use(facts)
        threshold_passed = (rule.limit_threshold is None
                            or (used is not None and used > rule.limit_threshold))
        return over and threshold_passed
    if t == ORDER_AMOUNT:
        return facts.order_amount > value
    if t == LIMIT_USED:
        used = _max_use(facts)
        return facts.check_limit_used and used is not None and used > (
            rule.value if rule.value is not None else HUNDRED)
    raise ValueError(f"unknown rule type {t}")


def excludes(rule: Rule, facts: Facts) -> bool:
    """An exclusion of a status or terms excludes the customer or order that matches it; an
    exclusion with a threshold excludes the ones within it ('exclude these customers while
    under 100 days overdue')."""
    if rule.rule_type in (ACCOUNT_STATUS, TERMS):
        return triggered(rule, facts)
    return not triggered(rule, facts)


def _amount(value: Decimal) -> str:
    """An amount for a person in a reason: 321,125.00 (the accounting currency's own)."""
    return f"{value:,.2f}"


def _reason(rule: Rule, facts: Facts) -> Reason:
    t = rule.rule_type
    value = rule.value if rule.value is not None else ZERO
    if t == DAYS_OVERDUE:
        text = (f"Overdue amount {_amount(facts.overdue_amount)} is over {_amount(value)}"
                if rule.value_type == "amount" else
                f"Oldest open item overdue {facts.days_overdue} days (more than {value:.0f})")
    elif t == ACCOUNT_STATUS:
        text = f"Account status {facts.account_status}"
    elif t == TERMS:
        text = f"Terms of payment {facts.terms}"
    elif t == LIMIT_EXPIRED:
        text = ("Credit limit has no expiry date" if facts.limit_expires is None
                else f"Credit limit expired on {facts.limit_expires}")
    elif t == OVERDUE_AMOUNT:
        text = (f"Overdue amount {_amount(facts.overdue_amount)} with {shown(_max_use(facts))} % "
                f"of the "
                f"limit used")
    elif t == ORDER_AMOUNT:
        text = f"Order amount {_amount(facts.order_amount)} is over {_amount(value)}"
    else:
        worst = max(facts.uses, key=lambda u: u[1])
        limit = rule.value if rule.value is not None else HUNDRED
        text = (f"{shown(worst[1])} % of the {worst[0]} credit limit used (more than "
                f"{limit:.0f} %)")
    return Reason(t, text, rule.id)


def evaluate(rules: Iterable[Rule], facts: Facts) -> Decision:
    """The documented order: (1) an exclusion with 'release sales order' that holds releases
    the order, nothing else is checked; (2) per rule type and value type, the most specific
    level with blocking rules decides (Table → Group → All); (3) a firing blocking rule is
    overridden only by an exclusion of the same type and value type at a more specific level (an
    exclusion at the same level, or with another value type, does not override it); then an
    account status that holds invoicing or all processing, and the parameter checks: terms or
    cash discount ranked above the customer's default."""
    applicable = [r for r in rules if applies(r, facts)]
    for rule in sorted(applicable, key=lambda r: (LEVEL[r.scope], r.id)):
        if rule.kind == EXCLUSION and rule.release_order and excludes(rule, facts):
            return Decision(released_by=rule.id)
    reasons: list[Reason] = []
    for rule_type in RULE_TYPES:
        blocking = [r for r in applicable if r.kind == BLOCKING and r.rule_type == rule_type]
        exclusions = [r for r in applicable
                      if r.kind == EXCLUSION and r.rule_type == rule_type]
        reason = None
        # a more specific level shadows the less specific ones of the same value type only: a
        # customer's "50 % of the limit overdue" does not switch off everyone's "10,000 overdue"
        for value_type in sorted({r.value_type for r in blocking}):
            same = [r for r in blocking if r.value_type == value_type]
            level = min(LEVEL[r.scope] for r in same)
            for rule in sorted((r for r in same if LEVEL[r.scope] == level), key=lambda r: r.id):
                if not triggered(rule, facts):
                    continue
                if any(LEVEL[e.scope] < level and e.value_type == rule.value_type
                       and excludes(e, facts) for e in exclusions):
                    continue
                reason = reason or _reason(rule, facts)
                break
        if reason is not None:
            reasons.append(reason)
    if facts.status_hold == "all" or (facts.status_hold == "invoicing"
                                      and facts.step == "invoice"):
        reasons.append(Reason(STATUS_HOLD, f"Account status {facts.account_status} holds "
                              + ("all processing" if facts.status_hold == "all"
                                 else "invoicing")))
    if (facts.check_terms_increase and facts.terms_rank is not None
            and facts.customer_terms_rank is not None
            and facts.terms_rank > facts.customer_terms_rank):
        reasons.append(Reason(TERMS_INCREASED, f"Terms of payment {facts.terms} rank above the "
                              "customer's default terms"))
    if (facts.check_discount_increase and facts.discount_rank is not None
            and facts.customer_discount_rank is not None
            and facts.discount_rank > facts.customer_discount_rank):
        reasons.append(Reason(DISCOUNT_INCREASED, f"Settlement discount {facts.discount} ranks "
                              "above the customer's default discount"))
    return Decision(reasons=tuple(reasons))


# --- checkpoints --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Checkpoint:
    step: str
    on_posting: bool = False
    on_pro_forma: bool = False
    grace_days: int = 0


def checkpoint_problem(checkpoints: Sequence[Checkpoint]) -> str | None:
    """Grace days are all-or-none: if one posting checkpoint has them, every checkpoint
    marked for posting must; and only a posting checkpoint may have them."""
    for c in checkpoints:
        if c.grace_days and not c.on_posting:
            return f"{c.step}: grace days need the posting checkpoint"
    posting = [c for c in checkpoints if c.on_posting]
    if any(c.grace_days for c in posting) and not all(c.grace_days for c in posting):
        missing = ", ".join(c.step for c in posting if not c.grace_days)
        return f"grace days are all or none: give {missing} grace days too, or none any"
    return None


def check_needed(checkpoint: Checkpoint | None, *, pro_forma: bool, grace_until: date | None,
                 as_of: date) -> tuple[bool, str]:
    """Whether the rules run now, and if not, why (for the check log)."""
    if checkpoint is None or not (checkpoint.on_pro_forma if pro_forma else checkpoint.on_posting):
        return False, "no checkpoint at this step"
    if not pro_forma and grace_until is not None and as_of <= grace_until:
        return False, f"within grace days until {grace_until}"
    return True, ""


def grace_until(checkpoint: Checkpoint, passed_on: date) -> date | None:
    """Confirmed on day 1 with 2 grace days: the next step is not checked again until day 4."""
    return passed_on + timedelta(days=checkpoint.grace_days) if checkpoint.grace_days else None


# --- statistics and risk --------------------------------------------------------------------------

def window_days(as_of: date, months: int, customer_since: date | None = None) -> int:
    """The days in the window back from ``as_of``: 365 (or 366) for 12 months, 183 for 6;
    shorter when the customer is younger than the window."""
    start = add_months(as_of, -months)
    if customer_since is not None and customer_since > start:
        start = customer_since
    return max((as_of - start).days, 0)


def dso(balance: Decimal, credit_sales: Decimal, days: int) -> Decimal | None:
    """(Outstanding balance ÷ credit sales in the window) × days in the window: 50,000 over
    150,000 is 121.67 for 12 months and 61.00 for 6. None without sales."""
    if credit_sales <= 0:
        return None
    return (balance / credit_sales * days).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class ScoreLine:
    score: Decimal
    low: Decimal | None = None
    high: Decimal | None = None
    value: str = ""


def score(score_type: str, lines: Sequence[ScoreLine], measured: Decimal | str | None) -> Decimal:
    """The score of the first line that the measured value falls in (ranges: low ≤ v ≤ high,
    an open end unbounded) or equals (values, case-insensitive); 0 when none does."""
    if measured is None or measured == "":
        return ZERO
    for line in lines:
        if score_type == "range":
            try:
                v = Decimal(str(measured))
            except ArithmeticError:
                return ZERO
            if (line.low is None or v >= line.low) and (line.high is None or v <= line.high):
                return line.score
        elif str(measured).strip().casefold() == line.value.strip().casefold():
            return line.score
    return ZERO


def risk_group_for(total: Decimal, groups: Sequence[tuple[int, Decimal, Decimal]]) -> int | None:
    """The risk group whose score range holds the total."""
    return next((gid for gid, low, high in groups if low <= total <= high), None)


def compare(measured: Decimal | str | None, operator: str, value: str) -> bool:
    if measured is None or measured == "":
        return False
    try:
        left, right = Decimal(str(measured)), Decimal(value)
    except ArithmeticError:
        left, right = str(measured).strip().casefold(), value.strip().casefold()
        if operator not in ("=",):
            return False
    return {">=": left >= right, ">": left > right, "=": left == right,
            "<=": left <= right, "<": left < right}[operator]


@dataclass(frozen=True)
class LimitLine:
    group_id: int
    operator: str
    value: str
    credit_limit: Decimal


def automatic_limit(lines: Sequence[LimitLine], measured: dict[int, Decimal | str | None],
                    *, revenue: Decimal | None, max_revenue: Decimal | None) -> Decimal | None:
    """The automatic credit limit for a customer of the rule's risk group: the highest limit
    among the lines whose condition holds (in business ≥ 5 years → 100,000, ≥ 10 years →
    200,000 gives 200,000 to a 12-year-old company); none when the customer's revenue is
    above the rule's cap, or unknown while there is a cap."""
    if max_revenue is not None and (revenue is None or revenue > max_revenue):
        return None
    matching = [line.credit_limit for line in lines
                if compare(measured.get(line.group_id), line.operator, line.value)]
    return max(matching, default=None)


# --- adjustments ---------------------------------------------------------------------------------

def adjusted_limit(current: Decimal, value: Decimal, value_type: str,
                   round_off: Decimal | None = None, rounding: str = "nearest") -> Decimal:
    """A generated adjustment: the current limit plus a fixed value or a percentage (positive
    raises, negative lowers), rounded to a multiple of ``round_off`` up, down or to the
    nearest; never below zero."""
    new = current + value if value_type == "fixed" else current * (HUNDRED + value) / HUNDRED
    if round_off and round_off > 0:
        mode = {"up": ROUND_CEILING, "down": ROUND_FLOOR}.get(rounding, ROUND_HALF_UP)
        new = (new / round_off).quantize(Decimal(1), mode) * round_off
    return max(new.quantize(CENT, ROUND_HALF_UP), ZERO)


@dataclass(frozen=True)
class Window:
    start: date | None
    end: date


def adjusted_dates(current: Window, *, method: str, new_from: date | None, new_to: date | None,
                   from_days: int = 0, to_days: int = 0) -> Window:
    """Absolute: the new dates as given. Relative: the offsets added to the current dates."""
    if method == "absolute":
        if new_to is None:
            raise ValueError("new_to is required")
        return Window(new_from, new_to)
    start = current.start + timedelta(days=from_days) if current.start else new_from
    return Window(start, current.end + timedelta(days=to_days))

