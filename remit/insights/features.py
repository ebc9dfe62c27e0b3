"""Features of an invoice as of a date — only what was known on that date.

Training rows are invoices whose outcome was certain (past the very-late threshold, paid or
not), as of their own invoice date; open invoices are scored as of the scoring date. The
customer's history at date D is built from invoices *issued* before D, *settled* before D, and
(very late) still unpaid past the very-late threshold before D; an invoice's own settlement,
and anything later than D, never enters.
(``tests/insights/test_insights.py`` proves it: a row computed as of D is identical whether
or not later history exists.)

The computation walks each customer's invoices once in date order (two pointers: issues and
settlements), so a million invoices take seconds, and the same code serves training and
scoring.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from .labels import LATE, ON_TIME, VERY_LATE, classes, outcome

HALF_LIFE = 5  # invoices: the recency weight halves every five decided invoices
DECAY = 0.5 ** (1 / HALF_LIFE)

# What the columns mean. A model keeps the definition it was trained with: one trained with an
# older definition reads today's columns wrongly, so it is flagged and not published again.
#   1: the customer's record counted settled invoices only
#   2: an invoice unpaid past the very-late threshold counts as very late in the record
#   3: how an invoice was closed counts: credited in full before it was very late, it has no
#      outcome; written off, it is very late; neither is a payment in the days figures
#   4: a closing undone later (a payment that bounced) counts as it was known on each day:
#      paid until it bounced, then open again (the record no longer foresees the bounce)
DEFINITION = 4
DEFINITION_CHANGES = {
    2: "unpaid invoices past the very-late threshold now count as very late in the customer's "
       "record",
    3: "invoices credited in full before they were very late are left out, written-off ones "
       "count as very late, and neither counts as a payment",
    4: "a payment that bounced counts as paid until the day it bounced, then the invoice is "
       "open again",
}

# how an invoice was closed (the settlement in effect that closed it)
PAID, CREDITED, WRITTEN_OFF = "paid", "credited", "written_off"

# name → what it means, in words for the page that explains a prediction
FEATURES: dict[str, str] = {
    "amount_log": "invoice amount (log10, accounting currency)",
    "terms_days": "payment terms in days",
    "foreign_currency": "invoice in a foreign currency",
    "has_discount": "cash discount offered",
    "month": "month of the invoice date",
    "hist_n": "earlier invoices of the customer whose outcome was known",
    "hist_on_time_share": "share of earlier invoices paid on time",
    "hist_late_share": "share of earlier invoices paid late",
    "hist_very_late_share": "share of earlier invoices paid very late",
    "hist_avg_days_late": "average days after due date the customer paid",
    "hist_max_days_late": "most days after due date the customer paid",
    "last10_late": "late payments among the customer's last 10 invoices",
    "recent_late_weighted": "recency-weighted share paid late",
    "recent_very_late_weighted": "recency-weighted share paid very late",
    "late_trend": "late share of the last 5 invoices minus the 5 before",
    "recent_days_late": "average days after the due date the last 5 settled invoices were paid",
    "days_late_trend": "days late of the last 5 settled invoices minus the 5 before",
    "open_count": "other invoices open at the time",
    "open_amount_log": "other open balance (log10)",
    "overdue_count": "other invoices overdue at the time",
    "overdue_amount_log": "other overdue balance (log10)",
    "oldest_overdue_days": "days the oldest other overdue invoice is past its due date",
    "days_since_last_payment": "days since the customer last settled an invoice",
    "tenure_days": "days as a customer",
    "invoices_90d": "invoices in the 90 days before",
    "credit_notes_180d": "credit notes in the 180 days before (disputes)",
}
DEFAULT_FEATURES = list(FEATURES)
ATTRIBUTE = "attr:"  # a chosen kept column of the invoices: 'attr:channel'; never by default


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    customer_id: int
    document_date: date
    due_date: date
    amount: Decimal                  # accounting currency, the full amount
    closed_on: date | None = None
    foreign: bool = False
    has_discount: bool = False
    attributes: dict = field(default_factory=dict)
    closed_by: str = PAID            # PAID, CREDITED or WRITTEN_OFF (when closed_on is set)
    # closings undone later (a payment that bounced, a settlement reversed), oldest first:
    # (closed on, reopened on, how it was closed); closed_on is the closing in effect now
    undone: tuple = ()


def as_known(invoice: InvoiceRow, day: date) -> InvoiceRow:
    """The invoice as the books showed it before ``day``: a closing undone on or after that
    day was still in effect (its closed_on may lie after ``day``: then it was open)."""
    for closed_on, reopened_on, how in invoice.undone:
        if closed_on < day <= reopened_on:
            return replace(invoice, closed_on=closed_on, closed_by=how, undone=())
    return invoice


@dataclass
class _State:
    """A customer's history as of the current date of the walk."""
    n: int = 0            # invoices whose outcome is known
    paid: int = 0         # invoices settled (the days statistics)
    counts: list = field(default_factory=lambda: [0, 0, 0])
    days_sum: int = 0
    days_max: int | None = None
    days: deque = field(default_factory=lambda: deque(maxlen=10))  # of the last settled
    last: deque = field(default_factory=lambda: deque(maxlen=10))
    weighted_late: float = 0.0
    weighted_very_late: float = 0.0
    weight: float = 0.0
    last_close: date | None = None

    @classmethod
    def replayed(cls, decisions, payments) -> _State:
        """The state from the decisions and payments in effect, in the order they came:
        after one was withdrawn (a bounce), the recency figures are rebuilt without it."""
        state = cls()
        for _, label in decisions:
            state.decide(label)
        for _, days, closed_on in payments:
            state.pay(days, closed_on)
        return state

    def pay(self, days: int, closed_on: date) -> None:
        """One more invoice paid, ``days`` after its due date."""
        self.paid += 1
        self.days_sum += days
        self.days_max = days if self.days_max is None else max(self.days_max, days)
        self.days.append(days)
        self.last_close = closed_on if self.last_close is None else max(self.last_close,
                                                                        closed_on)

    def decide(self, label: int) -> None:
        """One more invoice whose outcome is known."""
        self.n += 1
        self.counts[label] += 1
        self.last.append(label != ON_TIME)
        self.weighted_late = self.weighted_late * DECAY + (label != ON_TIME)
        self.weighted_very_late = self.weighted_very_late * DECAY + (label == VERY_LATE)
        self.weight = self.weight * DECAY + 1


