"""What a new legal entity gets for receivables: a posting profile, number sequences, common
payment and cash discount terms, sales tax codes, a bank account and parameters."""

from __future__ import annotations

from decimal import Decimal

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
    ReceivablesParameters.objects.get_or_create(
        legal_entity=legal_entity,
        defaults={"default_payment_terms": terms["N30"], "default_tax_code": taxes["S"]})
    return profile


def parameters_for(legal_entity: LegalEntity) -> ReceivablesParameters:
    params, _ = ReceivablesParameters.objects.get_or_create(legal_entity=legal_entity)
    return params
