"""Collections process automation (spec §3.10): step days from the due date, track step or
closest step, quiet days, never twice a day."""

from datetime import date, timedelta

from remit.collections.automation_rules import Step, step_due

DUE = date(2026, 3, 1)
# the spec's example: sequence days 1, 6 and 7 are process days 1, 7 and 14
STEPS = [Step("reminder", 1), Step("call", 7), Step("final", 14)]


def on(days):
    return DUE + timedelta(days=days)


def test_a_step_runs_once_its_day_after_the_due_date_has_come():
    assert step_due(STEPS, DUE, on(0), set(), True, None, 0) is None
    assert step_due(STEPS, DUE, on(1), set(), True, None, 0).key == "reminder"
    assert step_due(STEPS, DUE, on(7), {"reminder"}, True, on(1), 0).key == "call"
    assert step_due(STEPS, DUE, on(30), {"reminder", "call", "final"}, True, on(14), 0) is None


def test_track_step_starts_from_the_first_step_closest_step_skips_ahead():
    assert step_due(STEPS, DUE, on(15), set(), True, None, 0).key == "reminder"
    assert step_due(STEPS, DUE, on(15), set(), False, None, 0).key == "final"


def test_quiet_days_and_never_twice_on_one_day():
    assert step_due(STEPS, DUE, on(7), {"reminder"}, True, on(7), 0) is None
    assert step_due(STEPS, DUE, on(7), {"reminder"}, True, on(3), 5) is None  # 4 < 5 quiet
    assert step_due(STEPS, DUE, on(8), {"reminder"}, True, on(3), 5).key == "call"


def test_a_pre_dunning_step_runs_before_the_due_date():
    steps = [Step("pre", -3), *STEPS]
    assert step_due(steps, DUE, on(-3), set(), True, None, 0).key == "pre"
    assert step_due(steps, DUE, on(-5), set(), True, None, 0) is None
