"""Calendar arithmetic the standard library lacks (and that is not worth a dependency)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """``months`` calendar months later (earlier when negative), on the same day of the month
    or the month's last day when it is shorter: 31 January + 1 month is 28 or 29 February."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))
