"""Base classes for remit's admin: configuration is edited here, and every change is written to
remit's audit log (channel "admin") besides Django's own admin log."""

from django.contrib import admin

from .actor import Actor
from .audit import audit_record


class AuditedAdmin(admin.ModelAdmin):
    def _audit(self, request, obj, verb: str, message="") -> None:
        audit_record(actor=Actor.admin(request.user), action=f"admin.{verb}", obj=obj,
                     data={"change": str(message)[:500]} if message else None)

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "add", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "change", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "delete")
        return super().log_deletions(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Operational records: visible for support, changed only by their services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