def _log(amount) -> float:
    return math.log10(1 + max(float(amount), 0.0))


class CustomerHistory:
    """One customer's invoices (and credit-note dates), walked forward in time."""

    def __init__(self, invoices: Sequence[InvoiceRow], credit_notes: Sequence[date] = (),
                 customer_since: date | None = None, late_days: int = 0,
                 very_late_days: int = 30):
        self.by_issue = sorted(invoices, key=lambda i: (i.document_date, i.id))
        # when each outcome became known: at the settlement, or — for the worst class — the
        # day after its threshold passed unpaid (see ``decided``); when a closing was undone,
        # its outcome is withdrawn on that day (order 0, before the day's new decisions)
        decisions, closings = [], []
        for invoice in invoices:
            more = _changes(invoice, late_days, very_late_days)
            decisions += more[0]
            closings += more[1]
        self.by_decision = sorted(decisions, key=lambda d: d[:3])
        self.by_close = sorted(closings, key=lambda c: c[:3])
        self.credit_notes = sorted(credit_notes)
        first = self.by_issue[0].document_date if self.by_issue else None
        # imported history can start before the customer was created in remit
        self.since = min(d for d in (customer_since, first) if d) if (customer_since or first) \
            else None
        self.late_days, self.very_late_days = late_days, very_late_days
        self.state = _State()
        self._closed = 0
        self._decided = 0
        self._decisions: dict[int, int] = {}  # in effect, in the order they came: id → label
        self._payments: dict[int, tuple] = {}  # in effect: id → (id, days late, paid on)
        self._issued = 0
        self._open: dict[int, InvoiceRow] = {}
        self._now: date | None = None

    def advance(self, day: date) -> None:
        """Move the walk to ``day``: everything issued, decided, settled and undone before
        it."""
        if self._now is not None and day < self._now:
            raise ValueError("the walk only goes forward")
        self._now = day
        while self._issued < len(self.by_issue) and self.by_issue[self._issued].document_date < day:
            row = self.by_issue[self._issued]
            self._open[row.id] = row
            self._issued += 1
        s = self.state
        withdrawn = False
        while self._decided < len(self.by_decision) and self.by_decision[self._decided][0] < day:
            _, order, pk, label = self.by_decision[self._decided]
            self._decided += 1
            if order == 0:
                withdrawn = self._decisions.pop(pk, None) is not None or withdrawn
            else:
                self._decisions[pk] = label
                if not withdrawn:
                    s.decide(label)
        while self._closed < len(self.by_close) and self.by_close[self._closed][0] < day:
            closed_on, order, pk, row = self.by_close[self._closed]
            self._closed += 1
            if order == 0:  # reopened: open again, and no longer a payment
                self._open[pk] = row
                withdrawn = self._payments.pop(pk, None) is not None or withdrawn
                continue
            self._open.pop(pk, None)
            if row.closed_by != PAID:  # a credit note or a write-off is not a payment
                continue
            self._payments[pk] = (pk, (closed_on - row.due_date).days, closed_on)
            if not withdrawn:
                s.pay(*self._payments[pk][1:])
        if withdrawn:
            self.state = _State.replayed(self._decisions.items(), self._payments.values())

    def _without(self, invoice_id: int) -> _State:
        """The state, less the invoice's own outcome: an open invoice scored past the
        very-late threshold is already decided, but — as for a training row, which is never
        decided on its own invoice date — its outcome is not part of its customer's record."""
        if invoice_id not in self._decisions:
            return self.state
        s = self.state
        out = _State(paid=s.paid, days_sum=s.days_sum, days_max=s.days_max, days=s.days,
                     last_close=s.last_close)
        for pk, label in self._decisions.items():
            if pk != invoice_id:
                out.decide(label)
        return out

    def features(self, invoice: InvoiceRow, day: date) -> dict[str, float]:
        """The feature row of ``invoice`` as of ``day`` (after ``advance(day)``)."""
        s = self._without(invoice.id)
        nan = math.nan
        others = [o for o in self._open.values() if o.id != invoice.id]
        overdue = [o for o in others if o.due_date < day]
        recent = list(s.last)
        last5, prev5 = recent[-5:], recent[-10:-5]
        days = list(s.days)
        days5, days_prev5 = days[-5:], days[-10:-5]
        row = {
            "amount_log": _log(invoice.amount),
            "terms_days": (invoice.due_date - invoice.document_date).days,
            "foreign_currency": float(invoice.foreign),
            "has_discount": float(invoice.has_discount),
            "month": invoice.document_date.month,
            "hist_n": s.n,
            "hist_on_time_share": s.counts[ON_TIME] / s.n if s.n else nan,
            "hist_late_share": s.counts[LATE] / s.n if s.n else nan,
            "hist_very_late_share": s.counts[VERY_LATE] / s.n if s.n else nan,
            "hist_avg_days_late": s.days_sum / s.paid if s.paid else nan,
            "hist_max_days_late": s.days_max if s.days_max is not None else nan,
            "last10_late": sum(recent) if recent else nan,
            "recent_late_weighted": s.weighted_late / s.weight if s.weight else nan,
            "recent_very_late_weighted": (s.weighted_very_late / s.weight if s.weight
                                          else nan),
            "late_trend": (sum(last5) / len(last5) - sum(prev5) / len(prev5)
                           if last5 and prev5 else nan),
            "recent_days_late": sum(days5) / len(days5) if days5 else nan,
            "days_late_trend": (sum(days5) / len(days5) - sum(days_prev5) / len(days_prev5)
                                if days5 and days_prev5 else nan),
            "open_count": len(others),
            "open_amount_log": _log(sum((o.amount for o in others), Decimal(0))),
            "overdue_count": len(overdue),
            "overdue_amount_log": _log(sum((o.amount for o in overdue), Decimal(0))),
            "oldest_overdue_days": max(((day - o.due_date).days for o in overdue), default=0),
            "days_since_last_payment": (day - s.last_close).days if s.last_close else nan,
            "tenure_days": (day - self.since).days if self.since else nan,
            "invoices_90d": sum(1 for o in self.by_issue[:self._issued]
                                if (day - o.document_date).days <= 90),
            "credit_notes_180d": sum(1 for d in self.credit_notes
                                     if d < day and (day - d).days <= 180),
        }
        for key, value in invoice.attributes.items():
            row[f"attr_{key}"] = str(value)
        return row


