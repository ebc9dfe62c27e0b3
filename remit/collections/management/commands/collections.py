"""``remit collections``: age customer balances (the aging snapshot)."""

from datetime import date
from typing import Annotated

import typer
from django.core.management.base import CommandError
from django.utils import timezone
from django_typer.management import TyperCommand, command
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from remit.collections.services import definition_for, snapshot_create
from remit.core.actor import Actor
from remit.core.exceptions import DomainError
from remit.core.models import LegalEntity


class Command(TyperCommand):
    help = "Collections: aging snapshots."

    @command(help="Age customer balances as of a date (one set-based pass over the open items).")
    def snapshot(
        self,
        entity: Annotated[list[str] | None, typer.Option(help="Legal entity (repeatable; "
                                                               "default: all).")] = None,
        definition: Annotated[str | None, typer.Option(help="Aging period definition code "
                                                            "(default: the entity's).")] = None,
        as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
    ):
        try:
            on = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
        entities = (list(LegalEntity.objects.filter(code__in=[e.upper() for e in entity]))
                    if entity else list(LegalEntity.objects.all()))
        if entity and len(entities) != len(set(entity)):
            raise CommandError("--entity: unknown legal entity")
        console = Console()
        for legal_entity in entities:
            with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                          console=console, transient=True) as bar:
                bar.add_task(f"aging {legal_entity.code}")
                try:
                    snapshot = snapshot_create(
                        legal_entity=legal_entity, as_of=on,
                        definition=definition_for(legal_entity, definition), actor=Actor.cli())
                except DomainError as exc:
                    raise CommandError(exc.message) from None
            console.print(f"{legal_entity.code}: {snapshot.customers} customers aged as of {on} "
                          f"({snapshot.definition.code}) in {snapshot.seconds} s")

    @command(help="The aging period definitions of a legal entity and their periods.")
    def definitions(self, entity: Annotated[str, typer.Option(help="Legal entity code.")]):
        from rich.table import Table

        from remit.collections.models import AgingPeriodDefinition

        legal_entity = LegalEntity.objects.filter(code=entity.upper()).first()
        if legal_entity is None:
            raise CommandError(f"--entity: no legal entity {entity}")
        table = Table("code", "criteria", "default", "periods")
        for d in AgingPeriodDefinition.objects.filter(legal_entity=legal_entity):
            table.add_row(d.code, d.get_criteria_display(), "yes" if d.is_default else "",
                          ", ".join(f"{p.label} ({p.unit} {p.interval})"
                                    for p in d.periods.all()))
        Console().print(table)
