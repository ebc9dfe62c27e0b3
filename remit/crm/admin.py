"""Administration of qualification settings, field mappings, duplicate rules and the lead
lifecycle. Publishing a rule goes through the service (the five-rule limit, the codes)."""

from django.contrib import admin, messages

from remit.core.actor import Actor
from remit.core.admin_base import AuditedAdmin
from remit.core.exceptions import DomainError

from . import duplicates
from .models import DuplicateRule, FieldMapping, QualificationSettings, StatusReason, Transition


@admin.register(QualificationSettings)
class QualificationSettingsAdmin(AuditedAdmin):
    list_display = ["legal_entity", "account_mode", "contact_mode", "opportunity_mode",
                    "multiple_opportunities", "lead_summary", "customer_on_won"]


@admin.register(FieldMapping)
class FieldMappingAdmin(AuditedAdmin):
    list_display = ["legal_entity", "target", "lead_field", "target_field", "is_default"]
    list_filter = ["legal_entity", "target", "is_default"]
    readonly_fields = ["is_default"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_default  # the defaults cannot be deleted


@admin.register(DuplicateRule)
class DuplicateRuleAdmin(AuditedAdmin):
    list_display = ["legal_entity", "name", "record_type", "matching_type", "kind",
                    "exclude_inactive", "is_published"]
    list_filter = ["legal_entity", "record_type", "is_published"]
    readonly_fields = ["is_published", "published_at"]
    actions = ["publish", "unpublish"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None
                                                                or not obj.is_published)

    @admin.action(description="Publish (builds the match codes)")
    def publish(self, request, queryset):
        self._each(request, queryset, duplicates.rule_publish)

    @admin.action(description="Unpublish (to edit)")
    def unpublish(self, request, queryset):
        self._each(request, queryset, duplicates.rule_unpublish)

    def _each(self, request, queryset, service):
        for rule in queryset:
            try:
                service(rule=rule, actor=Actor.admin(request.user))
            except DomainError as exc:
                self.message_user(request, f"{rule}: {exc.message}", messages.ERROR)


@admin.register(StatusReason)
class StatusReasonAdmin(AuditedAdmin):
    list_display = ["code", "label", "state", "position"]


@admin.register(Transition)
class TransitionAdmin(AuditedAdmin):
    list_display = ["source", "target", "action"]
