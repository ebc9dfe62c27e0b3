"""The sidebar: areas remit has, and the ones still to come (shown, but marked as planned)."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass
class NavItem:
    label: str
    url: str | None
    permission: str | None
    active_prefix: str | tuple[str, ...] = ""
    planned: bool = False


AREAS = [
    ("Workspace", [NavItem("Home", "home", "core.access_remit", "/$")]),
    ("Receivables", [
        NavItem("Customers", "customers", "receivables.view_customer", "/customers"),
        NavItem("Invoices", "invoices", "receivables.view_invoice", "/invoices"),
        NavItem("Transactions", "transactions", "receivables.view_customertransaction",
                "/transactions"),
        NavItem("Import", "imports", "imports.view_importrun", "/imports"),
    ]),
    ("Collections", [
        NavItem("Aged balances", "aged_balances", "collections.view_agingsnapshot",
                ("/collections/customers", "/collections/age")),
        NavItem("Activities", "collections_activities", "collections.view_activity",
                "/collections/activities"),
        NavItem("Cases", "collections_cases", "collections.view_collectionscase",
                "/collections/cases"),
        NavItem("Interest notes", "interest_notes", "collections.view_interestnote",
                "/collections/interest"),
        NavItem("Collection letters", "letters", "collections.view_collectionletter",
                "/collections/letters"),
        NavItem("Automation", "automation", "collections.view_activity",
                "/collections/automation"),
    ]),
    ("Credit", [
        NavItem("Credit holds", "credit_holds", "credit.view_credithold", "/credit/holds"),
        NavItem("Limit adjustments", "credit_adjustments", "credit.view_adjustment",
                "/credit/adjustments"),
        NavItem("Blocking rules", "credit_rules", "credit.view_blockingrule", "/credit/rules"),
    ]),
    ("Insights", [
        NavItem("Payment predictions", "insights_predictions", "insights.view_prediction",
                "/insights/predictions"),
        NavItem("Customer predictions", "insights_customers", "insights.view_prediction",
                "/insights/customers"),
        NavItem("Expected cash", "insights_expected_cash", "insights.view_prediction",
                "/insights/expected-cash"),
        NavItem("Prediction models", "insights_models", "insights.view_predictionmodel",
                "/insights/models"),
    ]),
    ("Sales", [
        NavItem("Sales orders", "sales_orders", "sales.view_salesorder", "/sales/orders"),
        NavItem("Leads", "crm_leads", "crm.view_lead", "/crm/leads"),
        NavItem("Opportunities", "crm_opportunities", "crm.view_opportunity",
                "/crm/opportunities"),
        NavItem("Accounts", "crm_accounts", "crm.view_account", "/crm/accounts"),
        NavItem("Contacts", "crm_contacts", "crm.view_contact", "/crm/contacts"),
        NavItem("Activities", "crm_activities", "crm.view_timelineentry", "/crm/activities"),
        NavItem("Duplicate pairs", "crm_duplicate_scans", "crm.view_duplicaterule",
                "/crm/duplicates"),
        NavItem("Lead settings", "crm_settings", "crm.view_qualificationsettings",
                "/crm/settings"),
    ]),
    ("Ledger", [
        NavItem("Journal entries", "entries", "ledger.view_journalentry", "/ledger/entries"),
        NavItem("Chart of accounts", "accounts", "ledger.view_account", "/ledger/accounts"),
        NavItem("Ledger check", "ledger_check", "ledger.check_ledger", "/ledger/check"),
        NavItem("Exchange rates", "rates", "core.view_exchangerate", "/rates"),
    ]),
    ("Administration", [
        NavItem("Background jobs", "jobs", "jobs.view_schedule", "/jobs"),
        NavItem("Audit log", "audit", "core.view_auditlog", "/audit"),
        NavItem("API tokens", "tokens", "core.use_api", "/profile"),
    ]),
]


def navigation(request) -> list[tuple[str, list[dict]]]:
    sections = []
    for title, items in AREAS:
        visible = []
        for item in items:
            if item.planned:
                visible.append({"label": item.label, "planned": True})
            elif request.user.has_perm(item.permission):
                path, url = request.path, reverse(item.url)
                active = (path == "/" if item.active_prefix == "/$"
                          else path == url or path.startswith(item.active_prefix))
                visible.append({"label": item.label, "url": url, "active": active})
        if visible:
            sections.append((title, visible))
    return sections
