"""Which column of a file is which field: what the user said, else what the header's name
means in the languages exports are written in (English, Norwegian, Danish, Swedish), and the
role of every other column (kept as an attribute, or ignored). Pure; no Django.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from .formats import FormatProblem

ATTRIBUTE = "attribute"   # kept on the record (invoices: never a model feature until chosen)
IGNORE = "ignore"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = False
    kind: str = "text"        # text | amount | date | int | choice
    synonyms: tuple[str, ...] = ()
    help: str = ""
    required_unless: tuple[str, ...] = ()  # required, unless one of these fields is there


def key(name: str) -> str:
    """A header as a comparable key: case, accents of foreign letters, punctuation and spaces
    folded ('Faktura-nr.' → 'fakturanr', 'Beløp (NOK)' → 'beløp nok')."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = text.replace("_", " ").replace("-", " ").replace("/", " ")
    text = re.sub(r"[^\w\s]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _keys(f: Field) -> set[str]:
    return {key(f.name), key(f.label), *(key(s) for s in f.synonyms)} | {
        key(f.name).replace(" ", "")} | {key(s).replace(" ", "") for s in f.synonyms}


@dataclass
class Mapping:
    """column → field name, ATTRIBUTE or IGNORE, for every column of the file; and field →
    the value a row takes where the file has none (``--set``: no column, or an empty cell)."""

    columns: dict[str, str]
    constants: dict[str, str] = field(default_factory=dict)
    guessed: list[str] = field(default_factory=list)  # columns mapped by their header's name

    def column_of(self, field_name: str) -> str:
        for column, target in self.columns.items():
            if target == field_name:
                return column
        return field_name if field_name not in self.constants else f"--set {field_name}"

    def fields(self) -> dict[str, str]:
        return {t: c for c, t in self.columns.items() if t not in (ATTRIBUTE, IGNORE)}

    def as_dict(self) -> dict:
        return {"columns": dict(self.columns), "constants": dict(self.constants)}


def resolve(fields: Sequence[Field], header: Sequence[str], given: dict[str, str], *,
            ignore: Sequence[str] = (), constants: dict[str, str] | None = None,
            keeps_attributes: bool = False) -> Mapping:
    """Every column's role. ``given`` (column → field, 'attribute' or 'ignore') wins; other
    columns whose header names a field are mapped to it; the rest are attributes when the kind
    keeps them, else ignored. Refuses a mapping naming a column or field that is not there, two
    columns for one field, and a required field with neither a column nor a constant."""
    by_name = {f.name: f for f in fields}
    constants = dict(constants or {})
    columns: dict[str, str] = {}
    for column, target in given.items():
        if column not in header:
            raise FormatProblem(f"the file has no column {column!r} (it has "
                                f"{', '.join(header)})")
        if target not in by_name and target not in (ATTRIBUTE, IGNORE):
            raise FormatProblem(f"{target!r} is not a field; choose from "
                                f"{', '.join(by_name)}, {ATTRIBUTE} or {IGNORE}")
        columns[column] = target
    for column in ignore:
        if column not in header:
            raise FormatProblem(f"--ignore {column}: the file has no such column")
        columns[column] = IGNORE
    for name in constants:
        if name not in by_name:
            raise FormatProblem(f"--set {name}: not a field; choose from {', '.join(by_name)}")
    taken = {t for t in columns.values() if t not in (ATTRIBUTE, IGNORE)}
    guessed = []
    index = {}
    for f in fields:
        for k in _keys(f):
            index.setdefault(k, f.name)
    for column in header:
        if column in columns:
            continue
        k = key(column)
        name = index.get(k) or index.get(k.replace(" ", ""))
        if name and name not in taken:
            columns[column] = name
            taken.add(name)
            guessed.append(column)
        else:
            columns[column] = ATTRIBUTE if keeps_attributes else IGNORE
    seen: dict[str, str] = {}
    for column in header:
        target = columns[column]
        if target in (ATTRIBUTE, IGNORE):
            continue
        if target in seen:
            raise FormatProblem(f"columns {seen[target]!r} and {column!r} are both mapped to "
                                f"{target}; map one of them elsewhere")
        seen[target] = column
    present = set(seen) | set(constants)
    missing = [f for f in fields if f.required and f.name not in present
               and not any(u in present for u in f.required_unless)]
    if missing:
        first = missing[0]
        alternatives = (f" (or {' or '.join(first.required_unless)})"
                        if first.required_unless else "")
        raise FormatProblem(
            f"no column for {', '.join(f.name for f in missing)}{alternatives}; map a column "
            f"to it (--map COLUMN={first.name}) or give every row one value "
            f"(--set {first.name}=VALUE)")
    return Mapping({c: columns[c] for c in header}, constants, guessed)


def parse_pairs(pairs: Sequence[str], what: str) -> dict[str, str]:
    """'A=b' pairs from the command line (--map, --set)."""
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise FormatProblem(f"{what} {pair!r}: write NAME=VALUE")
        name, value = pair.split("=", 1)
        out[name.strip()] = value.strip()
    return out
