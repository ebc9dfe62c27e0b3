"""Which CRM records an agent limited to customer pools may see: an account that has become a
receivables customer is that customer's record, so it follows the customer scope (core.scope);
its contacts and opportunities follow their account. Prospects, records with no customer
behind them, are not limited by pools."""

from __future__ import annotations

from django.db.models import Q

from remit.core.scope import CustomerScope

# The path from each CRM model to the receivables customer it belongs to, if any.
CUSTOMER_PATH = {"account": "customer", "contact": "account__customer",
                 "opportunity": "account__customer", "timelineentry": "account__customer"}


def crm_visible(model, scope: CustomerScope) -> Q:
    path = CUSTOMER_PATH.get(model._meta.model_name)
    if path is None or not scope.limited:
        return Q()
    return Q(**{f"{path}__isnull": True}) | scope.q(path)


def crm_records(model_or_queryset, request):
    """A CRM model's records (or a queryset of them) in the request's legal entity that its
    user may see: what every CRM page and API operation reads from."""
    from remit.core.scope import scope_of

    qs = (model_or_queryset.all() if hasattr(model_or_queryset, "model")
          else model_or_queryset.objects.all())
    return qs.filter(crm_visible(qs.model, scope_of(request)), legal_entity=request.legal_entity)
