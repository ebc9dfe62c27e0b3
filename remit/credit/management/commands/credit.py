"""``remit credit``: the credit periodic tasks by hand — balance statistics, risk scores,
evaluating open holds, forcing holds, deleting old statistics — and the open holds list."""

from typing import Annotated

import typer
from django.core.management.base import CommandError
from django_typer.management import TyperCommand, command
from rich.console import Console
from rich.table import Table

from remit.core.actor import Actor
from remit.core.command_args import day_option, legal_entity_option
from remit.core.exceptions import DomainError
from remit.credit import holds, risk
from remit.credit.models import CreditHold, CreditReason, HoldStatus, ReasonType

Entity = Annotated[str, typer.Option(help="Legal entity code.")]
AsOf = Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")]




class Command(TyperCommand):
    help = "Credit management: periodic tasks and the credit holds list."

    @command(help="Calculate balance statistics (balance, DSO, average and highest balance).")
    def statistics(self, entity: Entity, as_of: AsOf = None):
        legal_entity, on = legal_entity_option(entity), day_option(as_of)
        n = risk.balance_statistics_calculate(legal_entity=legal_entity, as_of=on,
                                              actor=Actor.cli())
        Console().print(f"{legal_entity.code}: statistics for {n} customers as of {on}")

    @command(help="Update every customer's risk score and risk group.")
    def risk(self, entity: Entity, as_of: AsOf = None):
        legal_entity, on = legal_entity_option(entity), day_option(as_of)
        result = risk.risk_scores_update(legal_entity=legal_entity, as_of=on, actor=Actor.cli())
        Console().print(f"{legal_entity.code}: {result.customers} customers scored, "
                        f"{result.grouped} in a risk group")

    @command(help="Evaluate the open credit holds again (releases the ready ones when the "
                  "parameters say so; never forced holds).")
    def evaluate(self, entity: Entity, as_of: AsOf = None):
        legal_entity, on = legal_entity_option(entity), day_option(as_of)
        result = holds.holds_evaluate(legal_entity=legal_entity, as_of=on, actor=Actor.cli())
        Console().print(f"{legal_entity.code}: {result.evaluated} evaluated, {result.cleared} "
                        f"reasons cleared, {result.ready} ready, {result.released} released")

    @command(help="Force a credit hold on every open order (of one customer, if given).")
    def force(self, entity: Entity, reason: Annotated[str, typer.Option(help="Hold reason "
                                                                             "code.")],
              customer: Annotated[str | None, typer.Option(help="Account number.")] = None,
              as_of: AsOf = None):
        from remit.core.scope import CustomerScope
        from remit.receivables.selectors import customer_by_number

        legal_entity, on = legal_entity_option(entity), day_option(as_of)
        chosen = CreditReason.objects.filter(legal_entity=legal_entity, kind=ReasonType.HOLD,
                                             code=reason).first()
        if chosen is None:
            raise CommandError(f"--reason: {legal_entity.code} has no hold reason {reason}")
        try:
            who = (customer_by_number(CustomerScope.everyone(legal_entity), customer)
                   if customer else None)
            n = holds.holds_force(legal_entity=legal_entity, reason=chosen, on=on,
                                  customer=who, actor=Actor.cli())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        Console().print(f"{legal_entity.code}: {n} order(s) put on a forced credit hold")

    @command(help="Delete balance statistics dated before a day.")
    def prune(self, entity: Entity, until: Annotated[str, typer.Option(help="YYYY-MM-DD.")],
              as_of: AsOf = None):
        legal_entity = legal_entity_option(entity)
        try:
            n = risk.balance_statistics_delete(legal_entity=legal_entity,
                                               until=day_option(until, "--until"),
                                               as_of=day_option(as_of), actor=Actor.cli())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        Console().print(f"{legal_entity.code}: {n} statistics rows deleted")

    @command(help="The open credit holds, with their reasons.")
    def holds(self, entity: Annotated[str | None, typer.Option(help="Legal entity code "
                                                                    "(default: all).")] = None):
        qs = (CreditHold.objects.filter(status__in=(HoldStatus.OPEN, HoldStatus.PENDING))
              .select_related("legal_entity", "order__customer").prefetch_related("reasons")
              .order_by("legal_entity__code", "held_at"))
        if entity:
            qs = qs.filter(legal_entity=legal_entity_option(entity))
        table = Table("entity")
        table.add_column("order", no_wrap=True)
        for name in ("customer", "step", "held", "amount", "reasons", "status"):
            table.add_column(name, no_wrap=name in ("held", "amount"))
        for hold in qs:
            reasons = [r.text for r in hold.reasons.all() if not r.cleared]
            table.add_row(hold.legal_entity.code, hold.order.number,
                          f"{hold.order.customer.account_number} {hold.order.customer.name}",
                          hold.step, str(hold.held_on), f"{hold.order_amount:,.2f}",
                          "\n".join(reasons) or "ready to release", hold.get_status_display())
        Console().print(table)
