"""Another system's export whose customers behave in several ways, as real ledgers do — for
judging payment predictions on data unlike the demo's: most invoices paid on time, a few very
late (the skew a real accounts-receivable history has), customers who are punctual, late now
and then, chronically late, deteriorating, seasonal, disputing, or a bad debt that stops
paying. Same two files as ``csv_history`` (customers.csv, invoices.csv; a dispute flag and a
channel), deterministic by seed."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

BEHAVIOURS = (  # name, share of customers in percent
    ("punctual", 48), ("now_and_then", 16), ("chronic_late", 12), ("deteriorating", 8),
    ("seasonal", 7), ("disputing", 6), ("bad_debt", 3))
CHANNELS = ("web", "phone", "reseller")


def _behaviour(rng: random.Random) -> str:
    roll, total = rng.randint(1, 100), 0
    for name, share in BEHAVIOURS:
        total += share
        if roll <= total:
            return name
    return BEHAVIOURS[0][0]


def _days_late(rng: random.Random, behaviour: str, day: date, start: date, turn: date,
               disputed: bool) -> int | None:
    """Days past due the invoice issued on ``day`` is paid; None: never paid."""
    if behaviour == "bad_debt" and day >= turn:
        return None
    base = rng.randint(-12, 0)
    if behaviour == "punctual":
        late = base if rng.random() > 0.05 else rng.randint(1, 20)
    elif behaviour == "now_and_then":
        roll = rng.random()
        late = base if roll > 0.25 else rng.randint(3, 25) if roll > 0.03 else rng.randint(35, 70)
    elif behaviour == "chronic_late":
        late = rng.randint(4, 28) if rng.random() > 0.12 else rng.randint(31, 60)
    elif behaviour == "deteriorating":  # on time until the turn, then later month by month
        months = max(0, (day - turn).days // 30)
        late = base + months * 6 + rng.randint(-3, 3)
    elif behaviour == "seasonal":
        late = rng.randint(8, 45) if day.month in (6, 7, 12) else base
    elif behaviour == "bad_debt":
        late = rng.randint(0, 20)
    else:  # disputing: fine unless the invoice is disputed
        late = base
    if disputed:
        late = max(late, 0) + rng.randint(25, 70)
    return late


def write(folder: Path, *, as_of: date, customers: int = 100, seed: int = 21) -> tuple[int, int]:
    """Write the two files into ``folder``; returns (customers, invoices)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    start = as_of - timedelta(days=730)
    people = []
    with open(folder / "customers.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["customer_no", "company", "currency"])
        for i in range(customers):
            number = f"B{7000 + i}"
            out.writerow([number, f"Firma {i + 1} AS", "NOK"])
            behaviour = _behaviour(rng)
            turn = start + timedelta(days=rng.randint(300, 660))
            people.append((number, behaviour, turn, rng.choice(CHANNELS),
                           rng.choice([7, 14, 30, 30, 30])))
    n = 0
    with open(folder / "invoices.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["customer_no", "invoice_no", "invoice_date", "due_date", "amount",
                      "settled_date", "dispute", "channel"])
        for number, behaviour, turn, channel, terms in people:
            day = start + timedelta(days=rng.randint(0, 60))
            gap = rng.choice([7, 14, 21, 30, 45])
            while day < as_of - timedelta(days=3):
                n += 1
                due = day + timedelta(days=terms)
                disputed = rng.random() < (0.18 if behaviour == "disputing" else 0.01)
                late = _days_late(rng, behaviour, day, start, turn, disputed)
                paid = None if late is None else max(due + timedelta(days=late), day)
                cents = rng.randint(500, 5000) * rng.randint(10, 300)
                out.writerow([number, f"H-{n:06d}", day.isoformat(), due.isoformat(),
                              f"{cents // 100}.{cents % 100:02d}",
                              paid.isoformat() if paid is not None and paid < as_of else "",
                              "yes" if disputed else "no", channel])
                day += timedelta(days=max(3, gap + rng.randint(-4, 4)))
    return customers, n
