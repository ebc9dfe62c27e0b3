"""What an import of one kind (customers, invoice history, leads, exchange rates...) must say
to the pipeline, and the row it is handed. A kind lives in its own domain package and is named
in settings (``REMIT["IMPORT_KINDS"]``), so the pipeline knows no domain and no domain imports
another's import.

A kind parses a row into its own value (problems are recorded on the row, by field), checks a
chunk of parsed rows against the database in one go, and posts a chunk of good rows in one go
inside the pipeline's transaction. Parsing must be deterministic: the pipeline reads the file
twice (check, then post) and parses each row again rather than hold the file in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from remit.core.actor import Actor
from remit.core.models import LegalEntity

from . import formats as fmt
from .mapping import Field, Mapping


@dataclass
class Row:
    line: int
    values: dict[str, object]      # field → the cell as read (text, or a spreadsheet value)
    attributes: dict[str, str]     # attribute column → text (non-empty only)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, message)

    def bad(self, field_name: str, message: str) -> None:
        self.problems.append((field_name, message))

    def text(self, name: str) -> str:
        value = self.values.get(name, "")
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # an account number typed into a spreadsheet cell
        return str(value).strip()


@dataclass
class Context:
    """What one run knows while it reads: where, who, how the file is written, and a place
    for the kind's own state (lookups read once per run)."""

    legal_entity: LegalEntity
    actor: Actor
    formats: fmt.Formats
    mapping: Mapping
    flags: dict
    as_of: date
    state: dict = field(default_factory=dict)

    # readers that record a problem on the row and return None
    def amount(self, row: Row, name: str, *, places: int | None = None) -> Decimal | None:
        raw = row.values.get(name, "")
        if raw in ("", None):
            return None
        value = fmt.amount_from_cell(raw)
        if not isinstance(value, Decimal):
            try:
                value = fmt.parse_amount(value, self.formats.decimal)
            except fmt.FormatProblem as exc:
                row.bad(name, str(exc))
                return None
        if not value.is_finite():
            row.bad(name, f"{raw!r} is not an amount")
            return None
        if places is not None and value != value.quantize(Decimal(1).scaleb(-places)):
            row.bad(name, f"{raw!r} has more than {places} decimals")
            return None
        return value

    def date(self, row: Row, name: str) -> date | None:
        raw = row.values.get(name, "")
        if raw in ("", None):
            return None
        value = fmt.date_from_cell(raw)
        if isinstance(value, date):
            return value
        try:
            return fmt.parse_date(value, self.formats.date_order)
        except fmt.FormatProblem as exc:
            row.bad(name, str(exc))
            return None

    def integer(self, row: Row, name: str, low: int = 0, high: int = 10**6) -> int | None:
        raw = row.text(name)
        if not raw:
            return None
        try:
            value = int(Decimal(raw.replace(" ", "")))
        except ArithmeticError:
            row.bad(name, f"{raw!r} is not a whole number")
            return None
        if not low <= value <= high or Decimal(raw.replace(" ", "")) != value:
            row.bad(name, f"{raw!r}: a whole number from {low} to {high}")
            return None
        return value


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


class ImportKind:
    """Base of every kind; the defaults do nothing."""

    name = ""
    label = ""
    permission = ""          # what the actor needs besides starting imports
    fields: Sequence[Field] = ()
    keeps_attributes = False
    amount_fields: Sequence[str] = ()  # fields whose values decide the decimal mark
    date_fields: Sequence[str] = ()    # fields whose values decide the date order
    flags: dict[str, str] = {}         # option name → what it does
    constant_example = ""              # a value for every row, as the page suggests it
    max_chunk = 100_000                # a kind that posts row by row says less

    @property
    def chunk_size(self) -> int:
        return max(1, min(settings.REMIT["IMPORT_CHUNK_ROWS"], self.max_chunk))

    def shape(self, header: list[str]) -> dict[str, str]:
        """Columns a known export's header names in its own way (column → field), used before
        the header's words are read; what the user maps still wins."""
        return {}

    def start(self, ctx: Context) -> None:
        """Read what every row needs (reference data) once."""

    def parse(self, ctx: Context, row: Row):
        raise NotImplementedError

    def check_chunk(self, ctx: Context, rows: list[tuple[Row, object]]) -> None:
        """Checks against the database and across rows, for a chunk at once (problems go on
        the rows). Runs once per row, in file order, in the checking pass only."""

    def check_end(self, ctx: Context) -> dict:
        """After the last row: what the kind learnt of the file's columns (shown, stored)."""
        return {}

    def totals(self, ctx: Context, parsed) -> tuple[str, dict[str, Decimal]] | None:
        """(group, {measure: value}) this good row adds to the file's own sums."""
        return None

    def before_posting(self, ctx: Context) -> None:
        """Set-up the posting needs (say, customers named in an invoice file), in its own
        transaction, idempotent: it runs again when a run resumes."""

    def post_chunk(self, ctx: Context, rows: list[tuple[Row, object]]) -> Counts:
        raise NotImplementedError

    def after_posting(self, ctx: Context, run) -> None:
        """Once the last chunk is in (e.g. schedule predictions for what came in)."""


@cache
def _kinds() -> dict[str, type[ImportKind]]:
    return {name: import_string(path) for name, path in settings.REMIT["IMPORT_KINDS"].items()}


def kind_for(name: str) -> ImportKind:
    from remit.core.exceptions import InvalidInput

    kinds = _kinds()
    if name not in kinds:
        raise InvalidInput.field("kind", f"choose one of {', '.join(kinds)}")
    return kinds[name]()


def require(kind: ImportKind, actor: Actor) -> None:
    """Who may import this kind: anyone who starts imports, and what the kind itself asks."""
    actor.require("imports.add_importrun")
    if kind.permission:
        actor.require(kind.permission)


def all_kinds() -> list[ImportKind]:
    return [cls() for cls in _kinds().values()]
