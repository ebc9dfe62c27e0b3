from django.contrib import admin

from remit.core.admin_base import AuditedAdmin, ReadOnlyAdmin

from .models import Account, Journal, JournalEntry, JournalLine, LedgerCheckRun


@admin.register(Account)
class AccountAdmin(AuditedAdmin):
    list_display = ["legal_entity", "number", "name", "account_type", "role", "is_blocked"]
    list_filter = ["legal_entity", "account_type", "role"]
    search_fields = ["number", "name"]


@admin.register(Journal)
class JournalAdmin(AuditedAdmin):
    list_display = ["legal_entity", "code", "name", "journal_type", "sequence", "is_active"]
    list_filter = ["legal_entity", "journal_type"]


class LineInline(admin.TabularInline):
    model = JournalLine
    fields = ["line_no", "account", "description", "currency", "debit", "credit", "debit_acc",
              "credit_acc", "exchange_rate"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    """Posted entries never change; this view is for looking only (reverse from the app)."""

    list_display = ["number", "legal_entity", "journal", "entry_date", "description", "status",
                    "source"]
    list_filter = ["legal_entity", "journal", "status", "source"]
    search_fields = ["number", "description"]
    inlines = [LineInline]


@admin.register(LedgerCheckRun)
class LedgerCheckRunAdmin(ReadOnlyAdmin):
    list_display = ["finished_at", "ok", "entries_checked", "actor_name", "channel"]
