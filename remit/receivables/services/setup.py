"""What a new legal entity gets for receivables: a posting profile, number sequences, common
payment and cash discount terms, sales tax codes, a bank account and parameters."""

from __future__ import annotations

from decimal import Decimal

from remit.core import config
from remit.core.models import LegalEntity
from remit.core.sequences import sequence_create
from remit.ledger.models import AccountRole
from remit.ledger.selectors import account_for_role

from ..models import (
    BankAccount,
    CashDiscountPeriod,
    CashDiscountTerms,
    PaymentTerms,
    PostingProfile,
    PostingProfileLine,
    ProfileScope,
    ReceivablesParameters,
    SalesTaxCode,
    TermsMethod,
    WriteOffReason,
)

SEQUENCES = [("invoice", "Free-text invoices", "INV-"),
             ("credit_note", "Credit notes", "CN-"),
             ("payment_journal", "Customer payment journals", "PJ-")]
TERMS = [("N14", "Net 14 days", TermsMethod.NET, 14),
         ("N30", "Net 30 days", TermsMethod.NET, 30),
         ("N60", "Net 60 days", TermsMethod.NET, 60),
         ("EOM30", "End of month + 30 days", TermsMethod.END_OF_MONTH, 30),
         ("COD", "Due on receipt", TermsMethod.ON_RECEIPT, 0)]
DISCOUNTS = [("2/10", "2 % within 10 days", [(10, "2")]),
             ("2/10-1/20", "2 % within 10 days, 1 % within 20 days", [(10, "2"), (20, "1")])]
WRITE_OFF_REASONS = [("BADDEBT", "Bad debt: customer cannot pay"),
                     ("SMALL", "Small balance not worth collecting"),
                     ("DISPUTE", "Dispute settled in the customer's favour")]
TAX_CODES = [("S", "Standard rate", Decimal("25")), ("Z", "Zero rate / exempt", Decimal("0"))]


def receivables_setup_default(*, legal_entity: LegalEntity) -> PostingProfile:
    profile, created = PostingProfile.objects.get_or_create(
        legal_entity=legal_entity, code="GEN", defaults={"name": "General", "is_default": True})
    if created:
        PostingProfileLine.objects.create(
            profile=profile, scope=ProfileScope.ALL,
            receivable_account=account_for_role(legal_entity, AccountRole.RECEIVABLE))
    for code, name, prefix in SEQUENCES:
        sequence_create(legal_entity=legal_entity, code=code, name=name, prefix=prefix)
    terms = {}
    for code, name, method, days in TERMS:
        terms[code], _ = PaymentTerms.objects.get_or_create(
            legal_entity=legal_entity, code=code,
            defaults={"name": name, "method": method, "days": days})
    for code, name, periods in DISCOUNTS:
        discount, made = CashDiscountTerms.objects.get_or_create(
            legal_entity=legal_entity, code=code, defaults={"name": name})
        if made:
            CashDiscountPeriod.objects.bulk_create(
                CashDiscountPeriod(terms=discount, days=d, percent=Decimal(p)) for d, p in periods)
    tax_account = account_for_role(legal_entity, AccountRole.SALES_TAX_PAYABLE)
    taxes = {}
    for code, name, rate in TAX_CODES:
        taxes[code], _ = SalesTaxCode.objects.get_or_create(
            legal_entity=legal_entity, code=code,
            defaults={"name": name, "rate": rate, "account": tax_account})
    BankAccount.objects.get_or_create(
        legal_entity=legal_entity, code="OPER",
        defaults={"name": "Operating account", "currency": legal_entity.accounting_currency,
                  "account": account_for_role(legal_entity, AccountRole.BANK)})
    params, _ = ReceivablesParameters.objects.get_or_create(
        legal_entity=legal_entity,
        defaults={"default_payment_terms": terms["N30"], "default_tax_code": taxes["S"]})
    write_off_reasons_setup_default(legal_entity=legal_entity, params=params)
    return profile


def write_off_reasons_setup_default(*, legal_entity: LegalEntity,
                                    params: ReceivablesParameters | None = None) -> None:
    """The common write-off reasons, 'small balance' the default (also run by a migration
    for legal entities made before write-offs existed)."""
    reasons = {}
    for code, description in WRITE_OFF_REASONS:
        reasons[code], _ = WriteOffReason.objects.get_or_create(
            legal_entity=legal_entity, code=code, defaults={"description": description})
    params = params or parameters_for(legal_entity)
    if params.default_write_off_reason_id is None:
        params.default_write_off_reason = reasons["SMALL"]
        params.save(update_fields=["default_write_off_reason"])


def parameters_for(legal_entity: LegalEntity) -> ReceivablesParameters:
    params, _ = ReceivablesParameters.objects.select_related(
        "default_tax_code", "default_payment_terms").get_or_create(legal_entity=legal_entity)
    return params


def parameters_read(legal_entity: LegalEntity) -> ReceivablesParameters:
    """The parameters for a posting to read (kept while configuration is unchanged, see
    remit.core.config); ``parameters_for`` for one to change."""
    return config.cached(("receivables.params", legal_entity.pk),
                         lambda: parameters_for(legal_entity))
