"""An export from another system, for trying payment predictions on imported history alone:
customers.csv and invoices.csv (customer, invoice number, dates, amount, settled date, a
dispute flag and a sales channel) — two years of invoices of customers who pay their own way,
where disputes and the reseller channel make payment later. Deterministic by seed."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

CHANNELS = ("web", "phone", "reseller")


def write(folder: Path, *, as_of: date, customers: int = 120, seed: int = 11) -> tuple[int, int]:
    """Write the two files into ``folder``; returns (customers, invoices)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    start = as_of - timedelta(days=730)
    people = []  # (number, usual days past due, channel, drift in percent)
    with open(folder / "customers.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["customer_no", "company", "currency"])
        for i in range(customers):
            number = f"K{5000 + i}"
            out.writerow([number, f"Kunde {i + 1} AS", "NOK"])
            habit = rng.choice([-4, -1, 0, 0, 2, 6, 12, 20, 35, 55])  # days past due, usually
            people.append((number, habit, rng.choice(CHANNELS), rng.randint(60, 160)))
    n = 0
    with open(folder / "invoices.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["customer_no", "invoice_no", "invoice_date", "due_date", "amount",
                      "settled_date", "dispute", "channel"])
        for number, habit, channel, drift in people:
            day = start + timedelta(days=rng.randint(0, 40))
            while day < as_of - timedelta(days=5):
                n += 1
                terms = rng.choice([14, 30, 30])
                due = day + timedelta(days=terms)
                disputed = rng.randint(1, 100) <= 6
                reseller = channel == "reseller"
                late = (habit * drift // 100 + rng.randint(-5, 5) + (25 if disputed else 0)
                        + (6 if reseller else 0))  # integers only: this is money's neighbour
                paid = max(due + timedelta(days=late), day)
                cents = rng.randint(200, 2000) * rng.randint(10, 400)
                out.writerow([number, f"X-{n:06d}", day.isoformat(), due.isoformat(),
                              f"{cents // 100}.{cents % 100:02d}",
                              paid.isoformat() if paid < as_of else "",
                              "yes" if disputed else "no", channel])
                day += timedelta(days=rng.randint(10, 45))
    return customers, n
