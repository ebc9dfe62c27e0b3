"""When a schedule runs next, and how long a failed job waits before its next attempt."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def next_run(after: datetime, *, every_minutes: int | None, daily_at: time | None,
             tz: ZoneInfo) -> datetime:
    """The first run time strictly after ``after`` (an aware datetime)."""
    if every_minutes is not None:
        return after + timedelta(minutes=every_minutes)
    if daily_at is None:
        raise ValueError("a schedule needs every_minutes or daily_at")
    local = after.astimezone(tz)
    candidate = datetime.combine(local.date(), daily_at, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), daily_at, tzinfo=tz)
    return candidate


def retry_delay(attempts_made: int, base_seconds: int) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base, ... capped at one hour."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempts_made - 1, 0), 3600))
