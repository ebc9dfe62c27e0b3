from django.db.models import F, Q, QuerySet

from remit.core.db import ExactSum
from remit.core.exceptions import NotFound
from remit.core.models import LegalEntity

from .models import Customer, CustomerTransaction


def customers_list(legal_entity: LegalEntity, *, text: str | None = None,
                   group: str | None = None) -> QuerySet[Customer]:
    qs = (Customer.objects.filter(legal_entity=legal_entity).select_related("group")
          .annotate(balance=ExactSum(F("transactions__amount") - F("transactions__settled_amount"),
                                     zero=True))
          .order_by("account_number"))
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(account_number__startswith=text))
    if group:
        qs = qs.filter(group__code=group)
    return qs


def customer_by_number(legal_entity: LegalEntity, account_number: str) -> Customer:
    customer = (Customer.objects.filter(legal_entity=legal_entity, account_number=account_number)
                .select_related("group", "legal_entity").first())
    if customer is None:
        raise NotFound(f"No customer {account_number} in {legal_entity.code}")
    return customer


def open_items(customer: Customer) -> QuerySet[CustomerTransaction]:
    return (CustomerTransaction.objects.filter(customer=customer, is_open=True)
            .select_related("journal_entry")
            .annotate(open_amount=F("amount") - F("settled_amount"))
            .order_by("due_date", "id"))
