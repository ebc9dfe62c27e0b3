"""``remit demo load``: the demo company the quick start shows."""

from datetime import date
from typing import Annotated

import typer
from django.core.management.base import CommandError
from django.utils import timezone
from django_typer.management import TyperCommand, command
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from remit.core.exceptions import DomainError
from remit.core.money import D
from remit.demo.generator import demo_load, demo_steps


class Command(TyperCommand):
    help = "Demo company: three legal entities, a login per role, customers and their books."

    @command(help="Load the demo company (once) into this database.")
    def load(
        self,
        seed: Annotated[int, typer.Option(help="Random seed; the same seed, the same data.")] = 7,
        as_of: Annotated[str | None, typer.Option(help="Business date YYYY-MM-DD (default today).")] = None,
        scale: Annotated[str, typer.Option(help="Multiply the number of customers, e.g. 0.1 "
                                                "or 20.")] = "1",
    ):
        try:
            on = date.fromisoformat(as_of) if as_of else timezone.localdate()
            factor = D(scale)
        except (ValueError, DomainError):
            raise CommandError("--as-of must be YYYY-MM-DD and --scale a number") from None
        if factor <= 0:
            raise CommandError("--scale must be greater than zero")
        console = Console()
        with Progress(TextColumn("[bold]demo[/bold] {task.description}"), BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task("loading", total=demo_steps(factor))

            def step(label: str, n: int, more: int = 0) -> None:
                if more:
                    bar.update(task, total=bar.tasks[0].total + more)
                bar.update(task, advance=n, description=label)

            try:
                result = demo_load(as_of=on, seed=seed, customers_scale=factor, step=step)
            except DomainError as exc:
                raise CommandError(exc.message) from None
        console.print(f"demo loaded as of {on}: {result.legal_entities} legal entities, "
                      f"{result.users} users, {result.customers} customers, "
                      f"{result.invoices} invoices, {result.payments} payments "
                      f"({result.bounced} bounced), {result.written_off} bad debts written "
                      f"off, {result.open_items} open items today, {result.leads} leads "
                      "in the sales pipeline")

    @command(help="Add benchmark-sized data: many customers with many open invoices "
                  "(bulk-posted, every check kept), e.g. --customers 100000 --open-items 1000000.")
    def scale(
        self,
        customers: Annotated[int, typer.Option(help="Customers to add.")] = 10_000,
        open_items: Annotated[int, typer.Option(help="Open invoices to add.")] = 100_000,
        entity: Annotated[str, typer.Option(help="Legal entity code.")] = "NO01",
        as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
        seed: Annotated[int, typer.Option(help="Random seed.")] = 11,
    ):
        from remit.core.models import LegalEntity
        from remit.demo.scale import demo_scale

        legal_entity = LegalEntity.objects.filter(code=entity.upper()).first()
        if legal_entity is None:
            raise CommandError(f"--entity: no legal entity {entity} (run `remit demo load` first)")
        if customers < 0 or open_items < 0:
            raise CommandError("--customers and --open-items must not be negative")
        on = date.fromisoformat(as_of) if as_of else timezone.localdate()
        console = Console()
        with Progress(TextColumn("[bold]scale[/bold] {task.description}"), BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task("customers", total=customers + open_items)

            def step(label: str, n: int) -> None:
                bar.update(task, advance=n, description=label)

            try:
                made = demo_scale(legal_entity=legal_entity, customers=customers,
                                  open_items=open_items, as_of=on, seed=seed, step=step)
            except DomainError as exc:
                raise CommandError(exc.message) from None
        console.print(f"added {made[0]} customers and {made[1]} open items to {legal_entity}")

    @command(help="Write another system's export (customers.csv, invoices.csv with settled "
                  "dates, a dispute flag and a channel) to try predictions on imported history.")
    def csv(
        self,
        folder: Annotated[str, typer.Argument(help="Where to write the two files.")],
        customers: Annotated[int, typer.Option(help="How many customers.")] = 120,
        as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
        behaviours: Annotated[bool, typer.Option(
            help="Customers who behave in several ways (punctual, now and then, chronically "
                 "late, deteriorating, seasonal, disputing, bad debt), most invoices on time "
                 "and few very late — the skewed history of docs/benchmarks.md.")] = False,
        seed: Annotated[int | None, typer.Option(help="Another history of the same kind.")]
        = None,
    ):
        from datetime import date
        from pathlib import Path

        from django.utils import timezone

        from remit.demo import csv_behaviours, csv_history

        try:
            on = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
        write = csv_behaviours.write if behaviours else csv_history.write
        made = write(Path(folder), as_of=on, customers=customers,
                     **({} if seed is None else {"seed": seed}))
        self.stdout.write(f"{made[0]} customers and {made[1]} invoices written to {folder}/")

    @command(help="The demo logins (user, password, role).")
    def users(self):
        from rich.table import Table

        from remit.demo.users import DEMO_PASSWORD, DEMO_USERS

        table = Table("user", "password", "role", "legal entities")
        for username, role, entities in DEMO_USERS:
            table.add_row(username, DEMO_PASSWORD, role, "all" if entities == "*" else entities)
        Console().print(table)
