"""The feature walk and which invoices are training rows, free of the database: the slowest
payers are not left out because they have not paid yet (right-censoring), the days-late
recency figures follow a customer who pays later and later, and a payment that bounced counts
as it was known on each day (the record never foresees the bounce)."""

import math
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remit.insights.features import (
    CREDITED,
    PAID,
    WRITTEN_OFF,
    CustomerHistory,
    InvoiceRow,
    _State,
    decided,
    scoring_rows,
    training_rows,
)
from remit.insights.labels import LATE, ON_TIME, VERY_LATE

START = date(2026, 1, 5)
AS_OF = date(2026, 6, 1)


def invoice(k: int, issued: date, paid_after_due: int | None, terms: int = 14) -> InvoiceRow:
    due = issued + timedelta(days=terms)
    closed = None if paid_after_due is None else due + timedelta(days=paid_after_due)
    return InvoiceRow(k, 1, issued, due, Decimal(1000), closed)


def test_an_unpaid_invoice_is_very_late_from_the_day_after_the_threshold():
    row = invoice(1, date(2026, 3, 1), None)  # due 03-15, threshold passes 04-14
    assert decided(row, date(2026, 4, 14), 0, 30) is None
    assert decided(row, date(2026, 4, 15), 0, 30) == (VERY_LATE, date(2026, 4, 14))
    assert decided(row, date(2026, 4, 15), 0, 0) == (LATE, date(2026, 3, 15))  # two classes
    paid_late_later = invoice(2, date(2026, 3, 1), 80)
    assert decided(paid_late_later, date(2026, 5, 1), 0, 30) == (VERY_LATE, date(2026, 4, 14))
    on_time = invoice(3, date(2026, 3, 1), -2)
    assert decided(on_time, date(2026, 3, 14), 0, 30) == (ON_TIME, date(2026, 3, 13))


def test_training_rows_are_chosen_by_due_date_never_by_how_they_were_paid():
    """An invoice paid early and one not paid at all, both due within the very-late window
    before the as-of date, are both left out (a label is certain only 30 days after the due
    date); older ones are rows — the unpaid one as very late."""
    rows = [invoice(1, date(2026, 3, 1), None), invoice(2, date(2026, 3, 2), -5),
            invoice(3, date(2026, 5, 1), -5), invoice(4, date(2026, 5, 2), None)]
    found = {i.id: (label, certain) for i, _, label, certain in
             training_rows(CustomerHistory(rows), AS_OF)}
    assert found == {1: (VERY_LATE, date(2026, 4, 14)), 2: (ON_TIME, date(2026, 4, 15))}


@given(st.lists(st.one_of(st.none(), st.integers(-10, 120)), min_size=1, max_size=30))
def test_which_invoices_are_rows_does_not_depend_on_their_payment(offsets):
    def rows_with(paid):
        invoices = [invoice(k, START + timedelta(days=7 * k), p) for k, p in enumerate(paid)]
        return [i.id for i, *_ in training_rows(CustomerHistory(invoices), AS_OF)]

    assert rows_with(offsets) == rows_with([None] * len(offsets))


def test_the_history_counts_an_unpaid_invoice_as_very_late_once_its_threshold_passed():
    stopped = invoice(1, date(2026, 1, 1), None)  # due 01-15, very late from 02-15
    history = CustomerHistory([stopped, invoice(2, date(2026, 3, 1), None)])
    history.advance(date(2026, 2, 14))
    row = history.features(history.by_issue[1], date(2026, 2, 14))
    assert row["hist_n"] == 0 and row["oldest_overdue_days"] == 30
    history.advance(date(2026, 2, 15))
    row = history.features(history.by_issue[1], date(2026, 2, 15))
    assert row["hist_n"] == 1 and row["hist_very_late_share"] == 1.0
    assert row["oldest_overdue_days"] == 31 and math.isnan(row["hist_avg_days_late"])


