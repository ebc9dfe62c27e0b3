from django.core.paginator import Paginator
from django.shortcuts import render

from remit.core.access import page

from . import selectors


@page("receivables.view_customer")
def customers(request):
    q = request.GET.get("q", "").strip()
    qs = selectors.customers_list(request.legal_entity, text=q or None,
                                  group=request.GET.get("group") or None)
    page_obj = Paginator(qs, 50).get_page(request.GET.get("page"))
    template = "receivables/_customers_table.html" if request.htmx else "receivables/customers.html"
    return render(request, template, {"page_obj": page_obj, "q": q})
