"""Labelled, messy B2B contact records for measuring duplicate detection (precision, recall, F1).

Why: a matcher only shows its worth on data that fights back. A CRM holding Nordic, German,
British and US contacts has the same person typed twice with a typo, a nickname (Bob for
Robert, Lasse for Lars), swapped names, diacritics folded or mangled (Rønnli, Ronnli, Roennli,
RÃ¸nnli), the company as "Nordlys AS", "Nordlys A/S" or "NORDLYS", a private gmail address, the
phone as "+4722334455" once and "0047 22 33 44 55" the next. And it has different people who
look alike: colleagues behind one switchboard number or one post@ mailbox, three Hansens at
Hansen Transport AS, two Lars Hansens at different companies. This module generates such a set
from a seed, with every true duplicate pair and every look-alike pair labelled. Pure Python:
no database, no Django.

    python -m bench.people --n 20000 --seed 7
"""

from __future__ import annotations

import argparse
import random
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, combinations, count

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat

from bench.people_tables import (
    BRANDS,
    CATEGORIES,
    COMMON,
    COUNTRIES,
    DIGRAPH,
    ENDS,
    FAMILY,
    FIRST,
    FREE,
    HEADS,
    NAME_VARIATIONS,
    NICK,
    PATTERNS,
    PHONES,
    ROLES,
    SIMPLE,
    SIZE_WEIGHTS,
    SIZES,
    STYLES,
    SUFFIX_ALT,
    SUFFIXES,
    TLD,
    TRADES,
    VARIATIONS,
)


@dataclass
class Dataset:
    """Records (first_name, last_name, company_name, email, business_phone, mobile_phone,
    country, and the ids of the real person and company), pairs of record indices that are
    one person, and pairs of different people that look alike, by CATEGORIES."""

    records: list[dict]
    true_pairs: set[frozenset[int]]
    lookalikes: dict[str, set[frozenset[int]]]


@dataclass(slots=True)
class _Company:
    cid: int
    country: str
    base: str  # the name without its legal form
    suffix: str
    domain: str
    switchboard: PhoneNumber
    roles: list[str]  # post@, info@, ...
    pattern: str  # of every work address: first.last, flast, ...
    role_rate: float  # share of contacts entered with a role mailbox
    family: str | None  # the surname in the name of a family company


@dataclass(slots=True)
class _Person:
    pid: int
    first: str
    last: str
    company: _Company
    email: str
    mobile: PhoneNumber | None
    business: PhoneNumber | None
    private: str = ""


def fold(text: str) -> str:
    """ASCII the way a Nordic mail server would: ø→o, å→a, æ→ae, ß→ss, accents dropped."""
    text = unicodedata.normalize("NFKD", text.translate(SIMPLE))
    return text.encode("ascii", "ignore").decode()


def _mojibake(text: str) -> str:
    """UTF-8 bytes read as cp1252: Rønnli → RÃ¸nnli, Müller → MÃ¼ller."""
    return text.encode("utf-8").decode("cp1252", errors="replace")


def _typo(rng: random.Random, s: str) -> str:
    """A transposition, deletion, substitution or doubled letter, never in the first one."""
    i, letter = rng.randrange(1, len(s) - 1), rng.choice("aeiourstnlkm")
    letter = letter.upper() if s.isupper() else letter
    return rng.choice((s[:i] + s[i + 1] + s[i] + s[i + 2:], s[:i] + s[i + 1:],
                       s[:i] + letter + s[i + 1:], s[:i] + s[i] + s[i:]))


def _parts(name: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(name).lower()) or ["x"]


def _local(pattern: str, first: str, last: str) -> str:
    f, surname = _parts(first), "".join(_parts(last))
    initials = "".join(p[0] for p in f)
    return {"first.last": ".".join(f + [surname]), "flast": initials + surname,
            "firstl": "".join(f) + surname[0], "first": ".".join(f),
            "f.last": f"{initials}.{surname}"}[pattern]


