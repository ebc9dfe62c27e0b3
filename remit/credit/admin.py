"""Credit setup in the admin (parameters, reasons, statuses, groups, scoring, risk groups,
automatic limits); holds and checks are read-only records of what happened. Checkpoints are
edited on the blocking rules page, where grace days are checked all-or-none across the steps."""

from django.contrib import admin

from remit.core.admin_base import AuditedAdmin, ReadOnlyAdmin

from .models import (
    AccountStatus,
    AutomaticLimit,
    AutomaticLimitLine,
    BlockingRule,
    CreditCheck,
    CreditGroup,
    CreditHold,
    CreditParameters,
    CreditReason,
    ManagementGroup,
    RiskGroup,
    ScoringGroup,
    ScoringLine,
)


@admin.register(CreditParameters)
class CreditParametersAdmin(AuditedAdmin):
    list_display = ["legal_entity", "enabled", "limit_type", "check_credit_groups",
                    "allow_manual_limit_edit", "auto_release", "release_approval",
                    "adjustment_approval"]


@admin.register(CreditReason)
class CreditReasonAdmin(AuditedAdmin):
    list_display = ["legal_entity", "kind", "code", "description"]
    list_filter = ["legal_entity", "kind"]


@admin.register(AccountStatus)
class AccountStatusAdmin(AuditedAdmin):
    list_display = ["legal_entity", "code", "description", "hold"]
    list_filter = ["legal_entity"]


@admin.register(ManagementGroup)
class ManagementGroupAdmin(AuditedAdmin):
    list_display = ["legal_entity", "code", "name"]
    list_filter = ["legal_entity"]


@admin.register(CreditGroup)
class CreditGroupAdmin(AuditedAdmin):
    list_display = ["code", "description", "currency", "credit_limit", "limit_expires"]
    readonly_fields = ["credit_limit", "limit_expires", "limit_date"]  # adjustments change them


@admin.register(BlockingRule)
class BlockingRuleAdmin(AuditedAdmin):
    list_display = ["legal_entity", "rule_type", "kind", "scope", "value_type", "value",
                    "release_order", "is_active"]
    list_filter = ["legal_entity", "rule_type", "kind", "scope"]


class ScoringLineInline(admin.TabularInline):
    model = ScoringLine
    extra = 0


@admin.register(ScoringGroup)
class ScoringGroupAdmin(AuditedAdmin):
    list_display = ["legal_entity", "name", "group_type", "score_type"]
    list_filter = ["legal_entity"]
    inlines = [ScoringLineInline]


@admin.register(RiskGroup)
class RiskGroupAdmin(AuditedAdmin):
    list_display = ["legal_entity", "code", "description", "score_from", "score_to",
                    "indicator"]
    list_filter = ["legal_entity"]


class AutomaticLimitLineInline(admin.TabularInline):
    model = AutomaticLimitLine
    extra = 0


@admin.register(AutomaticLimit)
class AutomaticLimitAdmin(AuditedAdmin):
    list_display = ["legal_entity", "risk_group", "currency", "max_revenue"]
    inlines = [AutomaticLimitLineInline]


@admin.register(CreditHold)
class CreditHoldAdmin(ReadOnlyAdmin):
    list_display = ["legal_entity", "order", "step", "status", "held_on", "forced",
                    "decided_by_name"]
    list_filter = ["legal_entity", "status"]


@admin.register(CreditCheck)
class CreditCheckAdmin(ReadOnlyAdmin):
    list_display = ["legal_entity", "order", "step", "as_of", "outcome", "detail"]
    list_filter = ["legal_entity", "outcome"]
