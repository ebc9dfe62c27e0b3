"""``remit token``: personal API tokens."""

from typing import Annotated

import typer
from django.core.management.base import CommandError
from django_typer.management import TyperCommand, command

from remit.core.actor import Actor
from remit.core.exceptions import DomainError
from remit.core.models import ApiToken
from remit.core.services import api_token_create, api_token_revoke, user_get


class Command(TyperCommand):
    help = "Create, list and revoke personal API tokens."

    @command(help="Create a token for a user; the secret is printed once.")
    def create(self, username: Annotated[str, typer.Argument(help="Whose token.")],
               name: Annotated[str, typer.Option(help="What the token is for.")] = "cli"):
        try:
            _, secret = api_token_create(user=user_get(username), name=name, actor=Actor.cli())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(secret)

    @command(name="list", help="A user's tokens (never their secrets).")
    def list_tokens(self, username: str):
        for t in ApiToken.objects.filter(user=user_get(username)):
            state = "revoked" if t.revoked_at else "active"
            self.stdout.write(f"{t.prefix}  {t.name}  {state}  created {t.created_at:%Y-%m-%d}")

    @command(help="Revoke a token by its prefix.")
    def revoke(self, prefix: str):
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"no token {prefix}")
        if token.revoked_at is not None:
            self.stdout.write(f"{prefix} was already revoked on {token.revoked_at:%Y-%m-%d}")
            return
        api_token_revoke(token=token, actor=Actor.cli())
        self.stdout.write(f"revoked {prefix}")
