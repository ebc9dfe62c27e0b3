from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from remit.jobs.rules import next_run, retry_delay

OSLO = ZoneInfo("Europe/Oslo")


def test_a_daily_schedule_runs_at_its_local_time_today_or_tomorrow():
    morning = datetime(2026, 3, 16, 1, 0, tzinfo=OSLO)
    assert next_run(morning, every_minutes=None, daily_at=time(2, 0), tz=OSLO) == \
        datetime(2026, 3, 16, 2, 0, tzinfo=OSLO)
    later = datetime(2026, 3, 16, 2, 0, tzinfo=OSLO)
    assert next_run(later, every_minutes=None, daily_at=time(2, 0), tz=OSLO) == \
        datetime(2026, 3, 17, 2, 0, tzinfo=OSLO)


def test_an_interval_schedule_runs_every_n_minutes():
    now = datetime(2026, 3, 16, 1, 0, tzinfo=OSLO)
    assert next_run(now, every_minutes=15, daily_at=None, tz=OSLO) == now + timedelta(minutes=15)


def test_retries_back_off_exponentially_up_to_an_hour():
    assert [retry_delay(n, 30).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(20, 30).total_seconds() == 3600
