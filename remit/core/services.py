"""Use cases that write core data: legal entities, users and their roles, tokens, exchange rates.

Each function is one transaction. Legal-entity creation runs the entity initializers named in
settings (chart of accounts, journals, receivables defaults) inside that same transaction, so a
new company is either complete or absent.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .actor import Actor
from .audit import audit_record
from .exceptions import InvalidInput, NotFound, RuleViolation
from .money import D, UnknownCurrency, is_currency
from .models import ApiToken, ExchangeRate, LegalEntity, UserProfile
from .roles import ADMINISTRATOR, ROLE_PERMISSIONS, ROLE_SLUGS


def _full_clean(obj, loc_prefix: tuple = ()) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        errors = [
            ((*loc_prefix, field), message)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
        raise InvalidInput("; ".join(f"{'.'.join(map(str, loc))}: {m}" for loc, m in errors),
                           errors=errors) from None


@transaction.atomic
def legal_entity_create(
    *, code: str, name: str, accounting_currency: str, country: str = "", actor: Actor
) -> LegalEntity:
    actor.require("core.add_legalentity")
    if not is_currency(accounting_currency):
        raise UnknownCurrency.field("accounting_currency", f"{accounting_currency!r} is not an "
                                    "active ISO 4217 currency code")
    entity = LegalEntity(code=code, name=name, accounting_currency=accounting_currency,
                         country=country.upper())
    _full_clean(entity)
    try:
        with transaction.atomic():
            entity.save()
    except IntegrityError:  # created by someone else a moment ago
        raise InvalidInput.field("code", f"a legal entity {code} already exists") from None
    for path in settings.REMIT["ENTITY_INITIALIZERS"]:
        import_string(path)(legal_entity=entity)
    audit_record(actor=actor, action="core.legal_entity.create", obj=entity, legal_entity=entity,
                 data={"accounting_currency": accounting_currency})
    return entity


def _role_groups(roles: list[str]) -> list[Group]:
    groups = []
    for role in roles:
        name = ROLE_SLUGS.get(role, role)
        if name not in ROLE_PERMISSIONS:
            raise InvalidInput.field(
                "roles", f"unknown role {role!r}; choose from {', '.join(ROLE_SLUGS)}"
            )
        groups.append(Group.objects.get(name=name))
    return groups


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    roles: list[str],
    legal_entities: list[LegalEntity] | None = None,
    all_legal_entities: bool = False,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    validate: bool = True,
    actor: Actor,
):
    """Create a user in the given roles. Administrators also get the Django admin (is_staff)."""
    actor.require("auth.add_user")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise RuleViolation(f"A user named {username!r} already exists", code="user_exists")
    groups = _role_groups(roles)
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.is_staff = any(g.name == ADMINISTRATOR for g in groups)
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InvalidInput.field("password", " ".join(exc.messages)) from None
    user.set_password(password)
    _full_clean(user)
    user.save()
    user.groups.set(groups)
    profile = UserProfile.objects.create(user=user, all_legal_entities=all_legal_entities)
    entities = list(legal_entities or [])
    profile.legal_entities.set(entities)
    if entities:
        profile.default_legal_entity = entities[0]
        profile.save(update_fields=["default_legal_entity"])
    audit_record(actor=actor, action="core.user.create", obj=user,
                 data={"roles": [g.name for g in groups],
                       "legal_entities": [e.code for e in entities],
                       "all_legal_entities": all_legal_entities})
    return user


TOKEN_PREFIX = "rmt"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str, expires_at: datetime | None = None,
                     actor: Actor) -> tuple[ApiToken, str]:
    """Returns the token row and the secret, which is never stored and never shown again."""
    if not name.strip():
        raise InvalidInput.field("name", "give the token a name, e.g. the script that uses it")
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput.field("expires_at", "must be in the future")
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name.strip()[:100], prefix=prefix,
                                    key_hash=_hash(secret), expires_at=expires_at)
    audit_record(actor=actor, action="core.api_token.create", obj=token, data={"user": user.pk})
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Actor) -> ApiToken:
    if actor.user is not None and actor.user.pk != token.user_id:
        actor.require("core.change_apitoken")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="core.api_token.revoke", obj=token)
    return token


def api_token_authenticate(secret: str):
    """The user a bearer token belongs to, or None. Constant-time comparison of the hash."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    now = timezone.now()
    if token is None or not token.is_usable(now):
        return None
    if not secrets.compare_digest(token.key_hash, _hash(secret)):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def exchange_rate_set(*, from_currency: str, to_currency: str, valid_from: date,
                      rate: Decimal | str, actor: Actor) -> ExchangeRate:
    """Create or correct the rate for a pair on a date (idempotent for the same values)."""
    actor.require("core.add_exchangerate")
    for field, code in (("from_currency", from_currency), ("to_currency", to_currency)):
        if not is_currency(code):
            raise UnknownCurrency.field(field, f"{code!r} is not an active ISO 4217 currency code")
    if from_currency == to_currency:
        raise InvalidInput.field("to_currency", "must differ from from_currency")
    value = D(rate)
    if value <= 0:
        raise InvalidInput.field("rate", "must be greater than zero")
    try:
        obj, created = ExchangeRate.objects.update_or_create(
            from_currency=from_currency, to_currency=to_currency, valid_from=valid_from,
            defaults={"rate": value},
        )
    except IntegrityError as exc:
        raise InvalidInput(f"exchange rate rejected: {exc}") from None
    audit_record(actor=actor, action="core.exchange_rate.set", obj=obj,
                 data={"rate": value, "created": created})
    return obj


def user_get(username: str):
    User = get_user_model()
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise NotFound(f"No user named {username!r}") from None
