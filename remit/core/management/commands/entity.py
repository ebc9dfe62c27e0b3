"""``remit entity``: legal entities (a company with its own books)."""

from typing import Annotated

import typer
from django.core.management.base import CommandError
from django_typer.management import TyperCommand, command

from remit.core.actor import Actor
from remit.core.exceptions import DomainError
from remit.core.models import LegalEntity
from remit.core.services import legal_entity_create


class Command(TyperCommand):
    help = "Create and list legal entities."

    @command(help="Create a legal entity with the default chart of accounts and journals.")
    def create(self, code: str, name: str,
               currency: Annotated[str, typer.Option(help="Accounting currency (ISO 4217).")],
               country: Annotated[str, typer.Option(help="ISO 3166 country code.")] = ""):
        try:
            entity = legal_entity_create(code=code.upper(), name=name,
                                         accounting_currency=currency.strip().upper(),
                                         country=country, actor=Actor.cli())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"created {entity}")

    @command(name="list", help="All legal entities.")
    def list_entities(self):
        for e in LegalEntity.objects.all():
            self.stdout.write(f"{e.code:10} {e.accounting_currency}  {e.name}")
