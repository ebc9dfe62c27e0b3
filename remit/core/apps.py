from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "remit.core"
    label = "core"
    verbose_name = "remit core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import roles_sync_on_migrate

        # Roles are code (remit/core/roles.py); every migrate brings the groups in line with it,
        # the same way Django itself creates permissions after migrating.
        post_migrate.connect(roles_sync_on_migrate, sender=self)

        from .config import stamp_triggers_on_migrate

        # SQLite drops a table's triggers when a migration rebuilds it; put them back.
        post_migrate.connect(stamp_triggers_on_migrate, sender=self)

        from axes.signals import user_locked_out

        from .lockout import audit_lockout

        user_locked_out.connect(audit_lockout, dispatch_uid="remit.core.lockout")

        from . import checks  # noqa: F401 - registers remit's deploy checks
