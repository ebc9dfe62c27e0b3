"""Payment predictions over the API: the open invoices' predictions (or the worklist by amount
at risk), one customer's expected payments, and the expected cash by week — limited by
customer pools as the pages are: ``pool=CODE`` chooses one, and an agent limited to pools sees
only theirs (their default pool when none is named)."""

from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from remit.api_auth import Rule, plausible_date
from remit.api_paging import limit_query, offset_query
from remit.collections import pools as pooling
from remit.core.exceptions import InvalidInput, NotFound
from remit.core.scope import scope_of
from remit.core.selectors import legal_entities_for
from remit.receivables import selectors as receivables

from . import selectors, services
from .compare import models_compare as compare_versions
from .compare import versions_numbered
from .group import group_evaluation
from .models import Prediction

router = Router(tags=["insights"])


class PredictionOut(Schema):
    invoice: str = Field(..., alias="item.document_number")
    customer: str = Field(..., alias="customer.account_number")
    due_date: date = Field(..., alias="item.due_date")
    open_amount: Decimal
    on_time: Decimal
    late: Decimal
    very_late: Decimal
    said: str | None = Field(None, description="the class the version's decision rule says: "
                             "'on time', 'late' or 'very late' (empty for a prediction stored "
                             "before versions had one)")
    red: bool = Field(..., description="said to be late or very late")
    model_version: int = Field(..., alias="model.version")
    as_of: date
    factors: list[dict]

    @staticmethod
    def resolve_open_amount(obj):
        return obj.item.amount_acc - obj.item.settled_acc

    @staticmethod
    def resolve_said(obj):
        return None if obj.said is None else obj.get_said_display()

    @staticmethod
    def resolve_red(obj):
        return obj.is_red

    @staticmethod
    def resolve_factors(obj):
        return services.prediction_explain(obj).factors


def _scope(request, pool: str | None) -> Q:
    """The customers this caller sees, as on the pages; a pool they cannot see is named."""
    if pool is not None:
        visible, _ = pooling.visible_pools(request.legal_entity, request.user)
        if pool not in {p.code for p in visible}:
            raise InvalidInput.field("pool", f"no customer pool {pool!r} that you may see")
    return pooling.list_filter(request, pooling.chosen_pool(request), timezone.localdate())


@router.get("/predictions", response=list[PredictionOut], auth=Rule("insights.view_prediction"))
def predictions(request, order: str = "on_time", limit: int = limit_query(),
                offset: int = offset_query(), pool: str | None = None):
    """``order``: ``on_time`` (least likely first) or ``risk`` (the worklist: open balance ×
    late + very late, largest first); ``pool``: a customer pool's code."""
    scope = _scope(request, pool)
    if order == "risk":
        qs = selectors.worklist(request.legal_entity).filter(scope)
    else:
        qs = (Prediction.objects.filter(scope, legal_entity=request.legal_entity,
                                        item__is_open=True)
              .select_related("item", "customer", "model").order_by("on_time", "pk"))
    return list(qs[offset:offset + limit])


class ExpectedOut(Schema):
    customer: str
    balance: Decimal
    on_time: Decimal
    late: Decimal
    very_late: Decimal
    invoices: int
    predictions: list[PredictionOut]


@router.get("/customers/{account_number}", response=ExpectedOut,
            auth=Rule("insights.view_prediction"))
def customer_expected(request, account_number: str):
    customer = receivables.customer_by_number(scope_of(request), account_number)
    if not pooling.may_see(request, customer, timezone.localdate()):
        # outside the agent's pools: the same answer as for no such customer
        raise NotFound(f"No customer {account_number} in {request.legal_entity.code}")
    totals = selectors.expected_by_customer(request.legal_entity, customer).get(customer.pk)
    rows = list(Prediction.objects.filter(customer=customer, item__is_open=True)
                .select_related("item", "customer", "model").order_by("on_time")[:500])
    zero = Decimal("0.00")
    return {"customer": customer.account_number,
            "balance": totals["balance"] if totals else zero,
            "on_time": totals["on_time"] if totals else zero,
            "late": totals["late"] if totals else zero,
            "very_late": totals["very_late"] if totals else zero,
            "invoices": len(rows), "predictions": rows}


class WeekOut(Schema):
    week: date
    on_time: Decimal
    late: Decimal
    very_late: Decimal
    total: Decimal


class CashOut(Schema):
    as_of: date
    weeks: list[WeekOut]
    later: Decimal
    total: Decimal  # every week and later: the open balance of the invoices with a prediction


@router.get("/expected-cash", response=CashOut, auth=Rule("insights.view_prediction"))
def expected_cash(request, as_of: date | None = None, pool: str | None = None):
    return selectors.expected_cash(request.legal_entity, as_of or timezone.localdate(),
                                   scope=_scope(request, pool))


@router.get("/models/compare", auth=Rule("insights.view_predictionmodel"))
def models_compare(request, versions: list[int] = Query(...),
                   as_of: date | None = None):
    """Two or more model versions on the same invoices — those none of them learnt from,
    dated from the latest of their test periods on and certain by ``as_of`` — beside the
    customer's history; for two, how often (bootstrap) the newer was better."""
    return compare_versions(legal_entity=request.legal_entity,
                            versions=versions_numbered(request.legal_entity, versions),
                            as_of=plausible_date("as_of", as_of) or timezone.localdate())


@router.get("/models/group", auth=Rule("insights.view_predictionmodel"))
def models_group(request, latest: bool = False):
    """Each of the caller's legal entities' model in use (or latest) on its own test
    invoices, and all of them together, beside both baselines (see ``group.py``)."""
    return group_evaluation(legal_entities_for(request.user), latest=latest)
