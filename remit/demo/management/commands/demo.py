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
from remit.demo.generator import demo_load, demo_steps


class Command(TyperCommand):
    help = "Demo company: three legal entities, a login per role, customers and their books."

    @command(help="Load the demo company (once) into this database.")
    def load(
        self,
        seed: Annotated[int, typer.Option(help="Random seed; the same seed, the same data.")] = 7,
        as_of: Annotated[str | None, typer.Option(help="Business date YYYY-MM-DD (default today).")] = None,
        scale: Annotated[float, typer.Option(help="Multiply the number of customers.")] = 1.0,
    ):
        on = date.fromisoformat(as_of) if as_of else timezone.localdate()
        console = Console()
        with Progress(TextColumn("[bold]demo[/bold] {task.description}"), BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task("loading", total=demo_steps(scale))

            def step(label: str, n: int) -> None:
                bar.update(task, advance=n, description=label)

            try:
                result = demo_load(as_of=on, seed=seed, customers_scale=scale, step=step)
            except DomainError as exc:
                raise CommandError(exc.message) from None
        console.print(f"demo loaded as of {on}: {result.legal_entities} legal entities, "
                      f"{result.users} users, {result.customers} customers, "
                      f"{result.open_items} open items, {result.journal_entries} journal entries")

    @command(help="The demo logins (user, password, role).")
    def users(self):
        from rich.table import Table

        from remit.demo.users import DEMO_PASSWORD, DEMO_USERS

        table = Table("user", "password", "role", "legal entities")
        for username, role, entities in DEMO_USERS:
            table.add_row(username, DEMO_PASSWORD, role, "all" if entities == "*" else entities)
        Console().print(table)
