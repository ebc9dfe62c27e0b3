"""A file read the way the user's options say: its layout and mapping, its rows as the
kind's fields (constants filled in, other columns kept as attributes), and its formats
decided over the whole file. Shared by the preview and the pipeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings

from remit.core.exceptions import InvalidInput

from . import formats as fmt
from .kinds import ImportKind, Row
from .mapping import ATTRIBUTE, IGNORE, Mapping, resolve
from .reading import Layout, Table, detect

Progress = Callable[[str, int, int | None], None]  # (phase, rows done, rows in all or None)


@dataclass
class Options:
    """What the user said about the file; everything else is detected."""

    columns: dict[str, str] = field(default_factory=dict)   # column → field/attribute/ignore
    ignore: list[str] = field(default_factory=list)
    constants: dict[str, str] = field(default_factory=dict)  # field → value for every row
    date_format: str = ""
    decimal: str = ""
    encoding: str = ""
    separator: str = ""
    sheet: str = ""
    flags: dict = field(default_factory=dict)
    skip_bad_rows: bool = False
    check_only: bool = False  # stop after the check: see every problem, write nothing

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Options:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


def import_folder() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def as_invalid(exc: Exception, where: str = "file") -> InvalidInput:
    return InvalidInput.field(where, str(exc))


def layout_of(path: Path, options: Options) -> Layout:
    try:
        return detect(path, encoding=options.encoding, separator=options.separator,
                      sheet=options.sheet)
    except fmt.FormatProblem as exc:
        raise as_invalid(exc) from None


def mapping_for(kind: ImportKind, header: list[str], options: Options) -> Mapping:
    for name in options.flags:
        if name not in kind.flags:
            raise InvalidInput.field(name, f"{kind.label} imports have no such option"
                                     + (f" (they have {', '.join(kind.flags)})"
                                        if kind.flags else ""))
    try:
        given = {**kind.shape(header), **options.columns}
        return resolve(kind.fields, header, given, ignore=options.ignore,
                       constants=options.constants, keeps_attributes=kind.keeps_attributes)
    except fmt.FormatProblem as exc:
        raise as_invalid(exc, "mapping") from None


class Rows:
    """The file's data rows as ``Row``s: cells picked by the mapping, constants filled in."""

    def __init__(self, table: Table, mapping: Mapping):
        self.table, self.mapping = table, mapping
        self._index = None

    def __iter__(self):
        for line, header, cells in self.table.rows():
            if self._index is None:
                self._index = self._positions(header)
            fields, attributes = self._index
            values = {name: cells[i] for name, i in fields}
            for name, value in self.mapping.constants.items():
                if values.get(name) in ("", None):
                    values[name] = value
            kept = {}
            for column, i in attributes:
                cell = cells[i]
                if cell not in ("", None):
                    text = str(cell).strip()
                    if text:
                        kept[column] = text
            yield Row(line, values, kept)

    def _positions(self, header):
        fields, attributes = [], []
        for i, column in enumerate(header):
            target = self.mapping.columns.get(column, IGNORE)
            if target == ATTRIBUTE:
                attributes.append((column, i))
            elif target != IGNORE:
                fields.append((target, i))
        return fields, attributes


def decide_formats(kind: ImportKind, rows: Rows, options: Options,
                    progress: Progress | None) -> fmt.Formats:
    if not options.decimal or not options.date_format:
        evidence = fmt.Evidence.empty()
        amounts = [f for f in kind.amount_fields if f not in rows.mapping.constants]
        dates = [f for f in kind.date_fields if f not in rows.mapping.constants]
        column = rows.mapping.column_of
        n = 0
        for n, row in enumerate(rows, start=1):
            for name in amounts:
                evidence.amount(row.line, column(name), row.values.get(name))
            for name in dates:
                evidence.date(row.line, column(name), row.values.get(name))
            if progress and n % 10000 == 0:
                progress("reading", n, None)
    else:
        evidence = fmt.Evidence.empty()
    try:
        return fmt.decide(evidence, decimal=options.decimal or None,
                          date_order=options.date_format or None)
    except fmt.FormatProblem as exc:
        raise as_invalid(exc) from None
