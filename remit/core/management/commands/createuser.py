"""``remit createuser``: a user in one or more roles, allowed in some or all legal entities."""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from remit.core.actor import Actor
from remit.core.exceptions import DomainError
from remit.core.models import LegalEntity
from remit.core.roles import ROLE_SLUGS
from remit.core.services import user_create


class Command(BaseCommand):
    help = "Create a remit user with roles and the legal entities they may work in."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", action="append", required=True, choices=sorted(ROLE_SLUGS),
                            help="Role (repeat for several).")
        parser.add_argument("--entity", action="append", default=[],
                            help="Legal entity code the user may work in (repeatable).")
        parser.add_argument("--all-entities", action="store_true",
                            help="May work in every legal entity.")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Password (prompted for when left out).")

    def handle(self, *, username, role, entity, all_entities, email, password, **options):
        if all_entities and entity:
            raise CommandError("give either --all-entities or --entity, not both")
        entities = []
        for code in entity:
            found = LegalEntity.objects.filter(code=code).first()
            if found is None:
                raise CommandError(f"--entity: no legal entity {code!r}")
            entities.append(found)
        if password is None:
            if not sys.stdin.isatty():
                raise CommandError("--password is required when not run in a terminal")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        try:
            user = user_create(username=username, password=password, roles=role, email=email,
                               legal_entities=entities, all_legal_entities=all_entities,
                               actor=Actor.cli())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"created {user.username} ({', '.join(role)})")
        if not entities and not all_entities:
            self.stderr.write(f"note: {user.username} may not work in any legal entity yet; "
                              "give one with --entity, or in the admin (User profiles)")
