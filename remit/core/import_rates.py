"""Exchange rates as an import kind: a date, a currency and its rate, from a plain file or a
central bank's own CSV (Norges Bank's SDMX shape with BASE_CUR, QUOTE_CUR and UNIT_MULT; the
ECB's with CURRENCY and CURRENCY_DENOM; a rate per 100 units as Danmarks Nationalbank and the
Riksbank quote some). A rate is units of ``to_currency`` (default: the legal entity's
accounting currency) for one unit of ``currency``; a rate already there for the pair and date
is corrected when the file says otherwise, and left as it is when it agrees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from remit.imports.kinds import Context, Counts, ImportKind, Row
from remit.imports.mapping import Field

from .audit import audit_record
from .models import ExchangeRate
from .money import InvalidAmount, is_currency, normalize_rate

FIELDS = (
    Field("date", "Date", required=True, kind="date", synonyms=(
        "valid from", "time period", "time_period", "dato", "datum", "rate date", "day")),
    Field("currency", "Currency", required=True, synonyms=(
        "from currency", "base currency", "base_cur", "base cur", "valuta", "currency code",
        "iso", "kode", "code")),
    Field("rate", "Rate", required=True, kind="amount", synonyms=(
        "obs value", "obs_value", "value", "kurs", "exchange rate", "mid", "middle rate",
        "midtkurs")),
    Field("to_currency", "To currency", synonyms=(
        "quote currency", "quote_cur", "quote cur", "counter currency", "target currency")),
    Field("units", "Units (the rate is for this many)", kind="int", synonyms=(
        "unit", "per", "enhet", "enhed", "antal", "quantity", "amount of currency")),
    Field("unit_multiplier", "Unit multiplier (power of ten)", kind="int", synonyms=(
        "unit mult", "unit_mult")),
)
MAX_RATE = Decimal(10) ** 9


@dataclass
class Parsed:
    on: date
    from_currency: str
    to_currency: str
    rate: Decimal


class ExchangeRates(ImportKind):
    name = "rates"
    label = "Exchange rates"
    constant_example = "to_currency=NOK"
    permission = "core.add_exchangerate"
    fields = FIELDS
    amount_fields = ("rate",)
    date_fields = ("date",)

    def shape(self, header: list[str]) -> dict[str, str]:
        """The ECB writes the quoted currency as CURRENCY and the base as CURRENCY_DENOM."""
        names = {h.upper(): h for h in header}
        if "CURRENCY_DENOM" in names and "CURRENCY" in names:
            return {names["CURRENCY_DENOM"]: "currency", names["CURRENCY"]: "to_currency"}
        return {}

    def start(self, ctx: Context) -> None:
        ctx.state["seen"] = {}

    def parse(self, ctx: Context, row: Row) -> Parsed | None:
        on = ctx.date(row, "date")
        if on is None and not row.text("date"):
            row.bad("date", "is empty")
        elif on is not None and on > ctx.as_of + timedelta(days=366):
            row.bad("date", f"is more than a year after {ctx.as_of.isoformat()}")
        source = row.text("currency").upper()
        target = (row.text("to_currency") or ctx.legal_entity.accounting_currency).upper()
        for name, code in (("currency", source), ("to_currency", target)):
            if not is_currency(code):
                row.bad(name, f"{code!r} is not an ISO 4217 currency code")
        if source and source == target:
            row.bad("to_currency", f"{source} to {target}: the rate of a currency to itself "
                                   "is 1")
        value = ctx.amount(row, "rate")
        if value is None and not row.text("rate"):
            row.bad("rate", "is empty")
        units = ctx.integer(row, "units", 1, 10**6) or 1
        power = ctx.integer(row, "unit_multiplier", 0, 6) or 0
        if value is not None:
            if value <= 0:
                row.bad("rate", f"{value} is not above zero")
            elif value >= MAX_RATE:
                row.bad("rate", f"{value} is too large for a rate")
            else:
                try:
                    value = normalize_rate(value / (units * 10 ** power))
                except InvalidAmount as exc:
                    row.bad("rate", exc.message)
        if row.problems:
            return None
        return Parsed(on, source, target, value)

    def check_chunk(self, ctx: Context, rows: list[tuple[Row, Parsed]]) -> None:
        seen = ctx.state["seen"]
        for row, p in rows:
            key = (p.from_currency, p.to_currency, p.on)
            if key in seen:
                row.bad("date", f"{p.from_currency}→{p.to_currency} on {p.on.isoformat()} is "
                                f"also on line {seen[key]}")
            else:
                seen[key] = row.line

    def totals(self, ctx: Context, p: Parsed):
        return f"{p.from_currency}→{p.to_currency}", {"rates": Decimal(1)}

    def post_chunk(self, ctx: Context, rows: list[tuple[Row, Parsed]]) -> Counts:
        wanted = {(p.from_currency, p.to_currency, p.on): p.rate for _, p in rows}
        pairs = {(f, t) for f, t, _ in wanted}
        days = [d for _, _, d in wanted]
        there = {}
        for f, t in pairs:
            for rate in ExchangeRate.objects.filter(from_currency=f, to_currency=t,
                                                    valid_from__gte=min(days),
                                                    valid_from__lte=max(days)):
                there[(f, t, rate.valid_from)] = rate
        new, changed, counts = [], [], Counts()
        for key, rate in wanted.items():
            found = there.get(key)
            if found is None:
                new.append(ExchangeRate(from_currency=key[0], to_currency=key[1],
                                        valid_from=key[2], rate=rate))
                counts.created += 1
            elif normalize_rate(found.rate) != rate:
                found.rate = rate
                changed.append(found)
                counts.updated += 1
            else:
                counts.unchanged += 1
        ExchangeRate.objects.bulk_create(new, batch_size=1000)
        if changed:
            ExchangeRate.objects.bulk_update(changed, ["rate"], batch_size=1000)
        if new or changed:
            audit_record(actor=ctx.actor, action="core.exchange_rate.import",
                         legal_entity=ctx.legal_entity,
                         data={"created": counts.created, "corrected": counts.updated,
                               "pairs": sorted(f"{f}→{t}" for f, t in pairs)})
        return counts
