from django.contrib import admin
from django.urls import path

from remit.api import api
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
