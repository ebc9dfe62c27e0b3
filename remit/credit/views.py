"""Credit pages: the credit holds list (every legal entity the user may work in), a customer's
credit page (limit, exposure, available credit, risk, statistics, adjustments, holds), the
adjustment journals, and the blocking rules with the periodic tasks."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from remit.core.access import page
from remit.core.actor import Actor
from remit.core.exceptions import DomainError, InvalidInput
from remit.core.forms import posted_date
from remit.core.money import typed_amount
from remit.core.scope import across, scope_of
from remit.core.selectors import legal_entities_for
from remit.receivables import selectors as receivables
from remit.receivables.models import PaymentTerms
from remit.sales.models import SalesOrder

from . import adjustments, holds, risk, services
from .exposure import position
from .models import (
    AccountStatus,
    Adjustment,
    AdjustmentLine,
    AdjustmentType,
    BlockingRule,
    Checkpoint,
    CreditGroup,
    CreditHold,
    CreditReason,
    HoldStatus,
    ManagementGroup,
    ReasonType,
    RiskGroup,
    RuleKind,
    RuleType,
    Scope,
    ValueType,
)
from .rules_setup import blocking_rule_create, blocking_rule_toggle, checkpoints_save
from .setup import STEPS, credit_for, parameters_for


def _reason_choice(request, kind: str) -> CreditReason | None:
    return _pick(request, CreditReason, "reason", kind=kind)


def _pick(request, model, field: str, **scope):
    """The row a form's drop-down names (None when left empty), refused by field name when it
    is not one of the choices."""
    value = request.POST.get(field, "").strip()
    if not value:
        return None
    found = model.objects.filter(pk=int(value), **scope).first() if value.isdigit() else None
    if found is None:
        raise InvalidInput.field(field, "choose one from the list")
    return found


def _optional_date(request, field: str) -> date | None:
    return posted_date(request, field) if request.POST.get(field, "").strip() else None


# --- the credit holds list -----------------------------------------------------------------------

@page("credit.view_credithold")
def holds_list(request):
    entities = legal_entities_for(request.user)
    status = request.GET.get("status", "open")
    qs = (CreditHold.objects.filter(across(request.user, entities, "order__customer"),
                                    legal_entity__in=entities)
          .select_related("order__customer", "legal_entity", "release_reason", "requested_by")
          .prefetch_related("reasons"))
    if status == "open":
        qs = qs.filter(status__in=(HoldStatus.OPEN, HoldStatus.PENDING))
    elif status in HoldStatus.values:
        qs = qs.filter(status=status)
    entity = request.GET.get("entity") or request.legal_entity.code  # "all": every one
    if entity != "all":
        qs = qs.filter(legal_entity__code=entity)
    page_obj = Paginator(qs.order_by("-held_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "credit/holds.html", {
        "page_obj": page_obj, "status": status, "entities": entities,
        "entity": entity,
        "statuses": [("open", "Open credit holds"), ("all", "All credit holds"),
                     *HoldStatus.choices],
        "release_reasons": CreditReason.objects.filter(legal_entity=request.legal_entity,
                                                       kind=ReasonType.RELEASE),
        "today": timezone.localdate()})


@require_POST
@page("credit.release_credithold")
def holds_action(request):
    """Release, reject, approve or decline the ticked holds, or evaluate them (or all)."""
    entities = legal_entities_for(request.user)
    ids = [int(i) for i in request.POST.getlist("hold") if i.isdigit()]
    chosen = list(CreditHold.objects.filter(across(request.user, entities, "order__customer"),
                                            pk__in=ids, legal_entity__in=entities)
                  .select_related("order", "legal_entity"))
    action = request.POST.get("action", "")
    actor = Actor.web(request.user)
    done, errors = 0, []
    try:
        on = posted_date(request, "on")
        if action == "evaluate":
            by_entity = {}
            for hold in chosen:
                by_entity.setdefault(hold.legal_entity, []).append(hold)
            if not ids:  # evaluate every open hold of the current legal entity
                by_entity = {request.legal_entity: None}
            for entity, some in by_entity.items():
                result = holds.holds_evaluate(legal_entity=entity, as_of=on, holds=some,
                                              actor=actor)
                messages.success(request, f"{entity.code}: {result.evaluated} evaluated, "
                                          f"{result.cleared} reasons cleared, {result.ready} "
                                          f"ready to release, {result.released} released.")
            return redirect(f"/credit/holds/?status={request.POST.get('status', 'open')}")
        if not chosen:
            raise InvalidInput.field("hold", "tick at least one hold")
        reason = _reason_choice(request, ReasonType.RELEASE)
        if reason is None and action in ("release", "release_posting", "reject"):
            raise InvalidInput.field("reason", "choose a reason: the hold's history says why "
                                     "it was released or rejected")
        for hold in chosen:
            try:
                if action in ("release", "release_posting"):
                    result = holds.hold_release(
                        hold=hold, reason=reason, review_date=_optional_date(request, "review"),
                        posting=action == "release_posting", on=on,
                        note=request.POST.get("note", ""), actor=actor)
                    if result is not None and not result.posted:
                        errors.append(f"{hold.order}: {result.message}")
                        continue
                elif action == "reject":
                    holds.hold_reject(hold=hold, reason=reason, note=request.POST.get("note", ""),
                                      actor=actor)
                elif action in ("approve", "decline"):
                    holds.hold_decide_request(hold=hold, approve=action == "approve", on=on,
                                              actor=actor)
                else:
                    raise InvalidInput.field("action", "choose what to do")
                done += 1
            except DomainError as exc:
                errors.append(f"{hold.order}: {exc.message}")
    except DomainError as exc:
        errors.append(exc.message)
    if done:
        what = {"release": "released without posting", "release_posting":
                "released with posting", "reject": "rejected", "approve": "request approved",
                "decline": "request declined"}.get(action, action)
        messages.success(request, f"{done} hold{'s' if done != 1 else ''} {what}.")
    for error in errors:
        messages.error(request, error)
    return redirect(f"/credit/holds/?status={request.POST.get('status', 'open')}")


@require_POST
@page("credit.release_credithold")
def force_hold(request, number: str):
    order = SalesOrder.objects.filter(scope_of(request).q(), legal_entity=request.legal_entity,
                                      number=number).first()
    if order is None:
        raise Http404(f"no sales order {number}")
    try:
        reason = _pick(request, CreditReason, "reason", legal_entity=request.legal_entity,
                       kind=ReasonType.HOLD)
        if reason is None:
            raise InvalidInput.field("reason", "choose a hold reason")
        holds.hold_force(order=order, reason=reason, on=timezone.localdate(),
                         note=request.POST.get("note", ""), actor=Actor.web(request.user))
        messages.success(request, f"{order} is on a forced credit hold.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("sales_order", order.number)


# --- the customer credit page --------------------------------------------------------------------

@page("credit.view_customercredit")
def customer_credit(request, account_number: str):
    customer = receivables.customer_by_number(scope_of(request), account_number)
    today = timezone.localdate()
    try:
        pos = position(customer, today)
    except DomainError as exc:  # e.g. no exchange rate for an order's or a cover's currency
        messages.error(request, f"The credit position cannot be computed: {exc.message}")
        return redirect("customer", customer.account_number)
    credit = pos.credit
    return render(request, "credit/customer.html", {
        "customer": customer, "pos": pos, "credit": credit, "today": today,
        "params": parameters_for(request.legal_entity),
        "temporary": credit.temporary.order_by("-valid_from")[:10],
        "insurances": credit.insurances.order_by("-effective"),
        "statistics": credit.statistics.order_by("-as_of")[:12],
        "scores": risk.customer_scores(customer),
        "adjustment_lines": AdjustmentLine.objects.filter(customer_credit=credit)
        .select_related("adjustment", "adjustment__posted_by").order_by("-adjustment__number")[:20],
        "holds": CreditHold.objects.filter(order__customer=customer)
        .select_related("order", "release_reason", "forced_reason", "requested_by")
        .prefetch_related("reasons")[:20],
        "orders": SalesOrder.objects.filter(customer=customer).exclude(status__in=("invoiced",
                                                                                  "cancelled"))
        .order_by("-order_date")[:20],
        "account_statuses": AccountStatus.objects.filter(legal_entity=request.legal_entity),
        "management_groups": ManagementGroup.objects.filter(legal_entity=request.legal_entity),
        "groups": CreditGroup.objects.order_by("code")})


@require_POST
@page("credit.change_customercredit")
def customer_credit_edit(request, account_number: str):
    customer = receivables.customer_by_number(scope_of(request), account_number)
    try:
        with transaction.atomic():  # the attributes and the group change together, or neither
            _customer_credit_save(request, customer)
        messages.success(request, "Credit details saved.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("credit_customer", customer.account_number)


def _customer_credit_save(request, customer) -> None:
    post = request.POST
    changes = {key: bool(post.get(key)) for key in ("unlimited", "mandatory", "exclude")}
    for key in ("ignore_until", "next_review", "last_review", "business_started"):
        changes[key] = _optional_date(request, key)
    changes["notes"] = post.get("notes", "")
    changes["annual_revenue"] = (typed_amount("annual_revenue", post["annual_revenue"])
                                 if post.get("annual_revenue") else None)
    changes["account_status"] = _pick(request, AccountStatus, "account_status",
                                      legal_entity=request.legal_entity)
    changes["management_group"] = _pick(request, ManagementGroup, "management_group",
                                        legal_entity=request.legal_entity)
    if "credit_limit" in post:
        changes["credit_limit"] = typed_amount("credit_limit", post["credit_limit"] or "0")
        changes["limit_expires"] = _optional_date(request, "limit_expires")
    services.customer_credit_update(customer=customer, on=timezone.localdate(),
                                    actor=Actor.web(request.user), **changes)
    group_id = post.get("credit_group", "")
    current = credit_for(customer).credit_group_id
    if group_id != str(current or ""):
        if current:
            services.credit_group_remove(customer=customer, actor=Actor.web(request.user))
        if group_id:
            group = _pick(request, CreditGroup, "credit_group")
            services.credit_group_add(group=group, customer=customer,
                                      actor=Actor.web(request.user))


@require_POST
@page("credit.add_insurance")
def insurance_add(request, account_number: str):
    customer = receivables.customer_by_number(scope_of(request), account_number)
    post = request.POST
    try:
        services.insurance_add(
            customer=customer, kind=post.get("kind", ""), insurer=post.get("insurer", ""),
            effective=posted_date(request, "effective"), expires=posted_date(request, "expires"),
            value=typed_amount("value", post.get("value") or "0"),
            currency=post.get("currency", "").upper(),
            update_percent=typed_amount("update_percent", post.get("update_percent") or "0"),
            included_in_exposure=bool(post.get("included_in_exposure")),
            policy_number=post.get("policy_number", ""),
            coverage_type=post.get("coverage_type", ""), actor=Actor.web(request.user))
        messages.success(request, "Insurance or guarantee added.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(f"/credit/customers/{customer.account_number}/#insurance")


# --- adjustment journals -------------------------------------------------------------------------

@page("credit.view_adjustment")
def adjustments_list(request):
    qs = Adjustment.objects.filter(legal_entity=request.legal_entity).select_related(
        "created_by", "posted_by")
    page_obj = Paginator(qs.order_by("-number"), 50).get_page(request.GET.get("page"))
    return render(request, "credit/adjustments.html", {"page_obj": page_obj,
                                                       "kinds": AdjustmentType.choices})


@require_POST
@page("credit.add_adjustment")
def adjustment_new(request):
    try:
        journal = adjustments.adjustment_create(
            legal_entity=request.legal_entity, kind=request.POST.get("kind", ""),
            description=request.POST.get("description", ""), actor=Actor.web(request.user))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("credit_adjustments")
    return redirect("credit_adjustment", journal.number)


def _adjustment(request, number: str) -> Adjustment:
    found = Adjustment.objects.filter(legal_entity=request.legal_entity, number=number).first()
    if found is None:
        raise Http404(f"no adjustment journal {number}")
    return found


@page("credit.view_adjustment")
def adjustment(request, journal: str):
    journal = _adjustment(request, journal)
    return render(request, "credit/adjustment.html", {
        "journal": journal, "params": parameters_for(request.legal_entity),
        "lines": journal.lines.select_related("customer_credit__customer", "credit_group"),
        "groups": CreditGroup.objects.order_by("code"), "today": timezone.localdate()})


@require_POST
@page("credit.change_adjustment")
def adjustment_action(request, journal: str, action: str):
    journal = _adjustment(request, journal)
    actor, post = Actor.web(request.user), request.POST
    try:
        if action == "line":
            customer = (receivables.customer_by_number(scope_of(request),
                                                       post["customer"].strip())
                        if post.get("customer", "").strip() else None)
            group = (CreditGroup.objects.filter(code=post["group"]).first()
                     if post.get("group") else None)
            adjustments.adjustment_line_add(
                adjustment=journal, customer=customer, credit_group=group,
                new_limit=typed_amount("new_limit", post.get("new_limit") or "0"),
                new_from=_optional_date(request, "new_from"),
                new_to=_optional_date(request, "new_to"), actor=actor)
        elif action == "generate":
            customers = None
            numbers = [n.strip() for n in post.get("customers", "").split(",") if n.strip()]
            if numbers:
                customers = [receivables.customer_by_number(scope_of(request), n)
                             for n in numbers]
            made = adjustments.adjustment_generate(
                adjustment=journal, value=typed_amount("value", post.get("value") or "0"),
                value_type=post.get("value_type", "fixed"),
                round_off=post.get("round_off") or None, rounding=post.get("rounding", "nearest"),
                method=post.get("method", "absolute"),
                new_from=_optional_date(request, "new_from"),
                new_to=_optional_date(request, "new_to"),
                from_days=_days(post, "from_days"), to_days=_days(post, "to_days"),
                customers=customers, actor=actor)
            messages.success(request, f"{made} line(s) generated.")
        elif action == "automatic":
            made = adjustments.adjustment_generate_automatic(
                adjustment=journal, new_from=_optional_date(request, "new_from"),
                new_to=_optional_date(request, "new_to"), actor=actor)
            messages.success(request, f"{made} line(s) from the automatic credit limits.")
        elif action == "submit":
            adjustments.adjustment_submit(adjustment=journal, actor=actor)
        elif action in ("approve", "reject"):
            adjustments.adjustment_approve(adjustment=journal, approve=action == "approve",
                                           actor=actor)
        elif action == "post":
            adjustments.adjustment_post(adjustment=journal, on=timezone.localdate(), actor=actor)
            messages.success(request, f"{journal} posted: the new limits apply.")
        else:
            raise Http404("no such action")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("credit_adjustment", journal.number)


def _days(post, field: str) -> int:
    text = post.get(field, "").strip() or "0"
    if not text.lstrip("-").isdigit() or len(text) > 6:
        raise InvalidInput.field(field, "a whole number of days")
    return int(text)


# --- blocking rules, checkpoints and periodic tasks -----------------------------------------------

@page("credit.view_blockingrule")
def rules_page(request):
    entity = request.legal_entity
    return render(request, "credit/rules.html", {
        "rules": BlockingRule.objects.filter(legal_entity=entity).select_related(
            "customer", "management_group", "risk_group", "account_status", "payment_terms"),
        "checkpoints": Checkpoint.objects.filter(legal_entity=entity),
        "params": parameters_for(entity), "rule_types": RuleType.choices,
        "scopes": Scope.choices, "kinds": RuleKind.choices, "value_types": ValueType.choices,
        "account_statuses": AccountStatus.objects.filter(legal_entity=entity),
        "management_groups": ManagementGroup.objects.filter(legal_entity=entity),
        "risk_groups": RiskGroup.objects.filter(legal_entity=entity),
        "payment_terms": PaymentTerms.objects.filter(legal_entity=entity),
        "hold_reasons": CreditReason.objects.filter(legal_entity=entity, kind=ReasonType.HOLD),
        "today": timezone.localdate()})


@require_POST
@page("credit.add_blockingrule")
def rule_add(request):
    post = request.POST
    try:
        customer = (receivables.customer_by_number(scope_of(request), post["customer"].strip())
                    if post.get("customer", "").strip() else None)
        blocking_rule_create(
            legal_entity=request.legal_entity, rule_type=post.get("rule_type", ""),
            scope=post.get("scope", "all"), kind=post.get("kind", "blocking"),
            value_type=post.get("value_type", "none"),
            value=typed_amount("value", post["value"]) if post.get("value") else None,
            limit_threshold=(typed_amount("limit_threshold", post["limit_threshold"])
                             if post.get("limit_threshold") else None),
            customer=customer,
            management_group=_pick(request, ManagementGroup, "management_group",
                                   legal_entity=request.legal_entity),
            account_status=_pick(request, AccountStatus, "account_status",
                                 legal_entity=request.legal_entity),
            risk_group=_pick(request, RiskGroup, "risk_group", legal_entity=request.legal_entity),
            payment_terms=_pick(request, PaymentTerms, "payment_terms",
                                legal_entity=request.legal_entity),
            release_order=bool(post.get("release_order")), actor=Actor.web(request.user))
        messages.success(request, "Rule added.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("credit_rules")


@require_POST
@page("credit.change_blockingrule")
def rule_toggle(request, rule_id: int):
    rule = BlockingRule.objects.filter(legal_entity=request.legal_entity, pk=rule_id).first()
    if rule is None:
        raise Http404("no such rule")
    blocking_rule_toggle(rule=rule, actor=Actor.web(request.user))
    return redirect("credit_rules")


@require_POST
@page("credit.change_blockingrule")
def checkpoints_edit(request):
    post = request.POST
    try:
        settings = {}
        for step in STEPS:
            grace = post.get(f"grace_{step}", "0").strip() or "0"
            if not grace.isdigit():
                raise InvalidInput.field(("grace_days", step), "whole days")
            settings[step] = (bool(post.get(f"posting_{step}")),
                              bool(post.get(f"pro_forma_{step}")), int(grace))
        checkpoints_save(legal_entity=request.legal_entity, settings=settings,
                         actor=Actor.web(request.user))
        messages.success(request, "Checkpoints saved.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("credit_rules")


@require_POST
@page("credit.add_balancestatistic")
def run_task(request, task: str):
    """The periodic tasks, run now for the current legal entity."""
    entity, actor = request.legal_entity, Actor.web(request.user)
    try:
        on = posted_date(request, "on")
        if task == "statistics":
            n = risk.balance_statistics_calculate(legal_entity=entity, as_of=on, actor=actor)
            messages.success(request, f"Balance statistics for {n} customers as of {on}.")
        elif task == "risk":
            result = risk.risk_scores_update(legal_entity=entity, as_of=on, actor=actor)
            messages.success(request, f"Risk scores for {result.customers} customers; "
                                      f"{result.grouped} are in a risk group.")
        elif task == "force":
            reason = _reason_choice(request, ReasonType.HOLD)
            if reason is None:
                raise InvalidInput.field("reason", "choose a hold reason")
            customer = (receivables.customer_by_number(scope_of(request),
                                                       request.POST["customer"].strip())
                        if request.POST.get("customer", "").strip() else None)
            n = holds.holds_force(legal_entity=entity, reason=reason, on=on, customer=customer,
                                  actor=actor)
            messages.success(request, f"{n} order(s) put on a forced credit hold.")
        elif task == "delete":
            n = risk.balance_statistics_delete(legal_entity=entity,
                                               until=posted_date(request, "until"), as_of=on,
                                               actor=actor)
            messages.success(request, f"{n} statistics rows deleted.")
        else:
            raise Http404("no such task")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("credit_rules")
