"""Receivables use cases. Each is one transaction; postings go through the ledger's
``journal_entry_post`` in the same transaction as the subledger rows they belong to."""

from .customers import (  # noqa: F401
    AddressSpec,
    ContactSpec,
    customer_create,
    customers_create_bulk,
    customer_update,
    customer_group_create,
    receivable_account_for,
)
from .invoices import (  # noqa: F401
    DEFAULT_TAX,
    INVOICE_SOURCE,
    LineSpec,
    invoice_correction_start,
    invoice_create,
    invoice_draft_delete,
    invoice_issue,
    invoice_lines_replace,
    invoice_post,
)
from .opening import OPENING_BALANCE_SOURCE, opening_balance_post  # noqa: F401
from .payments import (  # noqa: F401
    PAYMENT_SOURCE,
    PaymentSpec,
    payment_journal_enter,
    payment_journal_create,
    payment_journal_post,
    payment_line_add,
    payment_register,
)
from .settlement import (  # noqa: F401
    SETTLEMENT_SOURCE,
    MarkSpec,
    settle,
    settle_automatically,
    settlement_reverse,
)
from .setup import parameters_for, receivables_setup_default  # noqa: F401
from .nsf import NSF_SOURCE, nsf_problem, payment_bounce  # noqa: F401
from .write_off import customer_write_off, write_off_account_for  # noqa: F401
