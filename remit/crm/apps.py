from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "remit.crm"
    label = "crm"
    verbose_name = "leads and opportunities"
