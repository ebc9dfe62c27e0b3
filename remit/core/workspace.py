"""The home workspace's figures, each read only when the user may see it."""

from django.db.models import F

from remit.core.db import ExactSum
from remit.core.scope import CustomerScope


def home_summary(user, legal_entity) -> dict:
    from remit.jobs.models import Schedule  # noqa: F401 - app loaded
    from remit.ledger.models import JournalEntry, LedgerCheckRun
    from remit.receivables.models import CustomerTransaction

    scope = CustomerScope(legal_entity, user)
    summary: dict = {"entity": legal_entity}
    if user.has_perm("receivables.view_customer"):
        summary["customers"] = scope.customers().count()
    if user.has_perm("receivables.view_customertransaction"):
        open_items = CustomerTransaction.objects.filter(scope.q(), legal_entity=legal_entity,
                                                        is_open=True)
        summary["open_items"] = open_items.count()
        summary["open_total"] = open_items.aggregate(
            t=ExactSum(F("amount_acc") - F("settled_acc"), zero=True))["t"]
    if user.has_perm("ledger.view_journalentry"):
        summary["recent_entries"] = list(
            JournalEntry.objects.filter(legal_entity=legal_entity).select_related("journal")
            .order_by("-entry_date", "-id")[:6])
    if user.has_perm("ledger.check_ledger") or user.has_perm("ledger.view_journalentry"):
        summary["last_check"] = LedgerCheckRun.objects.filter(legal_entity=legal_entity).first()
    if user.has_perm("insights.view_prediction"):
        from remit.insights.selectors import workspace_counts

        summary["predictions"] = workspace_counts(legal_entity, scope.q())
    if user.has_perm("credit.view_credithold"):
        from remit.credit.models import CreditHold, HoldStatus

        summary["open_holds"] = CreditHold.objects.filter(
            scope.q("order__customer"), legal_entity=legal_entity,
            status__in=(HoldStatus.OPEN, HoldStatus.PENDING)).count()
    if user.has_perm("crm.view_lead"):
        from remit.crm.models import Lead, LeadState

        open_leads = Lead.objects.filter(legal_entity=legal_entity, state=LeadState.OPEN)
        summary["leads"] = {"open": open_leads.count(),
                            "mine": open_leads.filter(owner=user).count()}
    if user.has_perm("crm.view_timelineentry"):
        from django.db.models import Count, Q
        from django.utils import timezone

        from remit.crm.models import EntryKind, TimelineEntry

        summary["activities"] = TimelineEntry.objects.filter(
            legal_entity=legal_entity, kind=EntryKind.ACTIVITY, assigned_to=user,
            done_at__isnull=True).aggregate(
            open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=timezone.localdate())))
    if user.has_perm("jobs.view_schedule"):
        from django_tasks_db.models import DBTaskResult

        from remit.jobs.selectors import worker_status

        summary["failed_jobs"] = DBTaskResult.objects.filter(status="FAILED").count()
        summary["worker"] = worker_status(now=timezone.now())
    return summary
