"""Setting up blocking rules: the checks the database constraints can't say in words — which
value types a rule type takes, that an account or group comes before a risk group, that only
exclusions release orders."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput
from remit.core.money import amount_in_range

from .models import BlockingRule, RuleKind, RuleType, Scope, ValueType

VALUE_TYPES = {
    RuleType.DAYS_OVERDUE: (ValueType.DAYS, ValueType.AMOUNT),  # amount: exclusions only
    RuleType.ACCOUNT_STATUS: (ValueType.NONE,),
    RuleType.TERMS: (ValueType.NONE,),
    RuleType.LIMIT_EXPIRED: (ValueType.DAYS,),
    RuleType.OVERDUE_AMOUNT: (ValueType.AMOUNT, ValueType.PERCENT),
    RuleType.ORDER_AMOUNT: (ValueType.AMOUNT,),
    RuleType.LIMIT_USED: (ValueType.PERCENT,),
}


@transaction.atomic
def blocking_rule_create(*, legal_entity, rule_type: str, scope: str = Scope.ALL,
                         kind: str = RuleKind.BLOCKING, value_type: str | None = None,
                         value: Decimal | None = None, limit_threshold: Decimal | None = None,
                         customer=None, management_group=None, risk_group=None,
                         account_status=None, payment_terms=None, release_order: bool = False,
                         actor: Actor) -> BlockingRule:
    actor.require("credit.add_blockingrule")
    if rule_type not in VALUE_TYPES:
        raise InvalidInput.field("rule_type", f"choose one of {', '.join(RuleType.values)}")
    allowed = VALUE_TYPES[rule_type]
    value_type = value_type or allowed[0]
    if value_type not in allowed:
        raise InvalidInput.field("value_type", f"a {RuleType(rule_type).label} rule takes "
                                 f"{' or '.join(str(v) for v in allowed)}")
    if (rule_type == RuleType.DAYS_OVERDUE and value_type == ValueType.AMOUNT
            and kind != RuleKind.EXCLUSION):
        raise InvalidInput.field("value_type", "only an exclusion measures days overdue as an "
                                 "amount (the customer's total overdue)")
    if value_type != ValueType.NONE and value is None:
        raise InvalidInput.field("value", "give the rule's value")
    if value is not None:
        value = amount_in_range("value", value)
        if value < 0:
            raise InvalidInput.field("value", "cannot be negative")
    if limit_threshold is not None and not 0 <= limit_threshold <= 100_000:
        raise InvalidInput.field("limit_threshold", "a percentage of the credit limit")
    if scope not in Scope.values:
        raise InvalidInput.field("scope", f"choose one of {', '.join(Scope.values)}")
    if scope == Scope.CUSTOMER and customer is None:
        raise InvalidInput.field("customer", "a customer rule names its customer")
    if scope == Scope.GROUP and management_group is None:
        raise InvalidInput.field("management_group", "a group rule names its credit "
                                 "management group")
    if rule_type == RuleType.ACCOUNT_STATUS and account_status is None:
        raise InvalidInput.field("account_status", "name the account status")
    if rule_type == RuleType.TERMS and payment_terms is None:
        raise InvalidInput.field("payment_terms", "name the payment terms")
    if release_order and kind != RuleKind.EXCLUSION:
        raise InvalidInput.field("release_order", "only exclusion rules release orders")
    rule = BlockingRule.objects.create(
        legal_entity=legal_entity, rule_type=rule_type, scope=scope, kind=kind,
        value_type=value_type, value=value, limit_threshold=limit_threshold,
        customer=customer if scope == Scope.CUSTOMER else None,
        management_group=management_group if scope == Scope.GROUP else None,
        risk_group=risk_group, account_status=account_status, payment_terms=payment_terms,
        release_order=release_order)
    audit_record(actor=actor, action="credit.rule.create", obj=rule,
                 data={"rule_type": rule_type, "scope": scope, "kind": kind,
                       "value_type": value_type, "value": value})
    return rule


@transaction.atomic
def blocking_rule_toggle(*, rule: BlockingRule, actor: Actor) -> BlockingRule:
    actor.require("credit.change_blockingrule")
    rule.is_active = not rule.is_active
    rule.save(update_fields=["is_active"])
    audit_record(actor=actor, action="credit.rule.toggle", obj=rule,
                 data={"active": rule.is_active})
    return rule


@transaction.atomic
def checkpoints_save(*, legal_entity, settings: dict[str, tuple[bool, bool, int]],
                     actor: Actor) -> None:
    """All checkpoints of the legal entity at once — {step: (on posting, on pro forma, grace
    days)} — so the all-or-none rule for grace days is checked on the whole set."""
    from . import rules
    from .models import Checkpoint
    from .setup import STEPS

    actor.require("credit.change_blockingrule")
    unknown = set(settings) - set(STEPS)
    if unknown:
        raise InvalidInput.field("step", f"no posting step {sorted(unknown)[0]}")
    rows = {c.step: c for c in Checkpoint.objects.select_for_update()
            .filter(legal_entity=legal_entity)}
    for step, (posting, pro_forma, grace) in settings.items():
        if grace < 0:
            raise InvalidInput.field(("grace_days", step), "cannot be negative")
        row = rows.get(step) or Checkpoint(legal_entity=legal_entity, step=step)
        row.on_posting, row.on_pro_forma, row.grace_days = posting, pro_forma, grace
        rows[step] = row
    problem = rules.checkpoint_problem([rules.Checkpoint(c.step, c.on_posting, c.on_pro_forma,
                                                         c.grace_days) for c in rows.values()])
    if problem:
        raise InvalidInput.field("grace_days", problem)
    for row in rows.values():
        row.save()
    audit_record(actor=actor, action="credit.checkpoints.save", legal_entity=legal_entity,
                 data={step: list(values) for step, values in settings.items()})
