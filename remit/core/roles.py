"""The roles remit ships with, as Django groups, and the permissions each one holds.

Exchange rates and background jobs serve every legal entity at once, so only administrators
change rates and see jobs (a person limited to one legal entity must not move another's books
or read its job errors).

Why in code: the role × endpoint matrix test reads this table, so a new permission or endpoint is
either given to roles here or visibly refused; every ``migrate`` brings the groups in line with
it (an administrator may still add groups of their own in the admin).
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

ADMINISTRATOR = "Administrator"
CREDIT_MANAGER = "Credit manager"
COLLECTIONS_MANAGER = "Collections manager"
COLLECTIONS_AGENT = "Collections agent"
AR_CLERK = "AR clerk"
SALES_MANAGER = "Sales manager"
SALES_REP = "Sales rep"

EVERYONE = ("core.access_remit", "core.use_api", "core.view_legalentity")
COLLECTIONS_WORK = ("collections.view_agingsnapshot", "collections.add_agingsnapshot",
                    "collections.change_collection_status", "receivables.change_settlement",
                    "receivables.write_off", "receivables.register_nsf",
                    "collections.view_activity", "collections.add_activity",
                    "collections.change_activity", "collections.view_collectionscase",
                    "collections.add_collectionscase", "collections.change_collectionscase",
                    "collections.view_interestnote", "collections.add_interestnote",
                    "collections.waive_interest", "collections.view_collectionletter",
                    "collections.add_collectionletter")
LEDGER_READ = ("ledger.view_account", "ledger.view_journalentry", "ledger.view_journal")
CREDIT_READ = ("credit.view_customercredit", "credit.view_credithold",
               "credit.view_adjustment", "sales.view_salesorder")
SALES_WORK = ("sales.view_salesorder", "sales.add_salesorder", "sales.change_salesorder",
              "sales.post_salesorder", "credit.view_customercredit", "credit.view_credithold")
CREDIT_WORK = CREDIT_READ + (
    "credit.change_customercredit", "credit.change_credit_limit", "credit.exclude_order",
    "credit.add_adjustment", "credit.change_adjustment", "credit.post_adjustment",
    "credit.approve_adjustment", "credit.release_credithold", "credit.approve_credithold",
    "credit.add_insurance", "credit.change_insurance", "credit.view_insurance",
    "credit.add_creditgroup", "credit.change_creditgroup", "credit.view_creditgroup",
    "credit.view_blockingrule", "credit.add_blockingrule", "credit.change_blockingrule",
    "credit.delete_blockingrule", "credit.view_creditparameters",
    "credit.change_creditparameters", "credit.add_balancestatistic",
    "credit.delete_balancestatistic", "credit.view_balancestatistic",
    "sales.post_salesorder")
INSIGHTS_READ = ("insights.view_prediction", "insights.view_predictionmodel")
INSIGHTS_WORK = INSIGHTS_READ + ("insights.add_prediction", "insights.add_predictionmodel",
                                 "insights.publish_predictionmodel",
                                 "insights.change_insightssettings")
CRM_WORK = ("crm.view_lead", "crm.add_lead", "crm.change_lead", "crm.qualify_lead",
            "crm.view_account", "crm.add_account", "crm.change_account",
            "crm.view_contact", "crm.add_contact", "crm.change_contact",
            "crm.view_opportunity", "crm.add_opportunity", "crm.change_opportunity",
            "crm.view_timelineentry", "crm.add_timelineentry", "crm.view_fieldmapping",
            "crm.view_duplicaterule", "crm.view_qualificationsettings")
CRM_ADMIN = ("crm.change_duplicaterule", "crm.add_duplicaterule", "crm.add_fieldmapping",
             "crm.delete_fieldmapping", "crm.change_qualificationsettings",
             "crm.change_timelineentry", "receivables.add_customer")
CUSTOMER_READ = ("receivables.view_customer", "receivables.view_customertransaction",
                 "receivables.view_invoice", "receivables.view_settlement",
                 "receivables.view_paymentjournal")

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    # The administrator holds every permission of remit's own apps (filled in below).
    ADMINISTRATOR: (),
    CREDIT_MANAGER: EVERYONE + LEDGER_READ + CUSTOMER_READ + CREDIT_WORK + (
        *INSIGHTS_WORK,
        "core.view_auditlog", "core.view_exchangerate", "ledger.check_ledger",
        "collections.view_agingsnapshot", "collections.view_activity",
        "collections.view_collectionscase",
    ),
    COLLECTIONS_MANAGER: EVERYONE + LEDGER_READ + CUSTOMER_READ + COLLECTIONS_WORK + (
        *CREDIT_READ, *INSIGHTS_WORK,
        "core.view_auditlog", "core.view_exchangerate",
        "collections.add_customerpool", "collections.change_customerpool",
        "collections.view_customerpool", "collections.add_collectionsagent",
        "collections.change_collectionsagent", "collections.view_collectionsagent",
        "collections.add_collectionsteam", "collections.change_collectionsteam",
        "collections.view_collectionsteam", "collections.reverse_interest",
        "collections.add_interestcode", "collections.change_interestcode",
        "collections.view_interestcode", "collections.add_lettersequence",
        "collections.change_lettersequence", "collections.view_lettersequence",
        "collections.add_emailtemplate", "collections.change_emailtemplate",
        "collections.view_emailtemplate",
    ),
    COLLECTIONS_AGENT: EVERYONE + CUSTOMER_READ + COLLECTIONS_WORK + INSIGHTS_READ + (
        "ledger.view_journalentry",),
    AR_CLERK: EVERYONE + LEDGER_READ + CUSTOMER_READ + (
        "core.view_exchangerate",
        "ledger.post_journalentry", "ledger.reverse_journalentry", "ledger.check_ledger",
        "receivables.add_customer", "receivables.change_customer",
        "receivables.add_customergroup", "receivables.post_openingbalance",
        "receivables.add_invoice", "receivables.change_invoice", "receivables.post_invoice",
        "receivables.add_paymentjournal", "receivables.post_paymentjournal",
        "receivables.change_settlement", "imports.add_importrun",
        "receivables.register_nsf",
        "imports.view_importrun",
    ) + SALES_WORK,
    SALES_MANAGER: EVERYONE + SALES_WORK + CRM_WORK + CRM_ADMIN + (
        "receivables.view_customer", "insights.view_prediction", "imports.add_importrun",
        "imports.view_importrun"),
    SALES_REP: EVERYONE + SALES_WORK + CRM_WORK + ("receivables.view_customer",),
}

ROLE_SLUGS = {
    "administrator": ADMINISTRATOR,
    "credit-manager": CREDIT_MANAGER,
    "collections-manager": COLLECTIONS_MANAGER,
    "collections-agent": COLLECTIONS_AGENT,
    "ar-clerk": AR_CLERK,
    "sales-manager": SALES_MANAGER,
    "sales-rep": SALES_REP,
}

REMIT_APPS = ("core", "ledger", "receivables", "collections", "sales", "credit", "insights",
              "crm", "jobs", "imports")


def administrator_permissions(permission_model, using: str) -> list:
    return list(
        permission_model.objects.using(using).filter(
            content_type__app_label__in=REMIT_APPS + ("auth", "django_tasks_db")
        )
    )


def roles_sync(*, using: str = DEFAULT_DB_ALIAS, apps=global_apps) -> None:
    """Create the role groups and set their permissions exactly as ROLE_PERMISSIONS says."""
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=global_apps)
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        if role == ADMINISTRATOR:
            perms = administrator_permissions(Permission, using)
        else:
            perms = [_permission(Permission, using, code) for code in codes]
        group.permissions.set(perms)


def _permission(Permission, using: str, dotted: str):
    app_label, codename = dotted.split(".", 1)
    try:
        return Permission.objects.using(using).get(
            content_type__app_label=app_label, codename=codename
        )
    except Permission.DoesNotExist:
        raise LookupError(f"roles.py names an unknown permission {dotted!r}") from None


def roles_sync_on_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    roles_sync(using=using)
