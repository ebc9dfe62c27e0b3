"""Receivables models, one module per concept (setup, customers, invoices, payments, and the
customer transactions that are the subledger)."""

from .customers import (  # noqa: F401
    Address,
    AddressPurpose,
    Contact,
    Customer,
    CustomerGroup,
    CustomerStatus,
    PostingProfile,
    PostingProfileLine,
    ProfileScope,
)
from .invoices import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus  # noqa: F401
from .payments import (  # noqa: F401
    JournalStatus,
    PaymentJournal,
    PaymentLine,
    PaymentMark,
    PaymentMethod,
    UseCashDiscount,
)
from .setup import (  # noqa: F401
    BankAccount,
    CashDiscountPeriod,
    CashDiscountTerms,
    DiscountAdministration,
    PaymentTerms,
    ReceivablesParameters,
    SalesTaxCode,
    TermsMethod,
    WriteOffLimit,
    WriteOffReason,
)
from .transactions import (  # noqa: F401
    CashDiscountDate,
    CollectionStatus,
    CustomerTransaction,
    InvoiceAttribute,
    Settlement,
    SettlementKind,
    SettlementLine,
    TransactionKind,
    WriteOffKind,
)
