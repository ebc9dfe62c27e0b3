"""``remit collections``: age customer balances (the aging snapshot), customer pools and
collections agents."""

from datetime import date
from typing import Annotated

import typer
from django.core.management.base import CommandError
from django.utils import timezone
from django_typer.management import TyperCommand, command
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from remit.collections.models import CustomerPool
from remit.collections.pools import agent_save, pool_customers, pool_save
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
        pool: Annotated[str | None, typer.Option(help="Only this customer pool's customers "
                                                      "(needs one --entity).")] = None,
    ):
        try:
            on = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
        entities = (list(LegalEntity.objects.filter(code__in=[e.upper() for e in entity]))
                    if entity else list(LegalEntity.objects.all()))
        if entity and len(entities) != len(set(entity)):
            raise CommandError("--entity: unknown legal entity")
        if pool and len(entities) != 1:
            raise CommandError("--pool: name the one --entity it belongs to")
        console = Console()
        for legal_entity in entities:
            chosen = None
            if pool:
                chosen = CustomerPool.objects.filter(legal_entity=legal_entity,
                                                     code=pool).first()
                if chosen is None:
                    raise CommandError(f"--pool: {legal_entity.code} has no pool {pool}")
            with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                          console=console, transient=True) as bar:
                bar.add_task(f"aging {legal_entity.code}")
                try:
                    snapshot = snapshot_create(
                        legal_entity=legal_entity, as_of=on, pool=chosen,
                        definition=(definition_for(legal_entity, definition)
                                    if definition or not chosen else None), actor=Actor.cli())
                except DomainError as exc:
                    raise CommandError(exc.message) from None
            console.print(f"{legal_entity.code}: {snapshot.customers} customers "
                          f"{f'of pool {chosen.code} ' if chosen else ''}aged as of {on} "
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
                          ", ".join(f"{p.label} ({p.reach})"
                                    for p in d.periods.all()))
        Console().print(table)


    @command(help="Create or change a customer pool (a saved customer query), and show who "
                  "is in it today.")
    def pool(
        self,
        code: Annotated[str, typer.Argument(help="Pool code.")],
        description: Annotated[str, typer.Argument(help="What the pool is.")],
        entity: Annotated[str, typer.Option(help="Legal entity code.")],
        group: Annotated[list[str] | None, typer.Option(help="Customer group (repeatable).")]
        = None,
        currency: Annotated[list[str] | None, typer.Option(help="Currency (repeatable).")]
        = None,
        country: Annotated[list[str] | None, typer.Option(help="Country (repeatable).")]
        = None,
        min_total_due: Annotated[str | None, typer.Option(help="Total due at least.")] = None,
        min_days_overdue: Annotated[int | None, typer.Option(help="Oldest invoice overdue "
                                                                  "at least (days).")] = None,
        definition: Annotated[str | None, typer.Option(help="Aging definition code.")] = None,
    ):
        from decimal import Decimal, InvalidOperation

        legal_entity = _entity(entity)
        try:
            made = pool_save(
                legal_entity=legal_entity, code=code, description=description,
                groups=group or [], currencies=currency or [], countries=country or [],
                min_total_due=Decimal(min_total_due) if min_total_due else None,
                min_days_overdue=min_days_overdue,
                aging_definition=definition_for(legal_entity, definition) if definition
                else None, actor=Actor.cli())
        except InvalidOperation:
            raise CommandError(f"--min-total-due: {min_total_due!r} is not an amount") from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        count = pool_customers(made, timezone.localdate()).count()
        Console().print(f"{legal_entity.code}: pool {made.code} saved; {count} customers in it "
                        "today")

    @command(help="Make a user a collections agent: the pools they work and their default.")
    def agent(
        self,
        username: Annotated[str, typer.Argument(help="The user.")],
        entity: Annotated[str, typer.Option(help="Legal entity code.")],
        pool: Annotated[list[str] | None, typer.Option(help="Pool code (repeatable).")] = None,
        default_pool: Annotated[str | None, typer.Option(help="Default pool code.")] = None,
        all_pools: Annotated[bool, typer.Option(help="May view every pool.")] = False,
    ):
        from django.contrib.auth import get_user_model

        legal_entity = _entity(entity)
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username}")
        pools = {p.code: p for p in CustomerPool.objects.filter(legal_entity=legal_entity)}
        unknown = [p for p in (pool or []) + ([default_pool] if default_pool else [])
                   if p not in pools]
        if unknown:
            raise CommandError(f"--pool: {legal_entity.code} has no pool {unknown[0]}")
        try:
            agent = agent_save(legal_entity=legal_entity, user=user,
                               pools=[pools[p] for p in pool or []],
                               default_pool=pools.get(default_pool) if default_pool else None,
                               view_all_pools=all_pools, actor=Actor.cli())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        Console().print(f"{user.username} works collections in {legal_entity.code} "
                        f"(team {agent.team.name}; pools: "
                        f"{', '.join(pool or []) or 'all'})")


    @command(help="Create interest notes up to a date for every customer with an interest "
                  "code (and post them with --post).")
    def interest(
        self,
        entity: Annotated[str, typer.Option(help="Legal entity code.")],
        to: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
        post: Annotated[bool, typer.Option(help="Post the notes created.")] = False,
        recalculate: Annotated[bool, typer.Option(help="Cancel unposted notes and work "
                                                       "their interest out again.")] = False,
    ):
        from remit.collections.interest import interest_note_post, interest_notes_create

        legal_entity = _entity(entity)
        try:
            on = date.fromisoformat(to) if to else timezone.localdate()
        except ValueError:
            raise CommandError(f"--to: {to!r} is not a date (YYYY-MM-DD)") from None
        try:
            notes = interest_notes_create(legal_entity=legal_entity, to=on,
                                          recalculate=recalculate, actor=Actor.cli())
            if post:
                notes = [interest_note_post(note=n, actor=Actor.cli()) for n in notes]
        except DomainError as exc:
            raise CommandError(exc.message) from None
        totals: dict[str, object] = {}
        for note in notes:
            totals[note.currency] = totals.get(note.currency, 0) + note.total
        Console().print(f"{legal_entity.code}: {len(notes)} interest note(s) "
                        f"{'posted' if post else 'created'} up to {on}"
                        + "".join(f"; {amount:f} {cur}" for cur, amount in totals.items()))


    @command(help="Create the collection letters due on a date (and post them with --post).")
    def letters(
        self,
        entity: Annotated[str, typer.Option(help="Legal entity code.")],
        on: Annotated[str | None, typer.Option(help="Letter date, YYYY-MM-DD (default "
                                                    "today).")] = None,
        post: Annotated[bool, typer.Option(help="Post the letters created.")] = False,
    ):
        from remit.collections.letters import letter_post, letters_create

        legal_entity = _entity(entity)
        try:
            day = date.fromisoformat(on) if on else timezone.localdate()
        except ValueError:
            raise CommandError(f"--on: {on!r} is not a date (YYYY-MM-DD)") from None
        try:
            made = letters_create(legal_entity=legal_entity, on=day, actor=Actor.cli())
            if post:
                made = [letter_post(letter=x, actor=Actor.cli()) for x in made]
        except DomainError as exc:
            raise CommandError(exc.message) from None
        Console().print(f"{legal_entity.code}: {len(made)} collection letter(s) "
                        f"{'posted' if post else 'created'} on {day}")


    @command(help="Run the collections processes as of a date (once a day per customer; the "
                  "daily job does this at 06:00).")
    def automate(
        self,
        entity: Annotated[str, typer.Option(help="Legal entity code.")],
        on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
    ):
        from remit.collections.automation import automation_run

        legal_entity = _entity(entity)
        try:
            day = date.fromisoformat(on) if on else timezone.localdate()
        except ValueError:
            raise CommandError(f"--on: {on!r} is not a date (YYYY-MM-DD)") from None
        runs = automation_run(legal_entity=legal_entity, on=day, actor=Actor.cli())
        console = Console()
        for run in runs:
            console.print(f"{run.customer.account_number} {run.step.description}: "
                          f"{run.outcome}")
        console.print(f"{legal_entity.code}: {len(runs)} automated step(s) on {day}")


def _entity(code: str) -> LegalEntity:
    found = LegalEntity.objects.filter(code=code.upper()).first()
    if found is None:
        raise CommandError(f"--entity: no legal entity {code}")
    return found
