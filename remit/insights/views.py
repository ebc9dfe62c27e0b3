"""Payment prediction pages: every open invoice with its three probabilities (a red marker
when the version's decision rule says late or very late) and a side pane with the factors;
customers by expected payments; the models page (settings, versions beside their baselines,
train, publish, score)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from remit.collections import pools as pooling
from remit.core.access import page
from remit.core.actor import Actor
from remit.core.exceptions import DomainError, InvalidInput
from remit.core.forms import posted_date, whole_number
from remit.core.money import parse_typed_amount
from remit.core.selectors import legal_entities_for
from remit.receivables.models import Customer

from . import selectors, services
from .compare import models_compare, versions_numbered
from .features import FEATURES
from .group import group_evaluation
from .models import RED, Prediction, PredictionModel

HALF = Decimal("0.5")  # a customer with more than half of its balance at risk


def _scope(request) -> tuple[Q, dict]:
    """Which customers' predictions this user sees, as on the Collections pages: the chosen
    customer pool; an agent limited to pools only theirs. And what the pool select needs."""
    pool = pooling.chosen_pool(request)
    return (pooling.list_filter(request, pool, timezone.localdate()),
            pooling.pool_context(request, pool))


@page("insights.view_prediction")
def predictions(request):
    scope, pools = _scope(request)
    qs = (Prediction.objects.filter(scope, legal_entity=request.legal_entity, item__is_open=True)
          .select_related("item", "customer", "model"))  # settled since the last scoring: gone
    if request.GET.get("risk"):
        qs = qs.filter(RED)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(customer__search_name__contains=q.casefold())
                       | Q(customer__account_number__startswith=q)
                       | Q(item__document_number__icontains=q))
    sort = request.GET.get("sort", "on_time")
    if sort == "risk":  # the collections worklist: largest amount at risk first
        qs = selectors.worklist(request.legal_entity).filter(pk__in=qs.values("pk"))
    else:
        order = {"on_time": ("on_time", "item__due_date"), "due": ("item__due_date",),
                 "customer": ("customer__name", "item__due_date")}.get(sort, ("on_time",))
        qs = qs.order_by(*order, "pk")
    page_obj = Paginator(qs, 50).get_page(request.GET.get("page"))
    selected = None
    if request.GET.get("item"):
        selected = _pane(request, request.GET["item"], scope)
    model = _in_use(request.legal_entity)
    return render(request, "insights/predictions.html", {
        "page_obj": page_obj, "q": q, "risk": request.GET.get("risk", ""),
        "sort": sort, "selected": selected, "model": model, **pools,
        "stale": model is not None and qs.exclude(model=model).exists(),
        "counts": selectors.workspace_counts(request.legal_entity, scope)})


def _in_use(legal_entity):
    model = services.published(legal_entity)
    if model is not None:
        model.outdated = services.definition_outdated(model)
    return model


def _pane(request, item_id: str, scope: Q) -> dict | None:
    if whole_number(item_id) is None:
        return None
    p = (Prediction.objects.filter(scope, legal_entity=request.legal_entity,
                                   item_id=int(item_id))
         .select_related("item", "customer", "model").first())
    if p is None:
        return None
    services.prediction_explain(p)
    settings = services.settings_for(request.legal_entity)
    return {"p": p, "history": selectors.customer_history(p.customer, settings.late_days,
                                                          settings.very_late_days),
            "expected": selectors.expected_by_customer(request.legal_entity,
                                                       p.customer).get(p.customer_id)}


@page("insights.view_prediction")
def prediction_pane(request, item_id: int):
    selected = _pane(request, str(item_id), _scope(request)[0])
    if selected is None:  # scored away meanwhile: say so in the pane
        return render(request, "insights/_pane_empty.html", {})
    return render(request, "insights/_pane.html", {"selected": selected})


@page("insights.view_prediction")
def customers(request):
    scope, pools = _scope(request)
    expected = selectors.expected_by_customer(request.legal_entity, scope=scope)
    names = {c.pk: c for c in Customer.objects.filter(pk__in=expected.keys())}
    rows = sorted(({"customer": names[cid], **t} for cid, t in expected.items()),
                  key=lambda r: (-r["at_risk"], r["customer"].account_number))
    if request.GET.get("late_only"):
        rows = [r for r in rows if r["balance"] > 0 and r["late_share"] > HALF]
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "insights/customers.html", {
        "page_obj": page_obj, "late_only": request.GET.get("late_only", ""), **pools,
        "model": services.published(request.legal_entity)})


@page("insights.view_prediction")
def expected_cash(request):
    today = timezone.localdate()
    scope, pools = _scope(request)
    cash = selectors.expected_cash(request.legal_entity, today, scope=scope)
    top = max((w["total"] for w in cash["weeks"]), default=0) or 1
    for w in cash["weeks"]:
        w["bars"] = [(name, w[name] / top * 100) for name in ("on_time", "late", "very_late")]
    return render(request, "insights/expected_cash.html", {
        "cash": cash, "model": services.published(request.legal_entity), **pools})


@page("insights.view_predictionmodel")
def models_page(request):
    entity = request.legal_entity
    models = list(PredictionModel.objects.filter(legal_entity=entity).select_related(
        "created_by").defer("booster", "test_rows"))
    for m in models:
        m.outdated = services.definition_outdated(m)
        m.behind = services.behind_history(m)
    asked = request.GET.getlist("compare")
    chosen = [n for n in map(whole_number, asked) if n is not None]
    comparison = None
    if "as_of" in request.GET or asked:  # the compare form was sent
        try:
            if len(chosen) < len(asked):
                bad = next(a for a in asked if whole_number(a) is None)
                raise InvalidInput.field("versions", f"{bad!r} is not a version number")
            if len(set(chosen)) < 2:
                raise InvalidInput.field("versions", "tick two to 5 versions to compare")
            comparison = models_compare(
                legal_entity=entity, versions=versions_numbered(entity, chosen),
                as_of=posted_date(request, "as_of", data=request.GET))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            for v in comparison["versions"]:
                v["best"] = {name: v[name] == min(w[name] for w in comparison["versions"])
                             for name in ("log_loss", "brier")}
    return render(request, "insights/models.html", {
        "models": models, "chosen": chosen, "comparison": comparison,
        "group": _group(request),
        "settings": services.settings_for(entity), "features": FEATURES,
        "kept_columns": _kept_columns(entity), "today": timezone.localdate()})


def _kept_columns(entity) -> list[dict]:
    from remit.receivables.models import InvoiceAttribute

    chosen = set(services.settings_for(entity).features)
    return [{"name": a.name, "leak": a.leak, "samples": a.samples,
             "chosen": f"attr:{a.name}" in chosen}
            for a in InvoiceAttribute.objects.filter(legal_entity=entity)]


def _group(request) -> dict | None:
    """The user's legal entities judged together (only for more than one, and only when
    asked: it reads every test invoice and resamples them)."""
    entities = list(legal_entities_for(request.user))
    if len(entities) < 2:
        return None
    if request.GET.get("group") not in ("in_use", "latest"):
        return {"asked": False}
    latest = request.GET.get("group") == "latest"
    try:
        return {"asked": True, "latest": latest, **group_evaluation(entities, latest=latest)}
    except DomainError as exc:
        return {"asked": True, "latest": latest, "error": exc.message}


@require_POST
@page("insights.add_predictionmodel")
def models_action(request, action: str):
    entity, actor = request.legal_entity, Actor.web(request.user)
    try:
        if action == "settings":
            late, very = request.POST.get("late_days", ""), request.POST.get("very_late_days", "")
            for name, value in (("late_days", late), ("very_late_days", very)):
                if whole_number(value.strip()) is None:
                    raise InvalidInput.field(name, "whole days from 0 to 3650")
            benchmarks = {name: _percent(name, request.POST[name])
                          for name in ("late_benchmark", "very_late_benchmark")
                          if request.POST.get(name, "").strip()}
            cost_text = request.POST.get("very_late_miss_cost", "").strip()
            cost = whole_number(cost_text) if cost_text else None
            if cost_text and cost is None:
                raise InvalidInput.field("very_late_miss_cost", "a whole number from 1 to 100, "
                                         "or empty for the rule chosen for macro F1")
            services.settings_save(legal_entity=entity, late_days=int(late.strip()),
                                   very_late_days=int(very.strip()),
                                   features=request.POST.getlist("features"), actor=actor,
                                   learn_from_group=request.POST.get("learn_from_group") == "1",
                                   very_late_miss_cost=cost, **benchmarks)
            messages.success(request, "Settings saved. Train a new model for them to apply.")
        elif action == "train":
            model = services.model_train(
                legal_entity=entity, as_of=posted_date(request, "as_of"), actor=actor,
                test_from=(posted_date(request, "test_from")
                           if request.POST.get("test_from", "").strip() else None))
            messages.success(request, f"Trained v{model.version}: macro F1 "
                                      f"{model.metrics['model']['macro_f1']} (customer history "
                                      f"{model.metrics['baselines']['customer_history']['macro_f1']}"
                                      "). Publish it to use it.")
        elif action == "publish":
            version = request.POST.get("version", "")
            model = PredictionModel.objects.filter(
                legal_entity=entity, version=whole_number(version) or 0).first()
            if model is None:
                raise InvalidInput.field("version", "choose a model")
            services.model_publish(model=model, actor=actor)
            messages.success(request, f"v{model.version} is in use. The open invoices are "
                                      "being scored with it in the background.")
            behind = services.behind_history(model)
            if behind:
                messages.warning(request, f"On its test invoices v{model.version} was not "
                                          f"better than the customer's own history: {behind}.")
        elif action == "score":
            n = services.predictions_score(legal_entity=entity,
                                           as_of=posted_date(request, "as_of"), actor=actor)
            messages.success(request, f"{n} open invoices scored.")
        else:
            raise InvalidInput.field("action", "settings, train, publish or score")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("insights_models")


def _percent(name: str, text: str) -> Decimal:
    """A benchmark typed on the page: '60', '60 %' or '62,5' (read as any typed amount)."""
    try:
        value = parse_typed_amount(text.strip().rstrip("%"))
    except DomainError:
        value = None
    if value is None or not 0 <= value <= 100 or value != value.quantize(Decimal("0.01")):
        raise InvalidInput.field(name, "a percentage from 0 to 100, e.g. 60")
    return value
