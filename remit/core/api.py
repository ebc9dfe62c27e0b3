from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from remit.api_auth import Rule
from remit.api_paging import Paging
from remit.core.actor import Actor

from .exceptions import NotFound
from .models import ApiToken, AuditLog, ExchangeRate
from .selectors import exchange_rate_on, legal_entities_for
from .services import api_token_create, api_token_revoke, exchange_rate_set

router = Router(tags=["core"])


class EntityOut(Schema):
    code: str
    name: str
    accounting_currency: str
    country: str


class MeOut(Schema):
    username: str
    roles: list[str]
    legal_entity: EntityOut | None
    legal_entities: list[EntityOut]


@router.get("/me", response=MeOut, auth=Rule("core.use_api", needs_entity=False))
def me(request):
    """Who you are, your roles, and the legal entities you may work in."""
    return {"username": request.user.get_username(),
            "roles": sorted(request.user.groups.values_list("name", flat=True)),
            "legal_entity": request.legal_entity,
            "legal_entities": list(legal_entities_for(request.user))}


@router.get("/legal-entities", response=list[EntityOut],
            auth=Rule("core.view_legalentity", needs_entity=False))
def legal_entities(request):
    return legal_entities_for(request.user)


class RateOut(Schema):
    from_currency: str
    to_currency: str
    valid_from: date
    rate: Decimal


class RateIn(Schema):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    from_currency: str = Field(..., max_length=3)
    to_currency: str = Field(..., max_length=3)
    valid_from: date
    rate: Decimal = Field(..., gt=0, lt=Decimal(10) ** 12, allow_inf_nan=False,
                          description="Units of to_currency per one from_currency")


class RateOnOut(Schema):
    from_currency: str
    to_currency: str
    on: date
    rate: Decimal


@router.get("/exchange-rates", response=list[RateOut],
            auth=Rule("core.view_exchangerate", needs_entity=False))
@paginate(Paging)
def exchange_rates(request, from_currency: str | None = None, to_currency: str | None = None):
    qs = ExchangeRate.objects.all()
    if from_currency:
        qs = qs.filter(from_currency=from_currency.upper())
    if to_currency:
        qs = qs.filter(to_currency=to_currency.upper())
    return qs


@router.get("/exchange-rates/on", response=RateOnOut,
            auth=Rule("core.view_exchangerate", needs_entity=False))
def exchange_rate(request, from_currency: str, to_currency: str, on: date):
    """The rate in force on a date (the latest rate from that date or earlier)."""
    rate = exchange_rate_on(from_currency.upper(), to_currency.upper(), on)
    return {"from_currency": from_currency.upper(), "to_currency": to_currency.upper(),
            "on": on, "rate": rate}


@router.post("/exchange-rates", response={201: RateOut},
             auth=Rule("core.add_exchangerate", needs_entity=False))
def exchange_rate_create(request, body: RateIn):
    rate = exchange_rate_set(from_currency=body.from_currency.upper(),
                             to_currency=body.to_currency.upper(), valid_from=body.valid_from,
                             rate=body.rate, actor=Actor.api(request.user))
    return Status(201, rate)


class AuditOut(Schema):
    at: datetime
    actor_name: str
    channel: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    data: dict


@router.get("/audit", response=list[AuditOut], auth=Rule("core.view_auditlog"))
@paginate(Paging)
def audit(request, action: str | None = None, object_type: str | None = None,
          object_id: str | None = None):
    """The audit log of the current legal entity, newest first."""
    qs = AuditLog.objects.filter(legal_entity=request.legal_entity)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs


class TokenIn(Schema):
    name: str
    expires_at: datetime | None = None


class TokenOut(Schema):
    prefix: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The secret. Shown only now; store it safely.")


@router.get("/tokens", response=list[TokenOut], auth=Rule("core.use_api", needs_entity=False))
def tokens(request):
    """Your personal API tokens."""
    return ApiToken.objects.filter(user=request.user)


@router.post("/tokens", response={201: TokenCreatedOut},
             auth=Rule("core.use_api", needs_entity=False, session_only=True))
def token_create(request, body: TokenIn):
    token, secret = api_token_create(user=request.user, name=body.name,
                                     expires_at=body.expires_at, actor=Actor.api(request.user))
    token.token = secret
    return Status(201, token)


@router.delete("/tokens/{prefix}", response=TokenOut,
               auth=Rule("core.use_api", needs_entity=False))
def token_revoke(request, prefix: str):
    token = ApiToken.objects.filter(user=request.user, prefix=prefix).first()
    if token is None:
        raise NotFound(f"You have no token {prefix}")
    return api_token_revoke(token=token, actor=Actor.api(request.user))
