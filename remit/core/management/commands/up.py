"""``remit up``: the quick start in one command.

Migrates the embedded database, loads the demo company the first time, prints how to log in
and serves the app. Running it again keeps your data.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from rich.console import Console
from rich.table import Table

from remit.core.models import LegalEntity


class Command(BaseCommand):
    help = "Set up (migrate, load the demo company once) and serve remit on 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-demo", action="store_true",
                            help="Do not load the demo company into an empty database.")

    def handle(self, *, host, port, no_demo, **options):
        console = Console()
        console.print("[bold]remit[/bold]: preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo and not LegalEntity.objects.exists():
            console.print("remit: loading the demo company — three legal entities and two "
                          "years of history, a few minutes the first time…")
            call_command("demo", "load")
        from remit.demo.users import DEMO_PASSWORD, DEMO_USERS

        table = Table(title="Demo logins")
        table.add_column("user")
        table.add_column("password")
        table.add_column("role")
        table.add_column("legal entities")
        for username, role, entities in DEMO_USERS:
            table.add_row(username, DEMO_PASSWORD, role,
                          "all" if entities == "*" else entities.replace(",", ", "))
        console.print(table)
        console.print(f"[bold green]remit is serving http://{host}:{port}/[/bold green]")
        console.print(f"API docs: http://{host}:{port}/api/docs · stop with Ctrl+C")
        call_command("serve", host=host, port=port)
