"""A new legal entity's credit management: parameters, the four checkpoints, the reasons and
the one blocking rule that makes a credit limit mean something out of the box."""

from __future__ import annotations

from remit.core import config
from remit.core.models import LegalEntity
from remit.core.sequences import sequence_create
from remit.receivables.models import Customer

from .models import (
    BlockingRule,
    Checkpoint,
    CreditParameters,
    CreditReason,
    CustomerCredit,
    ReasonType,
    RuleKind,
    RuleType,
    Scope,
    ValueType,
)

ADJUSTMENT_SEQUENCE = "credit_adjustment"
STEPS = ("confirmation", "picking", "packing_slip", "invoice")
DEFAULT_CHECKED = ("confirmation", "packing_slip", "invoice")
DEFAULT_REASONS = [
    (ReasonType.HOLD, "REVIEW", "Held for credit review"),
    (ReasonType.HOLD, "FORCED", "Forced hold by credit management"),
    (ReasonType.RELEASE, "APPROVED", "Credit approved by the credit manager"),
    (ReasonType.RELEASE, "PAID", "Customer paid the overdue invoices"),
    (ReasonType.RELEASE, "PREPAID", "Order prepaid"),
    (ReasonType.RELEASE, "AUTO", "Released automatically: no reason applies any more"),
    (ReasonType.RELEASE, "REJECTED", "Rejected by credit management"),
    (ReasonType.STATUS, "CLOSED", "Account closed"),
    (ReasonType.STATUS, "LEGAL", "With legal / collection agency"),
]


def credit_setup_default(*, legal_entity: LegalEntity) -> None:
    CreditParameters.objects.get_or_create(legal_entity=legal_entity)
    for step in STEPS:
        Checkpoint.objects.get_or_create(legal_entity=legal_entity, step=step,
                                         defaults={"on_posting": step in DEFAULT_CHECKED})
    for kind, code, description in DEFAULT_REASONS:
        CreditReason.objects.get_or_create(legal_entity=legal_entity, kind=kind, code=code,
                                           defaults={"description": description})
    if not BlockingRule.objects.filter(legal_entity=legal_entity).exists():
        BlockingRule.objects.create(legal_entity=legal_entity, rule_type=RuleType.LIMIT_USED,
                                    scope=Scope.ALL, kind=RuleKind.BLOCKING,
                                    value_type=ValueType.PERCENT, value=100)
    sequence_create(legal_entity=legal_entity, code=ADJUSTMENT_SEQUENCE,
                    name="Credit limit adjustments", prefix="CLA-")
    sequence_create(legal_entity=legal_entity, code="sales_order", name="Sales orders",
                    prefix="SO-")


def parameters_for(legal_entity: LegalEntity) -> CreditParameters:
    params, _ = CreditParameters.objects.get_or_create(legal_entity=legal_entity)
    return params


def parameters_read(legal_entity: LegalEntity) -> CreditParameters:
    """The parameters for a check to read (kept while configuration is unchanged, see
    remit.core.config); ``parameters_for`` for one to change."""
    return config.cached(("credit.params", legal_entity.pk),
                         lambda: parameters_for(legal_entity))


def credit_for(customer: Customer) -> CustomerCredit:
    """The customer's credit record as stored now (made on first use: a new customer has no
    credit, 0). Read afresh each time: adjustments change it behind any cached instance."""
    record, _ = (CustomerCredit.objects
                 .select_related("credit_group", "account_status", "management_group",
                                 "risk_group")
                 .get_or_create(customer=customer,
                                defaults={"legal_entity_id": customer.legal_entity_id}))
    record.customer = customer  # the caller's instance, with what it has loaded already
    return record


def reason(legal_entity: LegalEntity, kind: str, code: str) -> CreditReason:
    return CreditReason.objects.get(legal_entity=legal_entity, kind=kind, code=code)
