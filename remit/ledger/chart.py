"""The chart of accounts and journals a new legal entity starts with (NS 4102-style numbers).

Every role remit posts to has an account, so a fresh company can take invoices, payments,
discounts, write-offs, interest and exchange differences on day one; a company renames or
renumbers them in the admin.
"""

from .models import AccountRole as R
from .models import AccountType as T
from .models import JournalType as J

DEFAULT_CHART = [
    ("1500", "Accounts receivable", T.ASSET, R.RECEIVABLE),
    ("1510", "Accounts receivable, foreign customers", T.ASSET, ""),
    ("1530", "Intercompany receivables (due from)", T.ASSET, R.INTERCOMPANY_DUE_FROM),
    ("1920", "Bank, operating account", T.ASSET, R.BANK),
    ("1925", "Bank, currency account", T.ASSET, ""),
    ("1990", "Suspense", T.ASSET, R.SUSPENSE),
    ("2050", "Opening balance equity", T.EQUITY, R.OPENING_BALANCE),
    ("2380", "Intercompany payables (due to)", T.LIABILITY, R.INTERCOMPANY_DUE_TO),
    ("2400", "Accounts payable", T.LIABILITY, ""),
    ("2700", "Sales tax payable", T.LIABILITY, R.SALES_TAX_PAYABLE),
    ("3000", "Sales revenue", T.REVENUE, R.REVENUE),
    ("3100", "Sales revenue, exempt", T.REVENUE, ""),
    ("3080", "Cash discounts given", T.REVENUE, R.CASH_DISCOUNT),
    ("3900", "Fee income", T.REVENUE, R.FEE_INCOME),
    ("6300", "Rent", T.EXPENSE, ""),
    ("6800", "Office supplies", T.EXPENSE, ""),
    ("7770", "Bank fees", T.EXPENSE, R.BANK_FEES),
    ("7795", "Penny differences", T.EXPENSE, R.PENNY_DIFFERENCE),
    ("7830", "Bad debt write-offs", T.EXPENSE, R.WRITE_OFF),
    ("8050", "Interest income", T.REVENUE, R.INTEREST_INCOME),
    ("8060", "Realized exchange gains", T.REVENUE, R.EXCHANGE_GAIN),
    ("8160", "Realized exchange losses", T.EXPENSE, R.EXCHANGE_LOSS),
]

DEFAULT_JOURNALS = [
    ("GJ", "General journal", J.DAILY, "GJ-"),
    ("CP", "Customer payments", J.CUSTOMER_PAYMENT, "CP-"),
    ("SI", "Sales invoices and credit notes", J.SALES, "SI-"),
    ("IN", "Interest and fees", J.INTEREST, "IN-"),
    ("OB", "Opening balances", J.OPENING, "OB-"),
]
