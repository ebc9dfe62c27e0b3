"""Pure rules of collections process automation (spec §3.10): which step of a process, if
any, runs today for a customer.

- The leading invoice is the customer's oldest open invoice that is neither disputed nor
  promised to pay (resolved and broken promises count again).
- Step days are absolute offsets from the leading invoice's due date (negative: before it).
- With *track step* the first step not yet done for that invoice whose day has come runs;
  without it, the step closest to today's day count (earlier steps may be skipped).
- Nothing runs twice on one day, nor within the quiet days after the last automated contact
  (even if that contact's invoice has since been settled).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Step:
    key: object
    days: int  # relative to the leading invoice's due date


def step_due(steps: Sequence[Step], due: date, on: date, done: set, track: bool,
             last_contact: date | None, quiet_days: int) -> Step | None:
    if last_contact is not None and (last_contact == on
                                     or (on - last_contact).days < quiet_days):
        return None
    count = (on - due).days
    reached = [s for s in sorted(steps, key=lambda s: s.days) if s.days <= count]
    if not reached:
        return None
    if track:
        pending = [s for s in reached if s.key not in done]
        return pending[0] if pending else None
    closest = reached[-1]
    return None if closest.key in done else closest
