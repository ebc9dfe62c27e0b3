from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "remit.jobs"
    label = "jobs"
    verbose_name = "background jobs"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate
        from django_tasks.signals import task_finished

        from .retry import retry_failed_task
        from .services import schedules_sync_defaults_on_migrate

        # django-tasks has no retries of its own: a failed attempt is put back in the queue
        # (with backoff) until its policy's attempts are used up, then it stays visibly FAILED.
        task_finished.connect(retry_failed_task, dispatch_uid="remit.jobs.retry")
        post_migrate.connect(schedules_sync_defaults_on_migrate, sender=self)