def _changes(invoice: InvoiceRow, late_days: int, very_late_days: int):
    """The days the walk learns something of the invoice: decisions (day, order, id, label)
    and closings (day, order, id, row as closed); order 0 withdraws what an undone closing
    had made known, on the day it was undone (a bounce)."""
    pk = invoice.id
    if not invoice.undone:
        found = decided(invoice, date.max, late_days, very_late_days)
        return ([(found[1], 1, pk, found[0])] if found else [],
                [(invoice.closed_on, 1, pk, invoice)] if invoice.closed_on else [])
    decisions, closings = [], []
    since = date.min  # nothing is known of a closing before the previous one was undone
    worst, last = classes(late_days, very_late_days)[-1], worst_after(invoice, late_days,
                                                                      very_late_days)
    final_class = False  # the worst class, past its threshold: nothing can change it now
    for closed_on, reopened_on, how in invoice.undone:
        if reopened_on <= closed_on:  # undone the same day: never in effect
            continue
        seen = replace(invoice, closed_on=closed_on, closed_by=how, undone=())
        closings += [(closed_on, 1, pk, seen), (reopened_on, 0, pk, invoice)]
        found = decided(seen, date.max, late_days, very_late_days)
        if found is not None and not final_class and max(found[1], since) < reopened_on:
            on = max(found[1], since)
            final_class = found[0] == worst and on >= last
            decisions.append((on, 1, pk, found[0]))
            if not final_class:
                decisions.append((reopened_on, 0, pk, None))
        since = reopened_on
    final = replace(invoice, undone=())
    found = decided(final, date.max, late_days, very_late_days)
    if found is not None and not final_class:
        decisions.append((max(found[1], since), 1, pk, found[0]))
    if invoice.closed_on is not None:
        closings.append((invoice.closed_on, 1, pk, final))
    return decisions, closings


