from django.contrib import admin

from .actor import Actor
from .admin_base import AuditedAdmin, ReadOnlyAdmin
from .models import ApiToken, AuditLog, ExchangeRate, LegalEntity, NumberSequence, UserProfile
from .services import legal_entity_create

admin.site.site_header = "remit configuration"
admin.site.site_title = "remit admin"


@admin.register(LegalEntity)
class LegalEntityAdmin(AuditedAdmin):
    list_display = ["code", "name", "accounting_currency", "country", "is_active"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        # the currency the books are kept in cannot change once there are books
        return ["code", "accounting_currency"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = legal_entity_create(code=obj.code, name=obj.name,
                                      accounting_currency=obj.accounting_currency,
                                      country=obj.country, actor=Actor.admin(request.user))
        obj.pk = created.pk
        obj.created_at = created.created_at


@admin.register(NumberSequence)
class NumberSequenceAdmin(AuditedAdmin):
    list_display = ["legal_entity", "code", "name", "prefix", "width", "next_value"]
    list_filter = ["legal_entity"]
    readonly_fields = ["next_value"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(AuditedAdmin):
    list_display = ["from_currency", "to_currency", "valid_from", "rate"]
    list_filter = ["from_currency", "to_currency"]
    date_hierarchy = "valid_from"


@admin.register(UserProfile)
class UserProfileAdmin(AuditedAdmin):
    list_display = ["user", "all_legal_entities", "default_legal_entity"]
    filter_horizontal = ["legal_entities"]


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_name", "channel", "legal_entity", "action", "object_repr"]
    list_filter = ["channel", "legal_entity", "action"]
    search_fields = ["object_repr", "actor_name", "action"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
