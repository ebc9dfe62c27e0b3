"""Outcome classes of a closed invoice (spec §1.1): on time, late, very late — by the days
between the due date and the day it was settled, against the legal entity's two thresholds.
0 and 0 (or a very-late threshold not above the late one) makes a two-class problem."""

from __future__ import annotations

from datetime import date

ON_TIME, LATE, VERY_LATE = 0, 1, 2
NAMES = {ON_TIME: "on time", LATE: "late", VERY_LATE: "very late"}


def classes(late_days: int, very_late_days: int) -> list[int]:
    return [ON_TIME, LATE] if very_late_days <= late_days else [ON_TIME, LATE, VERY_LATE]


def outcome(due: date, settled: date, late_days: int, very_late_days: int) -> int:
    """On time: settled on or before due + late threshold; very late: after due + very-late
    threshold; late: in between. With two classes, anything after the late threshold is
    late."""
    days = (settled - due).days
    if days <= late_days:
        return ON_TIME
    if very_late_days > late_days and days > very_late_days:
        return VERY_LATE
    return LATE
