"""Background jobs: run by ``remit worker``, retried when they fail, never silently lost."""

from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from remit.core.exceptions import RuleViolation
from remit.jobs.models import Schedule
from remit.jobs.selectors import jobs_recent
from remit.jobs.services import job_retry, schedules_enqueue_due
from remit.ledger.models import LedgerCheckRun
from tests import jobs_tasks
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_transaction(monkeypatch):
    """The worker closes stale connections between jobs, which on PostgreSQL would also close
    the connection holding this test's transaction; within a test that is not wanted."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections",
                        lambda: None)


def run_worker():
    call_command("worker", "--once", verbosity=0, stdout=StringIO())


def test_a_failing_job_is_retried_until_it_succeeds():
    result = jobs_tasks.flaky.enqueue(fail_until=3)
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL" and len(row.worker_ids) == 3
    assert row.return_value == "done on attempt 3"


def test_a_job_that_keeps_failing_stays_failed_and_visible_with_its_error():
    result = jobs_tasks.broken.enqueue()
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED" and len(row.worker_ids) == 2
    assert "this job always fails" in row.traceback
    (listed,) = jobs_recent(status="FAILED")
    assert (listed.attempts, listed.max_attempts) == (2, 2)


def test_a_retry_waits_for_its_backoff():
    result = jobs_tasks.slow_to_retry.enqueue()
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "READY" and len(row.worker_ids) == 1
    assert row.run_after > timezone.now() + timedelta(minutes=9)
    assert "ValueError" in row.exception_class_path  # the last error stays visible while waiting


def test_a_failed_job_can_be_put_back_by_hand():
    result = jobs_tasks.broken.enqueue()
    run_worker()
    job_retry(result_id=str(result.id), actor=SYSTEM)
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    run_worker()
    assert DBTaskResult.objects.get(pk=result.id).status == "FAILED"
    with pytest.raises(RuleViolation, match="only failed jobs"):
        ok = jobs_tasks.flaky.enqueue(fail_until=0)
        job_retry(result_id=str(ok.id), actor=SYSTEM)


def _others_later(schedule) -> None:
    """The other default schedules due after this one: between 02:00 and their own hour of
    the day (credit 04:00, predictions 04:30, ...) they would otherwise fall due first."""
    Schedule.objects.exclude(pk=schedule.pk).exclude(name="Typo").update(
        next_run_at=schedule.next_run_at + timedelta(hours=1))


def test_the_nightly_ledger_check_is_scheduled_and_runs_once_when_due(entity):
    schedule = Schedule.objects.get(name="Nightly ledger check")
    assert schedule.daily_at == time(2, 0) and schedule.enabled
    _others_later(schedule)
    due = schedule.next_run_at + timedelta(seconds=1)
    assert schedules_enqueue_due(now=due) == ["Nightly ledger check"]
    assert schedules_enqueue_due(now=due) == []  # next run moved to tomorrow
    schedule.refresh_from_db()
    assert schedule.next_run_at > due
    run_worker()
    assert LedgerCheckRun.objects.get().ok
    assert DBTaskResult.objects.get(pk=schedule.last_result_id).status == "SUCCESSFUL"


def test_schedules_only_enqueue_enabled_ones():
    Schedule.objects.update(enabled=False)
    assert schedules_enqueue_due(now=timezone.make_aware(datetime(2099, 1, 1))) == []


def test_a_schedule_naming_no_task_is_switched_off_and_the_others_still_run(entity):
    from remit.jobs.services import schedules_sync_defaults  # noqa: F401 - defaults exist

    nightly = Schedule.objects.get(name="Nightly ledger check")
    # due just before the nightly check, whatever the clock says (the defaults were scheduled
    # when the test database was made, which may be hours before this test runs)
    Schedule.objects.create(name="Typo", task_path="remit.ledger.tasks.no_such_task",
                            every_minutes=5, next_run_at=nightly.next_run_at - timedelta(minutes=1))
    _others_later(nightly)
    names = schedules_enqueue_due(now=nightly.next_run_at + timedelta(seconds=1))
    assert names == ["Nightly ledger check"]
    typo = Schedule.objects.get(name="Typo")
    assert not typo.enabled and "no_such_task" in typo.last_error
    run_worker()
    assert LedgerCheckRun.objects.filter(legal_entity=entity).get().ok


def test_the_admin_refuses_a_schedule_that_names_no_task():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="not a task remit knows"):
        Schedule(name="x", task_path="nowhere.task", every_minutes=5,
                 next_run_at=timezone.now()).full_clean()


def test_a_job_whose_worker_died_is_failed_and_retried_not_lost():
    from remit.jobs.services import jobs_fail_abandoned

    result = jobs_tasks.flaky.enqueue(fail_until=0)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(hours=2), worker_ids=["dead"])
    assert jobs_fail_abandoned(now=timezone.now(), timeout=timedelta(hours=1)) == 1
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "READY" and "WorkerLost" in row.exception_class_path
    run_worker()
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"


def test_a_retry_by_hand_gets_the_full_attempts_again():
    result = jobs_tasks.broken.enqueue()
    run_worker()
    job_retry(result_id=str(result.id), actor=SYSTEM)
    run_worker()
    assert len(DBTaskResult.objects.get(pk=result.id).worker_ids) == 2
