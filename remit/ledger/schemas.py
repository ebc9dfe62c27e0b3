from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class AccountOut(Schema):
    number: str
    name: str
    account_type: str
    role: str
    is_blocked: bool


class AccountBalanceOut(AccountOut):
    debit_acc: Decimal
    credit_acc: Decimal
    balance_acc: Decimal


class JournalOut(Schema):
    code: str
    name: str
    journal_type: str
    is_active: bool


class LineOut(Schema):
    line_no: int
    account: str = Field(..., alias="account.number")
    account_name: str = Field(..., alias="account.name")
    description: str
    currency: str
    debit: Decimal
    credit: Decimal
    debit_acc: Decimal
    credit_acc: Decimal
    exchange_rate: Decimal


class EntrySummaryOut(Schema):
    id: int
    number: str
    journal: str = Field(..., alias="journal.code")
    entry_date: date
    description: str
    status: str
    source: str
    total_acc: Decimal | None = None


class EntryOut(EntrySummaryOut):
    posted_at: datetime | None
    posted_by: str | None = Field(None, alias="posted_by.username")
    channel: str
    reverses: str | None = Field(None, alias="reverses.number")
    reversed_by: str | None = Field(None, alias="reversal.number")
    checksum: str
    accounting_currency: str = Field(..., alias="legal_entity.accounting_currency")
    lines: list[LineOut]


class LineIn(Schema):
    account: str = Field(..., description="Account number, e.g. 6300")
    debit: Decimal | None = Field(None, description="Amount as a string, e.g. \"100.00\"")
    credit: Decimal | None = None
    currency: str | None = Field(None, description="ISO 4217; default: the entry's currency")
    description: str = ""


class EntryIn(Schema):
    journal: str = Field("GJ", description="Code of a general (daily) journal")
    entry_date: date
    description: str
    currency: str | None = Field(None, description="Default currency of the lines")
    lines: list[LineIn]


class ReverseIn(Schema):
    reversal_date: date
    reason: str


class ViolationOut(Schema):
    check: str
    legal_entity: str
    subject: str
    message: str


class CheckOut(Schema):
    ok: bool
    entries_checked: int
    violations: list[ViolationOut]
