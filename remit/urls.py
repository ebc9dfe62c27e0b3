from django.contrib import admin
from django.urls import path

from remit.api import api
from remit.collections import views as collections
from remit.core import views as core
from remit.jobs import views as jobs
from remit.ledger import views as ledger
from remit.receivables import views as receivables

handler403 = "remit.core.views.forbidden"
handler404 = "remit.core.views.not_found"

urlpatterns = [
    path("", core.home, name="home"),
    path("login/", core.login_view, name="login"),
    path("logout/", core.logout_view, name="logout"),
    path("health/", core.health, name="health"),
    path("favicon.ico", core.favicon, name="favicon"),
    path("entity/switch/", core.switch_entity, name="switch_entity"),
    path("profile/tokens/", core.tokens, name="tokens"),
    path("audit/", core.audit, name="audit"),
    path("customers/", receivables.customers, name="customers"),
    path("customers/new/", receivables.customer_new, name="customer_new"),
    path("customers/<str:account_number>/", receivables.customer, name="customer"),
    path("customers/<str:account_number>/edit/", receivables.customer_edit, name="customer_edit"),
    path("customers/<str:account_number>/invoice/", receivables.invoice_new, name="invoice_new"),
    path("customers/<str:account_number>/payment/", receivables.payment_new, name="payment_new"),
    path("customers/<str:account_number>/settle/", receivables.settle_auto, name="settle_auto"),
    path("customers/<str:account_number>/statement.pdf", receivables.customer_statement,
         name="customer_statement"),
    path("customers/<str:account_number>/open-items.xlsx", receivables.customer_open_items_xlsx,
         name="customer_open_items_xlsx"),
    path("imports/", receivables.imports, name="imports"),
    path("transactions/", receivables.transactions, name="transactions"),
    path("invoices/", receivables.invoices, name="invoices"),
    path("invoices/<int:invoice_id>/", receivables.invoice, name="invoice"),
    path("invoices/<int:invoice_id>/edit/", receivables.invoice_edit, name="invoice_edit"),
    path("invoices/<int:invoice_id>/post/", receivables.invoice_post, name="invoice_post"),
    path("invoices/<int:invoice_id>/credit/", receivables.invoice_credit, name="invoice_credit"),
    path("invoices/<int:invoice_id>/correct/", receivables.invoice_correct,
         name="invoice_correct"),
    path("settlements/<int:settlement_id>/reverse/", receivables.settlement_reverse,
         name="settlement_reverse"),
    path("collections/", collections.aged_balances, name="aged_balances"),
    path("collections/age/", collections.age_now, name="age_now"),
    path("collections/customers/<str:account_number>/", collections.customer_page,
         name="collections_customer"),
    path("collections/customers/<str:account_number>/status/", collections.set_status,
         name="collections_status"),
    path("collections/customers/<str:account_number>/settle/", collections.settle_marked,
         name="collections_settle"),
    path("collections/customers/<str:account_number>/write-off/", collections.write_off,
         name="collections_write_off"),
    path("collections/customers/<str:account_number>/nsf/<int:item_id>/", collections.bounce,
         name="collections_nsf"),
    path("collections/customers/<str:account_number>/activities/", collections.activity_add,
         name="collections_activity_add"),
    path("collections/customers/<str:account_number>/cases/", collections.case_add,
         name="collections_case_add"),
    path("collections/activities/", collections.activities_list, name="collections_activities"),
    path("collections/activities/<int:activity_id>/close/", collections.activity_done,
         name="collections_activity_close"),
    path("collections/cases/", collections.cases_list, name="collections_cases"),
    path("collections/cases/<int:case_id>/close/", collections.case_done,
         name="collections_case_close"),
    path("ledger/entries/", ledger.entries, name="entries"),
    path("ledger/entries/new/", ledger.entry_new, name="entry_new"),
    path("ledger/entries/<int:entry_id>/", ledger.entry, name="entry"),
    path("ledger/entries/<int:entry_id>/reverse/", ledger.entry_reverse, name="entry_reverse"),
    path("ledger/accounts/", ledger.accounts, name="accounts"),
    path("ledger/check/", ledger.check, name="ledger_check"),
    path("jobs/", jobs.jobs, name="jobs"),
    path("jobs/<str:job_id>/retry/", jobs.retry, name="job_retry"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
