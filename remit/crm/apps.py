from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "remit.crm"
    label = "crm"
    verbose_name = "leads and opportunities"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .lifecycle import lifecycle_on_migrate

        # the shipped lifecycle is data; a flush (tests, `remit flush`) must not leave leads
        # without their status reasons
        post_migrate.connect(lifecycle_on_migrate, sender=self)