def test_days_late_recency_follows_a_customer_paying_later_and_later():
    paid = [0, 2, 1, 3, 4, 20, 25, 30, 35, 40]
    invoices = [invoice(k, START + timedelta(days=10 * k), p, terms=0)
                for k, p in enumerate(paid)]
    nxt = invoice(99, START + timedelta(days=200), None, terms=0)
    history = CustomerHistory([*invoices, nxt])
    history.advance(nxt.document_date)
    row = history.features(nxt, nxt.document_date)
    assert row["recent_days_late"] == 30 and row["days_late_trend"] == 28
    assert row["hist_avg_days_late"] == 16 and row["oldest_overdue_days"] == 0
    assert row["recent_very_late_weighted"] > 0 and row["hist_very_late_share"] == 0.2
    assert row["recent_late_weighted"] > row["recent_very_late_weighted"]


def test_a_scored_invoice_past_the_threshold_is_not_part_of_its_own_record():
    """Scored on a day when it is already very late, the invoice's own outcome stays out of
    its customer's record — as for a training row, which is never decided on its own date —
    while the customer's other invoices see it."""
    first = invoice(1, date(2026, 1, 1), None)  # very late from 02-15
    second = invoice(2, date(2026, 1, 20), None)
    history = CustomerHistory([first, second])
    day = date(2026, 3, 20)  # both decided: first from 02-15, second from 03-06
    history.advance(day)
    own = history.features(first, day)
    assert own["hist_n"] == 1 and own["hist_very_late_share"] == 1.0  # the second only
    other = history.features(second, day)
    assert other["hist_n"] == 1
    fresh = CustomerHistory([first])
    fresh.advance(day)
    alone = fresh.features(first, day)
    assert alone["hist_n"] == 0 and math.isnan(alone["recent_very_late_weighted"])


def closed(k: int, issued: date, after_due: int, how: str) -> InvoiceRow:
    row = invoice(k, issued, after_due)
    return InvoiceRow(row.id, 1, row.document_date, row.due_date, row.amount, row.closed_on,
                      closed_by=how)


def test_an_invoice_credited_before_it_was_very_late_has_no_outcome():
    """A dispute settled by a credit note says nothing of how the customer pays: no row, not
    in the record, not a payment in the days figures. Credited after the threshold, it had
    been unpaid past it and stays very late."""
    early = closed(1, date(2026, 1, 5), 3, CREDITED)      # due 01-19, credited 01-22
    late = closed(2, date(2026, 1, 6), 40, CREDITED)      # credited after 30 days past due
    paid = invoice(3, date(2026, 1, 7), -2)
    assert decided(early, AS_OF, 0, 30) is None
    assert decided(late, AS_OF, 0, 30) == (VERY_LATE, date(2026, 2, 19))
    history = CustomerHistory([early, late, paid, invoice(4, date(2026, 5, 10), None)])
    found = {i.id: label for i, _, label, _ in training_rows(history, AS_OF)}
    assert found == {2: VERY_LATE, 3: ON_TIME}
    history = CustomerHistory([early, late, paid, invoice(4, date(2026, 5, 10), None)])
    history.advance(date(2026, 5, 10))
    row = history.features(history.by_issue[3], date(2026, 5, 10))
    assert row["hist_n"] == 2 and row["hist_very_late_share"] == 0.5
    assert row["hist_avg_days_late"] == -2  # the paid one only
    assert row["days_since_last_payment"] == (date(2026, 5, 10) - paid.closed_on).days


def test_a_written_off_invoice_is_very_late_from_its_write_off_and_no_payment():
    gone = closed(1, date(2026, 1, 5), 10, WRITTEN_OFF)  # written off 10 days past due
    assert decided(gone, AS_OF, 0, 30) == (VERY_LATE, date(2026, 1, 29))
    assert decided(gone, AS_OF, 0, 0) == (LATE, date(2026, 1, 19))  # two classes: the worst
    history = CustomerHistory([gone, invoice(2, date(2026, 2, 2), None)])
    history.advance(date(2026, 2, 2))
    row = history.features(history.by_issue[1], date(2026, 2, 2))
    assert row["hist_n"] == 1 and row["hist_very_late_share"] == 1.0
    assert math.isnan(row["hist_avg_days_late"]) and math.isnan(row["days_since_last_payment"])
    assert row["open_count"] == 0  # closed, all the same


