"""``remit rates import FILE`` and ``remit rates list``: exchange rates from a central bank's
file (through the import pipeline, kind ``rates``) and the rates remit holds."""

from __future__ import annotations

from typing import Annotated

import typer
from django.core.management import call_command
from django_typer.management import TyperCommand, command
from rich.console import Console
from rich.table import Table

from remit.core.models import ExchangeRate


class Command(TyperCommand):
    help = "Exchange rates: import a file of them, list them."

    @command(name="import", help="Import rates (date, currency, rate; Norges Bank's and the "
                                 "ECB's CSV read as they are). The same checks, report and "
                                 "restart as every import; see remit import rates --help.")
    def import_(self, file: Annotated[str, typer.Argument(help="CSV or Excel file")],
                entity: Annotated[str | None, typer.Option(
                    "--entity", help="Legal entity whose accounting currency is the default "
                                     "'to' currency.")] = None,
                map_: Annotated[list[str] | None, typer.Option("--map")] = None,
                date_format: Annotated[str, typer.Option("--date-format")] = "",
                decimal: Annotated[str, typer.Option("--decimal")] = "",
                skip_bad_rows: Annotated[bool, typer.Option("--skip-bad-rows")] = False):
        args = ["rates", file]
        if entity:
            args += ["--entity", entity]
        for pair in map_ or []:
            args += ["--map", pair]
        if date_format:
            args += ["--date-format", date_format]
        if decimal:
            args += ["--decimal", decimal]
        if skip_bad_rows:
            args.append("--skip-bad-rows")
        call_command("import", *args, stdout=self.stdout, stderr=self.stderr)

    @command(name="list", help="The newest rates, per pair.")
    def list_rates(self, currency: Annotated[str | None, typer.Option(
                       "--currency", help="Only pairs with this currency.")] = None,
                   limit: Annotated[int, typer.Option("--limit")] = 30):
        rows = ExchangeRate.objects.all()
        if currency:
            code = currency.upper()
            rows = rows.filter(from_currency=code) | rows.filter(to_currency=code)
        table = Table("from", "to", "valid from", "rate")
        for rate in rows.order_by("-valid_from", "from_currency", "to_currency")[:max(1, limit)]:
            table.add_row(rate.from_currency, rate.to_currency, rate.valid_from.isoformat(),
                          f"{rate.rate.normalize():f}")
        Console().print(table)
