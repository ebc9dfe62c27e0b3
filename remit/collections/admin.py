from django.contrib import admin

from remit.core.admin_base import AuditedAdmin

from .models import (
    AgingPeriod,
    AgingPeriodDefinition,
    CaseCategory,
    CollectionsAgent,
    CollectionsProcess,
    CollectionsTeam,
    CustomerPool,
    EmailTemplate,
    LetterLevel,
    LetterSequence,
    ProcessStep,
    WaiveLimit,
)


class PeriodInline(admin.TabularInline):
    model = AgingPeriod
    extra = 0


@admin.register(AgingPeriodDefinition)
class AgingPeriodDefinitionAdmin(AuditedAdmin):
    list_display = ["legal_entity", "code", "name", "criteria", "is_default"]
    list_filter = ["legal_entity"]
    inlines = [PeriodInline]


@admin.register(CustomerPool)
class CustomerPoolAdmin(AuditedAdmin):
    list_display = ["legal_entity", "code", "description", "groups", "min_total_due",
                    "min_days_overdue"]
    list_filter = ["legal_entity"]


@admin.register(CollectionsTeam)
class CollectionsTeamAdmin(AuditedAdmin):
    list_display = ["legal_entity", "code", "name"]
    list_filter = ["legal_entity"]


@admin.register(CollectionsAgent)
class CollectionsAgentAdmin(AuditedAdmin):
    list_display = ["legal_entity", "user", "team", "default_pool", "view_all_pools"]
    list_filter = ["legal_entity", "team"]
    filter_horizontal = ["pools"]


@admin.register(CaseCategory)
class CaseCategoryAdmin(AuditedAdmin):
    list_display = ["legal_entity", "code", "name", "category_type"]
    list_filter = ["legal_entity"]


@admin.register(EmailTemplate)
class EmailTemplateAdmin(AuditedAdmin):
    list_display = ["legal_entity", "code", "name", "subject"]
    list_filter = ["legal_entity"]


class LetterLevelInline(admin.TabularInline):
    model = LetterLevel
    extra = 0


@admin.register(LetterSequence)
class LetterSequenceAdmin(AuditedAdmin):
    list_display = ["legal_entity", "code", "description", "is_default", "per_transaction"]
    list_filter = ["legal_entity"]
    inlines = [LetterLevelInline]


class ProcessStepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0


@admin.register(CollectionsProcess)
class CollectionsProcessAdmin(AuditedAdmin):
    list_display = ["legal_entity", "code", "description", "pool", "rank", "quiet_days",
                    "track_step", "is_active"]
    list_filter = ["legal_entity"]
    inlines = [ProcessStepInline]


@admin.register(WaiveLimit)
class WaiveLimitAdmin(AuditedAdmin):
    list_display = ["legal_entity", "user", "max_amount"]
    list_filter = ["legal_entity"]