def bounced(k: int, issued: date, paid_after_due: int, bounced_after: int,
            repaid_after: int | None) -> InvoiceRow:
    """Paid ``paid_after_due`` days after its due date, the payment bounced
    ``bounced_after`` days later, paid again ``repaid_after`` days after that (or not)."""
    row = invoice(k, issued, paid_after_due)
    bounce = row.closed_on + timedelta(days=bounced_after)
    again = None if repaid_after is None else bounce + timedelta(days=repaid_after)
    return InvoiceRow(row.id, 1, row.document_date, row.due_date, row.amount, again,
                      undone=((row.closed_on, bounce, PAID),))


def _books_before(rows: list[InvoiceRow], day: date) -> list[InvoiceRow]:
    """The invoices as the books held them when ``day`` began to be scored: issued by then,
    nothing closed or undone on or after it."""
    out = []
    for row in rows:
        if row.document_date > day:
            continue
        # written out, not read through as_known: the closing in effect before the day
        now, how = row.closed_on, row.closed_by
        for closed_on, reopened_on, was in row.undone:
            if closed_on < day <= reopened_on:
                now, how = closed_on, was
        out.append(InvoiceRow(
            row.id, 1, row.document_date, row.due_date, row.amount,
            now if now is not None and now < day else None,
            closed_by=how if now is not None and now < day else PAID,
            undone=tuple(u for u in row.undone if u[1] < day)))
    return out


def _same(a: dict, b: dict) -> bool:
    def plain(row):
        return {k: ("nan" if isinstance(v, float) and math.isnan(v) else v)
                for k, v in row.items()}
    return plain(a) == plain(b)


def test_a_bounced_payment_counts_as_paid_until_it_bounced_then_the_invoice_is_open():
    """Paid two days late on 01-17, bounced 01-25, paid again 02-10: until the bounce the
    record says late and a payment; from the day after, the invoice is open (and overdue) and
    neither counts any more; paid again, it is late by 26 days."""
    first = bounced(1, date(2026, 1, 1), 2, 8, 16)  # due 01-15, paid 01-17, bounced 01-25
    nxt = invoice(2, date(2026, 3, 1), None)
    history = CustomerHistory([first, nxt])
    history.advance(date(2026, 1, 20))
    row = history.features(nxt, date(2026, 1, 20))
    assert row["hist_n"] == 1 and row["hist_late_share"] == 1.0 and row["open_count"] == 0
    assert row["hist_avg_days_late"] == 2
    history.advance(date(2026, 1, 26))  # the bounce of 01-25 is known
    row = history.features(nxt, date(2026, 1, 26))
    assert row["hist_n"] == 0 and math.isnan(row["hist_avg_days_late"])
    assert row["open_count"] == 1 and row["overdue_count"] == 1
    assert math.isnan(row["days_since_last_payment"])
    assert [i.id for i, _ in scoring_rows(CustomerHistory([first, nxt]),
                                          date(2026, 1, 20))] == []
    history.advance(date(2026, 2, 11))  # paid again 02-10: 26 days late
    row = history.features(nxt, date(2026, 2, 11))
    assert row["hist_n"] == 1 and row["hist_late_share"] == 1.0 and row["open_count"] == 0
    assert row["hist_avg_days_late"] == 26
    # trained as of a day before the bounce, the invoice's label is what was known then
    early = {i.id: label for i, _, label, _ in training_rows(
        CustomerHistory([bounced(1, date(2025, 1, 1), -3, 90, 5)]), date(2025, 3, 1))}
    assert early == {1: ON_TIME}


HOWS = st.sampled_from([PAID, PAID, CREDITED, WRITTEN_OFF])


