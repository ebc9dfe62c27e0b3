"""The first rows of a file as an import would read them, each checked alone: what the page
and the API show while the user maps the columns. Nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from remit.core.actor import Actor
from remit.core.exceptions import InvalidInput
from remit.core.models import LegalEntity

from . import formats as fmt
from .kinds import Context, Row, kind_for, require
from .mapping import Mapping
from .reading import Layout, Table
from .source import Options, Rows, as_invalid, decide_formats, layout_of, mapping_for

PREVIEW_ROWS = 20


@dataclass
class Preview:
    layout: Layout
    header: list[str]
    mapping: Mapping
    formats: fmt.Formats | None
    format_problem: str
    rows: list[dict]  # line, cells, values by field, problems

    def as_dict(self) -> dict:
        return {
            "layout": self.layout.describe(), "header": self.header,
            "mapping": self.mapping.as_dict(), "guessed": self.mapping.guessed,
            "formats": self.formats.describe() if self.formats else [],
            "format_problem": self.format_problem, "rows": self.rows,
        }


def import_preview(*, legal_entity: LegalEntity, kind: str, path: Path,
                   options: Options, actor: Actor, rows: int = PREVIEW_ROWS) -> Preview:
    """The first rows as they would be read with these options: what each column becomes and
    what is wrong with each row (checked alone; the whole file is checked when importing)."""
    handler = kind_for(kind)
    require(handler, actor)
    layout = layout_of(path, options)
    table = Table(path, layout)
    try:
        header = table.header()
    except fmt.FormatProblem as exc:
        raise as_invalid(exc) from None
    mapping = mapping_for(handler, header, options)
    data = Rows(table, mapping)
    problem = ""
    try:
        formats = decide_formats(handler, data, options, None)
    except InvalidInput as exc:
        formats, problem = None, exc.errors[0][1] if exc.errors else exc.message
    shown = []
    raw = {line: dict(zip(header, cells)) for line, cells in table.sample(rows)}
    if formats is not None:
        ctx = Context(legal_entity=legal_entity, actor=actor, formats=formats, mapping=mapping,
                      flags=dict(options.flags), as_of=timezone.localdate())
        handler.start(ctx)
        parsed = []
        for row in data:
            parsed.append((row, handler.parse(ctx, row)))
            if len(parsed) >= rows:
                break
        handler.check_chunk(ctx, [(r, p) for r, p in parsed if not r.problems])
        kinds = {f.name: f.kind for f in handler.fields}
        for row, value in parsed:
            shown.append({"line": row.line, "cells": _texts(raw.get(row.line, {})),
                          "values": {k: _read(ctx, kinds.get(k), row, k)
                                     for k in row.values},
                          "attributes": row.attributes,
                          "problems": [{"column": mapping.column_of(f), "message": m}
                                       for f, m in row.problems]})
    else:
        for line, cells in raw.items():
            shown.append({"line": line, "cells": _texts(cells), "values": {},
                          "attributes": {}, "problems": []})
    return Preview(layout, header, mapping, formats, problem, shown)


def _texts(cells: dict) -> dict[str, str]:
    return {k: _shown(v) for k, v in cells.items()}


def _shown(value) -> str:
    if isinstance(value, float):
        return repr(value)
    return "" if value is None else str(value)


def _read(ctx: Context, kind: str | None, row: Row, name: str) -> str:
    """A cell as remit reads it (a date as a date, an amount as a number), or as it is when it
    cannot be read (the row's problems say why)."""
    probe = Row(row.line, {name: row.values.get(name)}, {})
    if kind == "amount":
        value = ctx.amount(probe, name)
    elif kind == "date":
        value = ctx.date(probe, name)
    else:
        value = None
    return _shown(row.values.get(name)) if value is None else str(value)
