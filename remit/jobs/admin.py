from django.contrib import admin

from remit.core.admin_base import AuditedAdmin

from .models import Schedule


@admin.register(Schedule)
class ScheduleAdmin(AuditedAdmin):
    list_display = ["name", "task_path", "cadence", "enabled", "next_run_at", "last_enqueued_at"]
    readonly_fields = ["last_enqueued_at", "last_result_id"]