@st.composite
def undone_histories(draw):
    """Invoices closed and opened again up to three times (paid and bounced, credited or
    written off and undone), then closed for good or not."""
    rows = []
    for k in range(draw(st.integers(1, 10))):
        issued = START + timedelta(days=draw(st.integers(0, 120)))
        t = issued + timedelta(days=draw(st.integers(1, 60)))
        undone = []
        for _ in range(draw(st.integers(0, 3))):
            reopened = t + timedelta(days=draw(st.integers(1, 40)))
            undone.append((t, reopened, draw(HOWS)))
            t = reopened + timedelta(days=draw(st.integers(0, 30)))
        final = t if draw(st.booleans()) else None
        rows.append(InvoiceRow(k, 1, issued, issued + timedelta(days=14), Decimal(100 + k),
                               final, closed_by=draw(HOWS) if final else PAID,
                               undone=tuple(undone)))
    return rows


def _plain(row: dict) -> dict:
    return {k: ("nan" if isinstance(v, float) and math.isnan(v) else v)
            for k, v in row.items()}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(undone_histories(), st.integers(1, 260), st.lists(st.integers(0, 260), max_size=6))
def test_features_as_of_a_day_never_depend_on_what_happened_from_that_day_on(rows, at, steps):
    """The issue's promise with closings undone: every open invoice's feature row as of D is
    the same from the whole history — walked there in any steps — as from the books as they
    stood on D. An invoice opened again on D itself is open, and scored, on D."""
    day = START + timedelta(days=at)
    whole = CustomerHistory(rows)
    for step in sorted(steps):
        if START + timedelta(days=step) <= day:
            whole.advance(START + timedelta(days=step))
    scored = {i.id: _plain(f) for i, f in scoring_rows(whole, day)}
    before = {i.id: _plain(f)
              for i, f in scoring_rows(CustomerHistory(_books_before(rows, day)), day)}
    reopened_today = {r.id for r in rows if any(u[1] == day for u in r.undone)}
    assert set(scored) - set(before) <= reopened_today
    for pk in before:
        assert scored[pk] == before[pk], pk


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(undone_histories(), st.integers(1, 300))
def test_training_rows_and_labels_are_what_was_known_on_the_training_date(rows, at):
    as_of = START + timedelta(days=at)
    whole = [(i.id, _plain(f), label) for i, f, label, _ in
             training_rows(CustomerHistory(rows), as_of)]
    before = [(i.id, _plain(f), label) for i, f, label, _ in
              training_rows(CustomerHistory(_books_before(rows, as_of)), as_of)]
    assert whole == before


@settings(max_examples=200, deadline=None)
@given(undone_histories(), st.lists(st.integers(0, 300), min_size=1, max_size=8))
def test_the_record_kept_step_by_step_is_the_record_replayed(rows, steps):
    """Between withdrawals the walk adds to its record as it goes; it must hold what a
    replay of the decisions and payments in effect gives."""
    history = CustomerHistory(rows)
    for step in sorted(steps):
        history.advance(START + timedelta(days=step))
        again = _State.replayed(history._decisions.items(), history._payments.values())
        state = history.state
        assert (state.n, state.counts, list(state.last), state.paid, state.days_sum,
                state.days_max, list(state.days), state.last_close) == (
            again.n, again.counts, list(again.last), again.paid, again.days_sum,
            again.days_max, list(again.days), again.last_close)
        assert math.isclose(state.weighted_late, again.weighted_late, abs_tol=1e-12)


def test_an_invoice_whose_payment_bounced_today_is_scored_today():
    today = date(2026, 3, 10)
    row = InvoiceRow(1, 1, date(2026, 2, 1), date(2026, 2, 15), Decimal(100), None,
                     undone=((date(2026, 2, 20), today, PAID),))
    assert [i.id for i, _ in scoring_rows(CustomerHistory([row]), today)] == [1]


def test_a_very_late_invoice_paid_and_bounced_after_its_threshold_keeps_its_place():
    """Very late from the day after its threshold, paid later and bounced: its class never
    changed, so it is not withdrawn and decided again (which would move it to the newest
    place in the recency figures)."""
    row = InvoiceRow(1, 1, date(2026, 1, 1), date(2026, 1, 15), Decimal(100), None,
                     undone=((date(2026, 3, 1), date(2026, 3, 5), PAID),))
    history = CustomerHistory([row])
    assert [(d[0], d[1]) for d in history.by_decision] == [(date(2026, 2, 14), 1)]
