"""``remit import customers|invoices FILE.csv``: bring customers and invoice history over from
another system (see remit/receivables/imports.py for the rules)."""

from pathlib import Path
from typing import Annotated

import typer
from django.core.management.base import CommandError
from django_typer.management import TyperCommand, command
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from remit.core.actor import Actor
from remit.core.exceptions import DomainError
from remit.core.models import LegalEntity
from remit.receivables.imports import import_file, mapping_load, mapping_save, read_csv

EntityOption = Annotated[str | None, typer.Option(
    "--entity", help="Legal entity code (default: the only one, if there is one).")]
MapOption = Annotated[list[str] | None, typer.Option(
    "--map", help="SOURCE_COLUMN=field, repeatable, e.g. --map Kundenr=customer")]
SavedOption = Annotated[str | None, typer.Option("--mapping", help="Use a saved mapping.")]
SaveOption = Annotated[str | None, typer.Option("--save-mapping",
                                                help="Save this mapping under a name.")]
SkipOption = Annotated[bool, typer.Option("--skip-bad-rows",
                                          help="Import the good rows and report the bad ones "
                                               "(otherwise a file with bad rows imports "
                                               "nothing).")]


def _entity(code: str | None) -> LegalEntity:
    if code:
        found = LegalEntity.objects.filter(code=code.upper()).first()
        if found is None:
            raise CommandError(f"--entity: no legal entity {code}")
        return found
    entities = list(LegalEntity.objects.all()[:2])
    if len(entities) != 1:
        raise CommandError("--entity is required when there is not exactly one legal entity")
    return entities[0]


def _mapping(pairs: list[str] | None) -> dict[str, str]:
    mapping = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise CommandError(f"--map {pair!r}: write SOURCE_COLUMN=field")
        column, field = pair.split("=", 1)
        mapping[column.strip()] = field.strip()
    return mapping


def _report(console: Console, kind: str, path: Path, result) -> None:
    """The bad rows as a table, then what was imported (or why nothing was)."""
    if result.errors:
        table = Table("line", "column", "problem", title=f"{len(result.errors)} problem(s)")
        for error in result.errors[:200]:
            table.add_row(str(error.line), error.column, error.message)
        console.print(table)
    if not result.committed:
        raise CommandError(f"nothing imported: {len(result.errors)} problem(s) in "
                           f"{path.name}; fix them or use --skip-bad-rows", returncode=1)
    console.print(f"{kind}: {result.created} created, {result.updated} updated, "
                  f"{result.unchanged} already there, {result.skipped} skipped")


class Command(TyperCommand):
    help = ("Import customers, invoice history or leads from CSV (idempotent; bad rows are "
            "reported).")

    def _run(self, kind, file, entity, map_, mapping, save_mapping, skip_bad_rows):
        legal_entity = _entity(entity)
        given = mapping_load(legal_entity, kind, mapping) if mapping else {}
        given.update(_mapping(map_))
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no file {file}")
        content = path.read_bytes()
        console = Console()
        try:
            total = len(read_csv(content)[1])
            with Progress(TextColumn(f"importing {kind}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console, transient=True) as bar:
                task = bar.add_task("rows", total=total)
                result = import_file(legal_entity=legal_entity, kind=kind, file_name=path.name,
                                     content=content, mapping=given,
                                     skip_bad_rows=skip_bad_rows, actor=Actor.cli(),
                                     progress=lambda n: bar.advance(task, n))
            if save_mapping:
                mapping_save(legal_entity=legal_entity, kind=kind, name=save_mapping,
                             mapping=result.batch.mapping, actor=Actor.cli())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        _report(console, kind, path, result)

    @command(help="Customers: account_number, name, group, currency, payment_terms, "
                  "cash_discount_terms, organisation_number, language, customer_since, status, "
                  "contact_name, email, phone, street, postal_code, city, country.")
    def customers(self, file: Annotated[str, typer.Argument(help="CSV file")],
                  entity: EntityOption = None, map_: MapOption = None,
                  mapping: SavedOption = None, save_mapping: SaveOption = None,
                  skip_bad_rows: SkipOption = False):
        self._run("customers", file, entity, map_, mapping, save_mapping, skip_bad_rows)

    @command(help="Leads: ref (the other system's key; required), topic, first_name, "
                  "last_name, company_name, job_title, email, business_phone, mobile_phone, "
                  "address_line1, postal_code, city, country, website, industry, source, "
                  "estimated_value, description.")
    def leads(self, file: Annotated[str, typer.Argument(help="CSV file")],
              entity: EntityOption = None, map_: MapOption = None,
              skip_bad_rows: SkipOption = False,
              allow_duplicates: Annotated[bool, typer.Option(
                  "--allow-duplicates", help="Import rows that may already exist (else they "
                                             "are bad rows).")] = False):
        from remit.crm.imports import import_leads

        legal_entity = _entity(entity)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no file {file}")
        console = Console()
        try:
            result = import_leads(legal_entity=legal_entity, content=path.read_bytes(),
                                  mapping=_mapping(map_), skip_bad_rows=skip_bad_rows,
                                  allow_duplicates=allow_duplicates, actor=Actor.cli())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        _report(console, "leads", path, result)

    @command(help="Invoice history: customer, invoice_number, invoice_date, due_date, amount, "
                  "currency, settled_date, settled_amount, description; any other column is "
                  "kept on the invoice as an attribute.")
    def invoices(self, file: Annotated[str, typer.Argument(help="CSV file")],
                 entity: EntityOption = None, map_: MapOption = None,
                 mapping: SavedOption = None, save_mapping: SaveOption = None,
                 skip_bad_rows: SkipOption = False):
        self._run("invoices", file, entity, map_, mapping, save_mapping, skip_bad_rows)
