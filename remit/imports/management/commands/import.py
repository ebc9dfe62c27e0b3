"""``remit import customers|invoices|leads|rates FILE``: bring another system's data in through
the one import pipeline (remit/imports/pipeline.py). ``remit import runs`` lists the recorded
runs; an import killed half-way is resumed by running the same command again."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated

import typer
from django.core.management.base import CommandError
from django_typer.management import TyperCommand, command
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from remit.core.actor import Actor
from remit.core.cells import csv_row
from remit.core.command_args import legal_entity_option
from remit.core.exceptions import DomainError
from remit.core.models import LegalEntity
from remit.imports import services
from remit.imports.formats import FormatProblem
from remit.imports.mapping import parse_pairs
from remit.imports.models import ImportRun, RunStatus
from remit.imports.pipeline import Options

EntityOption = Annotated[str | None, typer.Option(
    "--entity", help="Legal entity code (default: the only one, if there is one).")]
MapOption = Annotated[list[str] | None, typer.Option(
    "--map", help="COLUMN=field (or =attribute, =ignore), repeatable: --map Kundenr=customer")]
IgnoreOption = Annotated[list[str] | None, typer.Option(
    "--ignore", help="A column to leave out, repeatable.")]
SetOption = Annotated[list[str] | None, typer.Option(
    "--set", help="field=value for every row, for a field the file lacks: --set topic=Import")]
DateOption = Annotated[str, typer.Option(
    "--date-format", help="dmy (31.12.2025), mdy (12/31/2025) or ymd; detected when the "
                          "file says, refused when it does not.")]
DecimalOption = Annotated[str, typer.Option(
    "--decimal", help="The decimal mark, ',' or '.'; detected when the file says.")]
EncodingOption = Annotated[str, typer.Option("--encoding", help="e.g. utf-8, cp1252 "
                                                                "(detected)")]
SeparatorOption = Annotated[str, typer.Option("--separator", help="; , tab or | (detected)")]
SheetOption = Annotated[str, typer.Option("--sheet", help="Excel: the sheet to read (the "
                                                          "first)")]
SavedOption = Annotated[str | None, typer.Option(
    "--mapping", help="Use a saved mapping (columns and formats) by name.")]
SaveOption = Annotated[str | None, typer.Option(
    "--save-mapping", help="Save this file's mapping and formats under a name.")]
SkipOption = Annotated[bool, typer.Option(
    "--skip-bad-rows", help="Import the good rows and report the bad ones (otherwise a file "
                            "with a bad row imports nothing).")]
PreviewOption = Annotated[bool, typer.Option(
    "--preview", help="Show how the first rows read, and write nothing.")]
ReportOption = Annotated[str | None, typer.Option(
    "--report", help="Write every problem to this CSV file (line, column, problem).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the run as JSON.")]


def _entity(code: str | None) -> LegalEntity:
    if code:
        return legal_entity_option(code)
    entities = list(LegalEntity.objects.all()[:2])
    if len(entities) != 1:
        raise CommandError("--entity is required when there is not exactly one legal entity")
    return entities[0]


class Command(TyperCommand):
    help = ("Import customers, invoice history, leads or exchange rates from CSV or Excel: "
            "every row checked first, then posted in batches; idempotent and restartable.")

    def _run(self, kind: str, file: str, entity: str | None, map_, ignore, set_, date_format,
             decimal, encoding, separator, sheet, mapping, save_mapping, skip_bad_rows,
             preview, report, as_json, flags: dict) -> None:
        legal_entity = _entity(entity)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no file {file}")
        actor = Actor.cli()
        console = Console(stderr=as_json)
        try:
            options = Options(columns=parse_pairs(map_ or [], "--map"),
                              ignore=list(ignore or []),
                              constants=parse_pairs(set_ or [], "--set"),
                              date_format=date_format, decimal=decimal, encoding=encoding,
                              separator=separator, sheet=sheet,
                              flags={k: v for k, v in flags.items() if v},
                              skip_bad_rows=skip_bad_rows)
            if mapping:
                options = services.mapping_apply(legal_entity, kind, mapping, options)
            if preview:
                self._preview(console, services.import_preview(
                    legal_entity=legal_entity, kind=kind, path=path, options=options,
                    actor=actor))
                return
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console, transient=True) as bar:
                task = bar.add_task(f"{kind}: reading", total=None)

                def progress(phase: str, done: int, total: int | None) -> None:
                    bar.update(task, description=f"{kind}: {phase}", completed=done,
                               total=total)

                run = services.import_file(legal_entity=legal_entity, kind=kind, path=path,
                                           file_name=path.name, options=options, actor=actor,
                                           progress=progress)
            if save_mapping and run.mapping:
                services.mapping_save(legal_entity=legal_entity, kind=kind, name=save_mapping,
                                      run=run, actor=actor)
        except (DomainError, FormatProblem) as exc:
            raise CommandError(exc.message if isinstance(exc, DomainError) else str(exc)) \
                from None
        self._report(console, run, report, as_json)

    def _preview(self, console: Console, preview) -> None:
        data = preview.as_dict()
        console.print(" · ".join(data["layout"] + data["formats"]))
        if data["format_problem"]:
            console.print(f"[red]{data['format_problem']}[/red]")
        table = Table("column", "becomes", title="Columns")
        for column, target in data["mapping"]["columns"].items():
            table.add_row(column, target + (" (by its name)" if column in data["guessed"]
                                            else ""))
        for name, value in data["mapping"]["constants"].items():
            table.add_row(f"--set {name}", repr(value))
        console.print(table)
        rows = Table("line", "values", "problems", title="First rows")
        for row in data["rows"]:
            rows.add_row(str(row["line"]), ", ".join(f"{k}={v}" for k, v in
                                                     row["values"].items() if v),
                         "; ".join(f"{p['column']}: {p['message']}" for p in row["problems"]))
        console.print(rows)

    def _report(self, console: Console, run: ImportRun, report: str | None,
                as_json: bool) -> None:
        problems = list(run.problem_rows.all()[:200])
        if report:
            with open(report, "w", newline="", encoding="utf-8") as f:
                out = csv.writer(f)
                out.writerow(["line", "column", "problem"])
                for p in run.problem_rows.all().iterator():
                    out.writerow(csv_row([p.line, p.column, p.message]))
        if as_json:
            self.stdout.write(json.dumps(services.run_as_dict(run, problems=200), default=str,
                                         indent=2))
        else:
            if problems:
                table = Table("line", "column", "problem",
                              title=f"{run.problems} problem(s)"
                                    + (" — the first 200" if run.problems > 200 else ""))
                for p in problems:
                    table.add_row(str(p.line) if p.line else "", p.column, p.message)
                console.print(table)
            for line in run.formats.get("described", []) + run.layout.get("described", []):
                console.print(f"[dim]{line}[/dim]")
            for column, info in (run.columns or {}).items():
                if info.get("leak"):
                    console.print(f"[yellow]column {column!r} gives the outcome away "
                                  f"({info['leak']}): kept, never a prediction feature"
                                  "[/yellow]")
        if run.status == RunStatus.INVALID:
            raise CommandError(f"nothing imported: {run.message or 'the file was refused'}"
                               + (" — fix the rows or use --skip-bad-rows" if run.rows else ""),
                               returncode=1)
        if run.status == RunStatus.FAILED:
            raise CommandError(f"stopped: {run.message}", returncode=1)
        if not as_json:
            console.print(f"{run.kind}: {run.created} created, {run.updated} updated, "
                          f"{run.unchanged} already there, {run.skipped} skipped "
                          f"(run {run.pk})")

    @command(help="Customers: account_number, name, group, currency, payment_terms (a code "
                  "or days), terms_days, cash_discount_terms, organisation_number, language, "
                  "customer_since, status, contact_name, email, phone, street, postal_code, "
                  "city, country.")
    def customers(self, file: Annotated[str, typer.Argument(help="CSV or Excel file")],
                  entity: EntityOption = None, map_: MapOption = None,
                  ignore: IgnoreOption = None, set_: SetOption = None,
                  date_format: DateOption = "", decimal: DecimalOption = "",
                  encoding: EncodingOption = "", separator: SeparatorOption = "",
                  sheet: SheetOption = "", mapping: SavedOption = None,
                  save_mapping: SaveOption = None, skip_bad_rows: SkipOption = False,
                  preview: PreviewOption = False, report: ReportOption = None,
                  as_json: JsonOption = False):
        self._run("customers", file, entity, map_, ignore, set_, date_format, decimal,
                  encoding, separator, sheet, mapping, save_mapping, skip_bad_rows, preview,
                  report, as_json, {})

    @command(help="Invoice history: customer, customer_name, invoice_number, invoice_date, "
                  "due_date (or terms_days), amount, currency, document_type, settled_date, "
                  "settled_amount, open_amount, description; any other column is kept on the "
                  "invoice as an attribute (never a prediction feature until chosen).")
    def invoices(self, file: Annotated[str, typer.Argument(help="CSV or Excel file")],
                 entity: EntityOption = None, map_: MapOption = None,
                 ignore: IgnoreOption = None, set_: SetOption = None,
                 date_format: DateOption = "", decimal: DecimalOption = "",
                 encoding: EncodingOption = "", separator: SeparatorOption = "",
                 sheet: SheetOption = "", mapping: SavedOption = None,
                 save_mapping: SaveOption = None, skip_bad_rows: SkipOption = False,
                 preview: PreviewOption = False, report: ReportOption = None,
                 as_json: JsonOption = False,
                 create_customers: Annotated[bool, typer.Option(
                     "--create-customers", help="Create the customers the file names that "
                                                "remit lacks.")] = False):
        self._run("invoices", file, entity, map_, ignore, set_, date_format, decimal,
                  encoding, separator, sheet, mapping, save_mapping, skip_bad_rows, preview,
                  report, as_json, {"create_customers": create_customers})

    @command(help="Leads: ref (the other system's key), topic, first_name, last_name, "
                  "company_name, job_title, email, business_phone, mobile_phone, "
                  "address_line1, postal_code, city, country, website, industry, source, "
                  "estimated_value, currency, description, status, status_reason.")
    def leads(self, file: Annotated[str, typer.Argument(help="CSV or Excel file")],
              entity: EntityOption = None, map_: MapOption = None,
              ignore: IgnoreOption = None, set_: SetOption = None,
              date_format: DateOption = "", decimal: DecimalOption = "",
              encoding: EncodingOption = "", separator: SeparatorOption = "",
              sheet: SheetOption = "", mapping: SavedOption = None,
              save_mapping: SaveOption = None, skip_bad_rows: SkipOption = False,
              preview: PreviewOption = False, report: ReportOption = None,
              as_json: JsonOption = False,
              allow_duplicates: Annotated[bool, typer.Option(
                  "--allow-duplicates", help="Import rows that may already exist (else they "
                                             "are bad rows).")] = False):
        self._run("leads", file, entity, map_, ignore, set_, date_format, decimal, encoding,
                  separator, sheet, mapping, save_mapping, skip_bad_rows, preview, report,
                  as_json, {"allow_duplicates": allow_duplicates})

    @command(help="Exchange rates: date, currency, rate (units of to_currency, default the "
                  "accounting currency, per unit — or per 'units'), to_currency, units, "
                  "unit_multiplier. Reads Norges Bank's and the ECB's CSV as they are.")
    def rates(self, file: Annotated[str, typer.Argument(help="CSV or Excel file")],
              entity: EntityOption = None, map_: MapOption = None,
              ignore: IgnoreOption = None, set_: SetOption = None,
              date_format: DateOption = "", decimal: DecimalOption = "",
              encoding: EncodingOption = "", separator: SeparatorOption = "",
              sheet: SheetOption = "", mapping: SavedOption = None,
              save_mapping: SaveOption = None, skip_bad_rows: SkipOption = False,
              preview: PreviewOption = False, report: ReportOption = None,
              as_json: JsonOption = False):
        self._run("rates", file, entity, map_, ignore, set_, date_format, decimal, encoding,
                  separator, sheet, mapping, save_mapping, skip_bad_rows, preview, report,
                  as_json, {})

    @command(help="The recorded import runs, newest first.")
    def runs(self, entity: EntityOption = None,
             limit: Annotated[int, typer.Option("--limit")] = 20):
        legal_entity = _entity(entity)
        table = Table("run", "when", "what", "file", "status", "rows", "created", "updated",
                      "there", "skipped", "problems")
        for run in ImportRun.objects.filter(legal_entity=legal_entity)[:max(1, limit)]:
            table.add_row(str(run.pk), f"{run.created_at:%Y-%m-%d %H:%M}", run.kind,
                          run.file_name, run.get_status_display(), str(run.rows),
                          str(run.created), str(run.updated), str(run.unchanged),
                          str(run.skipped), str(run.problems))
        Console().print(table)