def worst_after(invoice: InvoiceRow, late_days: int, very_late_days: int) -> date:
    """The last day of the invoice's second-worst class: not settled by then, it is in the
    worst class (very late; with two classes, late) whenever it is paid."""
    worst = classes(late_days, very_late_days)[-1]
    return invoice.due_date + timedelta(days=very_late_days if worst == VERY_LATE
                                        else late_days)


def decided(invoice: InvoiceRow, as_of: date, late_days: int,
            very_late_days: int) -> tuple[int, date] | None:
    """The invoice's outcome as known before ``as_of``, and the day from which it was known
    (it is known on every later day), or None while it is undecided — or when it has none (see
    ``no_outcome``): a paid invoice's outcome is known from its payment; the worst class is
    known as soon as its threshold passes unpaid, however long the customer then takes, and
    from the day it is written off (it will never be paid)."""
    last = worst_after(invoice, late_days, very_late_days)
    if no_outcome(invoice, late_days, very_late_days):
        return None
    if invoice.closed_on is not None and invoice.closed_on < as_of:
        if invoice.closed_by == WRITTEN_OFF:
            return classes(late_days, very_late_days)[-1], min(invoice.closed_on, last)
        label = outcome(invoice.due_date, invoice.closed_on, late_days, very_late_days)
        return label, min(invoice.closed_on, last)
    if last < as_of:
        return classes(late_days, very_late_days)[-1], last
    return None


def no_outcome(invoice: InvoiceRow, late_days: int, very_late_days: int) -> bool:
    """Credited in full before its worst class was certain: there was nothing to pay, so it
    says nothing of how the customer pays (a dispute settled by a credit note). Credited
    later, it had already been unpaid past the threshold: that outcome stands."""
    return (invoice.closed_by == CREDITED and invoice.closed_on is not None
            and invoice.closed_on <= worst_after(invoice, late_days, very_late_days))


def training_rows(history: CustomerHistory,
                  as_of: date) -> Iterable[tuple[InvoiceRow, dict, int, date]]:
    """The customer's invoices whose outcome was certain before ``as_of`` — those past the
    very-late threshold (two classes: the late one), paid or not — with their features as of
    their own invoice date, their outcome and the day it became certain: (invoice, features,
    label, certain_on).

    Certain, not merely known: an invoice paid early is known sooner than one that will be
    very late, so "settled before ``as_of``" would fill the last weeks with the fast payers
    and leave the slowest out (right-censoring). Which invoices are rows depends only on
    their due dates, never on how they were paid — save those credited in full before that
    date, which have no outcome (known by then too)."""
    for invoice in history.by_issue:
        if invoice.document_date >= as_of:
            break
        certain_on = worst_after(invoice, history.late_days, history.very_late_days)
        known = as_known(invoice, as_of)  # a bounce after as_of was not known then
        if certain_on < as_of and not no_outcome(known, history.late_days,
                                                 history.very_late_days):
            history.advance(invoice.document_date)
            label, _ = decided(known, as_of, history.late_days, history.very_late_days)
            yield invoice, history.features(invoice, invoice.document_date), label, certain_on


def scoring_rows(history: CustomerHistory, day: date) -> Iterable[tuple[InvoiceRow, dict]]:
    """The customer's invoices open on ``day`` — at its start, or opened again during it (a
    payment that bounced that day) — with their features as of ``day``."""
    history.advance(day)
    for invoice in history.by_issue:
        known = as_known(invoice, day)
        if invoice.document_date <= day and (
                known.closed_on is None or known.closed_on >= day
                or any(reopened == day for _, reopened, _ in invoice.undone)):
            yield invoice, history.features(invoice, day)
