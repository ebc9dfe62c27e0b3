"""Files shaped like real exports of other systems, for trying imports and for measuring them:
a Nordic ERP's invoice list (semicolons, a byte-order mark, CRLF, Norwegian headers, decimal
commas with space, no-break-space and dot thousands, dd.mm.yyyy, credit notes and their paid
amounts signed, part payments, penny differences, a days-late column) and a US accounting
system's (commas, m/d/yyyy, dollar amounts with thousands commas, negatives in parentheses,
an open balance and a paid/open status). Each writer returns the file's own sums, computed
from the same integers it wrote, so a test can hold the books against them. Deterministic by
seed; integer arithmetic only (amounts are counted in cents).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path


@dataclass
class Sums:
    """What a file holds, per currency: documents, and the signed amount, settled and open."""

    rows: int = 0
    by_currency: dict[str, dict[str, int]] = field(default_factory=dict)  # cents
    customers: set = field(default_factory=set)

    def add(self, currency: str, amount: int, settled: int, still_open: int) -> None:
        into = self.by_currency.setdefault(currency, {"documents": 0, "amount": 0,
                                                      "settled": 0, "open": 0})
        into["documents"] += 1
        into["amount"] += amount
        into["settled"] += settled
        into["open"] += still_open
        self.rows += 1

    def decimal(self, currency: str, what: str) -> Decimal:
        value = self.by_currency[currency][what]
        return Decimal(value) if what == "documents" else Decimal(value) / 100


def _nordic_amount(rng: random.Random, cents: int) -> str:
    """Decimal comma; thousands by space, no-break space, dot or nothing, as exports mix."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    digits = str(whole)
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    sep = rng.choice([" ", "\u00a0", ".", ""])
    return f"{sign}{sep.join(groups)},{frac:02d}"


def _us_amount(cents: int, dollar: bool = True) -> str:
    whole, frac = divmod(abs(cents), 100)
    text = f"{'$' if dollar else ''}{whole:,}.{frac:02d}"
    return f"({text})" if cents < 0 else text


def _history(rng: random.Random, customers: int, rows: int, as_of: date,
             foreign: tuple[str, ...] = ()):
    """The documents both shapes write (one at a time: a file of millions is never held):
    invoices and some credit notes, paid on time, late, in part, with a penny short, or not
    at all."""
    people = []
    for i in range(customers):
        habit = rng.choice([-5, -2, 0, 0, 3, 8, 15, 30, 60])
        currency = rng.choice(foreign) if foreign and rng.randint(1, 100) <= 12 else ""
        people.append((f"{10000 + i}", habit, currency, rng.choice(["Nord", "Vest", "Øst",
                                                                     "Sør", "Midt"]),
                       rng.choice(["Kari", "Ola", "Per", "Liv"])))
    start = as_of - timedelta(days=900)
    for n in range(rows):
        number, habit, currency, region, seller = people[rng.randrange(customers)]
        issued = start + timedelta(days=rng.randint(0, 880))
        terms = rng.choice([14, 30, 30, 45])
        due = issued + timedelta(days=terms)
        cents = rng.randint(50, 40000) * rng.choice([1, 5, 25, 100])
        credit = rng.randint(1, 100) <= 6
        if credit:
            cents = -max(cents // 10, 100)
        late = habit + rng.randint(-4, 6)
        paid_on = due + timedelta(days=late)
        roll = rng.randint(1, 100)
        if paid_on >= as_of or roll <= 6:
            settled, paid_on = 0, None          # still open
        elif roll <= 12 and not credit:
            settled = abs(cents) * rng.randint(20, 80) // 100   # paid in part
        elif roll <= 16 and not credit and abs(cents) > 500:
            settled = abs(cents) - rng.randint(1, 5)   # a few øre short: a penny difference
        else:
            settled = abs(cents)
        penny = 0 < abs(cents) - settled <= 5 and settled > 0
        still_open = 0 if penny else abs(cents) - settled
        yield ({"customer": number, "name": f"Kunde {number} AS", "number": f"F{100000 + n}",
                     "issued": issued, "due": due, "terms": terms, "cents": cents,
                     "currency": currency, "paid_on": paid_on if settled else None,
                     "settled": settled, "open": still_open, "region": region,
                     "seller": seller, "credit": credit,
                     "days_late": (paid_on - due).days if settled and paid_on else ""})


NORDIC_HEADER = ["Kundenr", "Kundenavn", "Fakturanr", "Bilagstype", "Fakturadato",
                 "Forfallsdato", "Valuta", "Beløp", "Betalt dato", "Betalt beløp",
                 "Restbeløp", "Selger", "Region", "Dager forsinket"]


def write_nordic(path: Path, *, rows: int = 500, customers: int = 60, as_of: date,
                 accounting: str = "NOK", foreign: tuple[str, ...] = ("EUR",),
                 seed: int = 5) -> Sums:
    """A Nordic ERP's invoice list (see the module's words)."""
    rng = random.Random(seed)
    sums = Sums()
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, delimiter=";", lineterminator="\r\n")
        out.writerow(NORDIC_HEADER)
        for d in _history(rng, customers, rows, as_of, foreign):
            sign = -1 if d["cents"] < 0 else 1
            currency = d["currency"] or accounting
            paid = sign * d["settled"] if rng.randint(0, 1) or sign > 0 else d["settled"]
            out.writerow([
                d["customer"], d["name"], d["number"], "Kreditnota" if d["credit"] else "Faktura",
                d["issued"].strftime("%d.%m.%Y"), d["due"].strftime("%d.%m.%Y"),
                d["currency"], _nordic_amount(rng, d["cents"]),
                d["paid_on"].strftime("%d.%m.%Y") if d["paid_on"] else "",
                _nordic_amount(rng, paid) if d["settled"] else "",
                _nordic_amount(rng, sign * d["open"]), d["seller"], d["region"],
                d["days_late"]])
            sums.add(currency, d["cents"], sign * d["settled"], sign * d["open"])
            sums.customers.add(d["customer"])
    return sums


US_HEADER = ["Customer ID", "Customer", "Num", "Type", "Date", "Due Date", "Terms", "Amount",
             "Open Balance", "Date Paid", "Status"]


def write_us(path: Path, *, rows: int = 500, customers: int = 60, as_of: date,
             seed: int = 9) -> Sums:
    """A US accounting system's invoice list (see the module's words). Dollars only."""
    rng = random.Random(seed)
    sums = Sums()
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, delimiter=",", lineterminator="\n")
        out.writerow(US_HEADER)
        for d in _history(rng, customers, rows, as_of):
            sign = -1 if d["cents"] < 0 else 1
            status = ("Paid" if d["open"] == 0 and d["settled"] else
                      "Partially Paid" if d["settled"] else "Open")
            out.writerow([
                d["customer"], d["name"].replace("AS", "Inc."), d["number"],
                "Credit Memo" if d["credit"] else "Invoice",
                f"{d['issued'].month}/{d['issued'].day}/{d['issued'].year}",
                f"{d['due'].month}/{d['due'].day}/{d['due'].year}", f"Net {d['terms']}",
                _us_amount(d["cents"]), _us_amount(sign * d["open"]),
                (f"{d['paid_on'].month}/{d['paid_on'].day}/{d['paid_on'].year}"
                 if d["paid_on"] else ""), status])
            # the file says only what is open: what is not open was paid, pennies and all
            sums.add("USD", d["cents"], sign * (abs(d["cents"]) - d["open"]), sign * d["open"])
            sums.customers.add(d["customer"])
    return sums