def _render(base: str, suffix: str) -> str:
    if suffix == "Oy Ab":
        return f"Oy {base} Ab"
    return f"{base}{', ' if suffix.startswith('Inc') else ' '}{suffix}" if suffix else base


def _weighted(values: list[str], s: float) -> tuple[list[str], list[float]]:
    """The values with Zipf-like cumulative weights: the first ones far more common."""
    return values, list(accumulate(1.0 / (i + 1) ** s for i in range(len(values))))


class _Generator:
    """One generation's random source and everything already handed out (numbers, addresses,
    company names), so that only the intended look-alikes share a value."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.companies, self.people = rng, [], 0
        self.numbers: set[tuple[int, int]] = set()
        self.emails: dict[str, int] = {}
        self.names: set[str] = set()
        self.domains: set[str] = set()
        self.twins: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        self.first = {c: _weighted(v, 0.7) for c, v in FIRST.items()}
        self.common = {c: _weighted(v[1:], 0.8) for c, v in COMMON.items()}
        self.tail = {}
        for c in COUNTRIES:
            pool = sorted({h + e for h in HEADS[c] for e in ENDS[c] if e not in h.lower()})
            rng.shuffle(pool)
            self.tail[c] = _weighted(pool, 0.6)

    def pick(self, table: dict, country: str) -> str:
        values, cum = table[country]
        return self.rng.choices(values, cum_weights=cum)[0]

    def surname(self, country: str) -> str:
        common = self.rng.random() < int(COMMON[country][0]) / 100
        return self.pick(self.common if common else self.tail, country)

    def number(self, country: str, mobile: bool) -> PhoneNumber:
        rng, code = self.rng, phonenumbers.country_code_for_region(country)
        templates = PHONES[country][mobile].split(",")
        while True:
            nsn = "".join(rng.choice("0123456789") if ch == "#" else rng.choice("23456789")
                          if ch == "%" else ch for ch in rng.choice(templates))
            num = PhoneNumber(country_code=code, national_number=int(nsn))
            key = (code, num.national_number)
            if key not in self.numbers and phonenumbers.is_valid_number(num):
                self.numbers.add(key)
                return num

    def fmt(self, num: PhoneNumber | None, country: str) -> str:
        """The number as somebody typed it: national, +47…, 0047…, digits only, dashes, …"""
        if num is None:
            return ""
        style = self.rng.choices(list(STYLES), list(STYLES.values()))[0]
        nat = phonenumbers.format_number(num, PhoneNumberFormat.NATIONAL)
        intl = phonenumbers.format_number(num, PhoneNumberFormat.INTERNATIONAL)
        nsn, cc = phonenumbers.national_significant_number(num), f"+{num.country_code}"
        plain = {"nat": nat, "e164": cc + nsn, "compact": re.sub(r"\D", "", nat),
                 "00": "00" + intl[1:] if country != "US" else intl,
                 "dash": re.sub(r"\s+", "-", nat.replace("(", "").replace(") ", " "))}
        if style != "special":
            return plain.get(style, intl)
        if country in ("NO", "DK"):
            pairs = " ".join(nsn[i:i + 2] for i in range(0, len(nsn), 2))
            return self.rng.choice((pairs, f"{cc} {pairs}", f"{cc} {nsn}"))
        if country == "US":
            a, b, c = nsn[:3], nsn[3:6], nsn[6:]
            return self.rng.choice((f"{a}.{b}.{c}", f"+1-{a}-{b}-{c}", f"1 ({a}) {b}-{c}"))
        if country == "DE" and self.rng.random() < 0.5:
            return nat.replace(" ", "/", 1)
        return f"{cc} (0){intl[len(cc) + 1:]}"

    def company(self) -> _Company:
        rng = self.rng
        country = rng.choices(list(COUNTRIES), list(COUNTRIES.values()))[0]
        for attempt in count():  # a new name; when the obvious ones run out, a longer one
            base, family = self.company_base(country)
            if attempt > 20:
                base = f"{base} {self.pick(self.tail, country)}" + f" {attempt}" * (attempt > 40)
            if base.casefold() not in self.names:
                break
        self.names.add(base.casefold())
        domain = ("-" if rng.random() < 0.25 else "").join(_parts(base))
        while f"{domain}.{TLD[country]}" in self.domains:
            domain += rng.choice("0123456789")
        domain = f"{domain}.{TLD[country]}"
        self.domains.add(domain)
        roles = [f"{r}@{domain}" for r in rng.sample(ROLES[country], rng.randint(1, 2))]
        self.emails.update((r, -1) for r in roles)
        suffix = rng.choices(list(SUFFIXES[country]), list(SUFFIXES[country].values()))[0]
        company = _Company(len(self.companies), country, base, suffix, domain,
                           self.number(country, False), roles,
                           rng.choices(list(PATTERNS), list(PATTERNS.values()))[0],
                           0.25 if rng.random() < 0.12 else 0.012, family)
        self.companies.append(company)
        return company

    def company_base(self, country: str) -> tuple[str, str | None]:
        rng = self.rng
        trade = rng.choice(TRADES[country])
        if rng.random() < 0.35:
            family = self.surname(country)
            return rng.choice((f"{family} {trade}", f"{family} {FAMILY[country]}", family,
                               f"{family} {trade}")), family
        tail = self.pick(self.tail, country)
        brand = rng.choice(BRANDS[country]) if rng.random() < 0.5 else tail
        return rng.choice((brand, f"{brand} {trade}")), None

    def person(self, company: _Company, size: int) -> _Person:
        rng, country = self.rng, company.country
        first, last = self.pick(self.first, country), self.surname(country)
        if company.family and size > 1 and rng.random() < 0.35:
            last = company.family
        pool = self.twins[country]
        if pool and rng.random() < 0.017:  # a name twin: somebody at another company
            twin = rng.choice(pool)
            if twin[2] != company.cid:
                first, last = twin[0], twin[1]
        pool.append((first, last, company.cid))
        email = self.unique_email(_local(company.pattern, first, last), company.domain)
        mobile, business = self.phones(company)
        self.people += 1
        self.emails[email] = self.people - 1
        return _Person(self.people - 1, first, last, company, email, mobile, business)

    def unique_email(self, local: str, domain: str) -> str:
        email, n = f"{local}@{domain}", 2
        while email in self.emails:
            email, n = f"{local}{n}@{domain}", n + 1
        return email

    def phones(self, c: _Company) -> tuple[PhoneNumber | None, PhoneNumber | None]:
        """(mobile, business): a fifth only behind the switchboard; most with a mobile."""
        rng = self.rng
        if rng.random() < 0.18:
            return None, c.switchboard
        mobile = self.number(c.country, True) if rng.random() < 0.95 else None
        if rng.random() < 0.3:
            return mobile, self.number(c.country, False)
        return mobile, c.switchboard if mobile is None or rng.random() < 0.7 else None

    def record(self, p: _Person) -> dict:
        rng, c = self.rng, p.company
        first, last = p.first, p.last
        if first in NICK and rng.random() < 0.12:
            first = rng.choice([f for f in NICK[first] if f != first])
        if rng.random() < 0.03:
            last = last.upper()
        email = rng.choice(c.roles) if rng.random() < c.role_rate else p.email
        return {"first_name": first, "last_name": last, "company_name": _render(c.base, c.suffix),
                "email": email, "business_phone": self.fmt(p.business, c.country),
                "mobile_phone": self.fmt(p.mobile, c.country), "country": c.country,
                "person": p.pid, "company": c.cid, "_b": p.business, "_m": p.mobile}

    def duplicate(self, p: _Person, base: dict) -> dict:
        """The base record again, with one to three variations."""
        rec, rng, done = dict(base), self.rng, set()
        want = rng.choices((1, 2, 3), (45, 35, 20))[0]
        for _ in range(20):
            kind = rng.choices(list(VARIATIONS), list(VARIATIONS.values()))[0]
            if len(done) < want and kind not in done and (
                    self.vary_name(kind, rec) if kind in NAME_VARIATIONS
                    else self.vary_contact(kind, rec, p)):
                done.add(kind)
        return rec

    def vary_name(self, kind: str, rec: dict) -> bool:
        rng, first = self.rng, rec["first_name"]
        if kind == "typo":
            key = rng.choice(("first_name", "last_name"))
            if len(rec[key]) < 3:
                return False
            rec[key] = _typo(rng, rec[key])
        elif kind == "nickname":
            forms = [f for f in NICK.get(first, ()) if f != first]
            if not forms:
                return False
            rec["first_name"] = rng.choice(forms)
        elif kind == "swap":
            rec["first_name"], rec["last_name"] = rec["last_name"], first
        elif kind == "initial":
            if len(first) < 3 or "." in first:
                return False
            rec["first_name"] = first[0] + ("." if rng.random() < 0.7 else "")
        else:  # fold (Rønnli → Ronnli or Roennli) or mojibake (→ RÃ¸nnli)
            keys = [k for k in ("first_name", "last_name", "company_name")
                    if not rec[k].isascii() and (k[0] != "c" or rng.random() < 0.5)]
            table = rng.choice((SIMPLE, DIGRAPH))
            for k in keys:
                rec[k] = rec[k].translate(table) if kind == "fold" else _mojibake(rec[k])
            return bool(keys)
        return True

    def vary_contact(self, kind: str, rec: dict, p: _Person) -> bool:
        rng, c = self.rng, p.company
        if kind == "suffix":
            rec["company_name"] = _render(c.base, rng.choice(SUFFIX_ALT[c.suffix].split(",")))
        elif kind == "case":
            name = rec["company_name"]
            rec["company_name"] = name.upper() if rng.random() < 0.6 else name.lower()
        elif kind == "email":
            return self.other_email(rec, p)
        elif kind == "phone":
            if rng.random() < 0.55 and (rec["_b"] or rec["_m"]):  # typed another way
                rec["business_phone"] = self.fmt(rec["_b"], c.country)
                rec["mobile_phone"] = self.fmt(rec["_m"], c.country)
            elif rng.random() < 0.6 and rec["_b"] is not c.switchboard:
                rec["_b"], rec["_m"], rec["mobile_phone"] = c.switchboard, None, ""
                rec["business_phone"] = self.fmt(c.switchboard, c.country)
            elif rec["business_phone"]:
                rec["_b"], rec["business_phone"] = None, ""
            else:
                return False
        elif kind == "mobile":
            if not rec["mobile_phone"]:
                return False
            rec["_m"], rec["mobile_phone"] = None, ""
        else:
            rec["country"] = ""
        return True

    def other_email(self, rec: dict, p: _Person) -> bool:
        """Another pattern at the domain, a private free-mail address, or none."""
        rng, c, r = self.rng, p.company, self.rng.random()
        if rec["email"] in c.roles and r < 0.3:
            rec["email"] = p.email
        elif r < 0.5:
            pattern = rng.choice([k for k in PATTERNS if k != c.pattern])
            email = f"{_local(pattern, p.first, p.last)}@{c.domain}"
            if self.emails.setdefault(email, p.pid) != p.pid:
                return False
            rec["email"] = email
        elif r < 0.85:
            if not p.private:
                f, last = ".".join(_parts(p.first)), "".join(_parts(p.last))
                local = rng.choice((f"{f}.{last}", f"{f}{last}", f"{f}_{last}",
                                    f"{f}.{last}{rng.randint(60, 99)}", f"{f[0]}{last}"))
                p.private = self.unique_email(local, rng.choice(FREE[c.country]))
                self.emails[p.private] = p.pid
            rec["email"] = p.private
        else:
            rec["email"] = ""
        return True


@lru_cache(maxsize=1 << 16)
def _phone_key(text: str, region: str) -> tuple[int, int] | None:
    try:
        num = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return num.country_code, num.national_number


def _name_key(text: str) -> str:
    return " ".join(fold(text).lower().split())


def _lookalikes(rows: list[dict], countries: dict[int, str]) -> dict[str, set[frozenset[int]]]:
    """Pairs of records of different people that share a phone number, an e-mail address,
    a folded first and last name (at different companies), or a company and a surname."""
    groups: dict[str, dict] = {cat: defaultdict(set) for cat in CATEGORIES}
    for i, r in enumerate(rows):
        region = r["country"] or countries[r["company"]]
        for text in filter(None, (r["business_phone"], r["mobile_phone"])):
            if phone := _phone_key(text, region):
                groups["switchboard"][phone].add(i)
        if r["email"]:
            groups["role_mailbox"][r["email"].strip().lower()].add(i)
        last = _name_key(r["last_name"])
        groups["name_twin"][_name_key(r["first_name"]), last].add(i)
        groups["same_surname_colleague"][r["company"], last].add(i)
    out: dict[str, set[frozenset[int]]] = {}
    for cat, by_key in groups.items():
        pairs = out.setdefault(cat, set())
        for members in by_key.values():
            for a, b in combinations(sorted(members), 2):
                ra, rb = rows[a], rows[b]
                if ra["person"] != rb["person"] and (
                        cat != "name_twin" or ra["company"] != rb["company"]):
                    pairs.add(frozenset((a, b)))
    return out


def generate(n_records: int = 20_000, seed: int = 7) -> Dataset:
    """``n_records`` contact records, shuffled, with their true duplicate pairs and look-alike
    pairs (as record indices); the same seed gives the same data."""
    gen = _Generator(random.Random(seed))
    rows: list[dict] = []
    while len(rows) < n_records:
        company = gen.company()
        low, high = gen.rng.choices(SIZES, SIZE_WEIGHTS)[0]
        size = gen.rng.randint(low, high)
        for _ in range(size):
            person = gen.person(company, size)
            base = gen.record(person)
            rows.append(base)
            extra = gen.rng.choices((0, 1, 2), (885, 101, 14))[0]  # ~2,500 pairs in 20,000
            rows.extend(gen.duplicate(person, base) for _ in range(extra))
    rows = rows[:n_records]
    gen.rng.shuffle(rows)
    by_person: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        del r["_b"], r["_m"]
        by_person[r["person"]].append(i)
    true_pairs = {frozenset(pair) for members in by_person.values()
                  for pair in combinations(members, 2)}
    countries = {c.cid: c.country for c in gen.companies}
    return Dataset(rows, true_pairs, _lookalikes(rows, countries))


def _show(ds: Dataset, pair: list[int]) -> None:
    a, b = pair
    left, right = ds.records[a], ds.records[b]
    print(f"-- records {a} and {b} (person {left['person']})")
    for label, keys in (("name", ("first_name", "last_name")), ("company", ("company_name",)),
                        ("email", ("email",)), ("phones", ("business_phone", "mobile_phone")),
                        ("country", ("country",))):
        x, y = ((" " if label == "name" else " / ").join(r[k] for k in keys)
                for r in (left, right))
        print(f"   {label:<8} {x:<46} | {y}")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=20_000, help="records (default 20000)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = p.parse_args(argv)
    ds = generate(args.n, args.seed)
    print(f"records {len(ds.records)}  people {len({r['person'] for r in ds.records})}  "
          f"companies {len({r['company'] for r in ds.records})}  "
          f"true pairs {len(ds.true_pairs)}")
    print("look-alikes: " + ", ".join(f"{k} {len(v)}" for k, v in ds.lookalikes.items()))
    samples = sorted(sorted(pair) for pair in ds.true_pairs)
    for pair in random.Random(args.seed).sample(samples, min(15, len(samples))):
        _show(ds, pair)


if __name__ == "__main__":
    main()
