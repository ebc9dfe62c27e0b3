from django.contrib import admin

from remit.core.admin_base import AuditedAdmin, ReadOnlyAdmin

from .models import (
    Customer,
    CustomerGroup,
    CustomerTransaction,
    PostingProfile,
    PostingProfileLine,
    WriteOffLimit,
)


@admin.register(CustomerGroup)
class CustomerGroupAdmin(AuditedAdmin):
    list_display = ["legal_entity", "code", "name"]
    list_filter = ["legal_entity"]


class ProfileLineInline(admin.TabularInline):
    model = PostingProfileLine
    extra = 0
    raw_id_fields = ["customer"]


@admin.register(PostingProfile)
class PostingProfileAdmin(AuditedAdmin):
    list_display = ["legal_entity", "code", "name", "is_default"]
    list_filter = ["legal_entity"]
    inlines = [ProfileLineInline]


@admin.register(Customer)
class CustomerAdmin(AuditedAdmin):
    list_display = ["legal_entity", "account_number", "name", "group", "currency", "status"]
    list_filter = ["legal_entity", "group__code", "status", "currency"]
    search_fields = ["account_number", "name"]
    readonly_fields = ["legal_entity", "account_number", "currency"]

    def has_add_permission(self, request):
        return False  # customers are created in the app (service checks), not here

    def save_model(self, request, obj, form, change):
        obj.search_name = obj.name.casefold()
        super().save_model(request, obj, form, change)


@admin.register(CustomerTransaction)
class CustomerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["legal_entity", "customer", "kind", "document_number", "due_date", "currency",
                    "amount", "settled_amount", "is_open"]
    list_filter = ["legal_entity", "kind", "is_open"]
    search_fields = ["document_number", "customer__name"]


@admin.register(WriteOffLimit)
class WriteOffLimitAdmin(AuditedAdmin):
    list_display = ["legal_entity", "user", "max_amount"]
    list_filter = ["legal_entity"]
