"""``remit ledger``: prove the books (``check``) and look at balances (``balances``)."""

import json
from datetime import date
from typing import Annotated

import typer
from django.core.management.base import CommandError
from django.utils import timezone
from django_typer.management import TyperCommand, command
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from remit.core.actor import Actor
from remit.core.money import currency_decimals
from remit.core.models import LegalEntity
from remit.ledger.checks import posted_entry_count
from remit.ledger.selectors import account_balances
from remit.ledger.services import ledger_check_run


def _entities(codes: list[str] | None, what: str = "--entity") -> list[LegalEntity]:
    if not codes:
        return list(LegalEntity.objects.order_by("code"))
    codes = [c.upper() for c in codes]
    found = list(LegalEntity.objects.filter(code__in=codes).order_by("code"))
    missing = set(codes) - {e.code for e in found}
    if missing:
        raise CommandError(f"{what}: no legal entity {', '.join(sorted(missing))}")
    return found


class Command(TyperCommand):
    help = "General ledger tools."

    # (named check_books: a method called ``check`` would replace Django's system checks)
    @command(name="check", help="Prove the books: every entry balanced, unchanged since posting and gap-free "
                  "numbered, reversals mirrored, customer open items equal to the receivable "
                  "accounts. Exits 1 and lists every violation when one fails.")
    def check_books(
        self,
        entity: Annotated[list[str] | None, typer.Option(help="Only this legal entity "
                                                               "(repeatable).")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ):
        entities = _entities(entity)
        console = Console(stderr=as_json)
        total = posted_entry_count(entities)
        with Progress(TextColumn("checking entries"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True,
                      disable=total < 5000) as bar:
            task = bar.add_task("check", total=total)
            run = ledger_check_run(legal_entities=entities, actor=Actor.cli(),
                                   progress=lambda n: bar.advance(task, n))
        if as_json:
            self.stdout.write(json.dumps({"ok": run.ok, "entries_checked": run.entries_checked,
                                         "legal_entities": [e.code for e in entities],
                                         "violations": run.violations}, indent=2))
        elif run.ok:
            console.print(f"[green]ok[/green]: {run.entries_checked} posted entries in "
                          f"{len(entities)} legal entities; no violations")
        else:
            table = Table("check", "entity", "subject", "problem",
                          title=f"{len(run.violations)} violation(s)")
            for v in run.violations:
                table.add_row(v["check"], v["legal_entity"], v["subject"], v["message"])
            console.print(table)
        if not run.ok:
            raise CommandError(f"{len(run.violations)} violation(s) in the books", returncode=1)

    @command(help="Trial balance of a legal entity as of a date (accounting currency).")
    def balances(self, entity: str,
                 as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")]
                 = None):
        (legal_entity,) = _entities([entity], "ENTITY")
        try:
            on = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
        table = Table("account", "name", "debit", "credit", "balance",
                      title=f"{legal_entity} as of {on} ({legal_entity.accounting_currency})")
        places = currency_decimals(legal_entity.accounting_currency)
        for a in account_balances(legal_entity, on):
            if a.debit_acc or a.credit_acc:
                table.add_row(a.number, a.name, f"{a.debit_acc:,.{places}f}",
                              f"{a.credit_acc:,.{places}f}", f"{a.balance_acc:,.{places}f}")
        Console().print(table)
