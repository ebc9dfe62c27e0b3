"""Duplicate detection at scale: one new lead checked against every existing lead through the
published rules (match codes by index, then rapidfuzz), p50 and p95 over many checks, beside
an exact-email index lookup on the same leads table; and precision and recall on a labelled
set of realistic variations (typos, nicknames, swapped names, reformatted phones, free-mail
addresses, company names without their legal form).

    python -m bench.duplicates --leads 1000000 [--database postgres] [--json]
"""

from __future__ import annotations

import random
import statistics
import time

from bench.common import Timer, database, parser, report

FIRST = ["Kari", "Ola", "Ingrid", "Lars", "Sofie", "Mads", "Freja", "Erik", "Astrid", "Jonas",
         "Maja", "Nils", "Sigrid", "Anders", "Liv", "Henrik", "Emma", "Oskar", "Robert",
         "William", "Katherine", "Michael", "Thomas", "Elizabeth", "Daniel", "Margaret",
         "Jonathan", "Kristina", "Per", "Lise", "Tove", "Bjørn", "Hege", "Rune", "Siri", "Geir"]
NICK = {"Robert": "Bob", "William": "Bill", "Katherine": "Kate", "Michael": "Mike",
        "Thomas": "Tom", "Elizabeth": "Liz", "Daniel": "Dan", "Margaret": "Maggie",
        "Jonathan": "Jon", "Kristina": "Stina", "Lars": "Lasse"}
SYLLABLES = ["ber", "gen", "dal", "vik", "hol", "stad", "lund", "mo", "sæ", "ter", "rud",
             "nes", "by", "ås", "li", "øy", "fjell", "heim", "strand", "bakk", "skog", "bru",
             "sund", "land", "haug", "ros", "tveit", "kvam", "eng", "lie"]
TRADES = ["Bygg", "Elektro", "Marine", "Transport", "Data", "Handel", "Energi", "Fisk",
          "Maskin", "Regnskap", "Eiendom", "Helse"]
FREE = ["gmail.com", "hotmail.com", "outlook.com", "online.no"]


def _surname(rng) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()


def _person(rng) -> dict:
    first, last = rng.choice(FIRST), _surname(rng)
    company = f"{_surname(rng)} {rng.choice(TRADES)}"
    domain = company.casefold().replace(" ", "").translate(str.maketrans("øåæ", "oaa")) + ".no"
    mail = f"{first}.{last}".casefold().translate(str.maketrans("øåæ", "oaa"))
    return {"first_name": first, "last_name": last, "company_name": f"{company} AS",
            "email": f"{mail}{rng.randint(1, 99)}@{domain}",
            "business_phone": f"{rng.randint(20, 99)} {rng.randint(10, 99)} "
                              f"{rng.randint(10, 99)} {rng.randint(10, 99)}", "country": "NO"}


def _variant(rng, p: dict) -> tuple[str, dict]:
    """The same person typed another way."""
    v, kind = dict(p), rng.choice(["typo", "nickname", "swapped", "phone", "freemail",
                                   "company"])
    if kind == "typo":
        last = v["last_name"]
        i = rng.randrange(1, len(last) - 1)
        v["last_name"] = last[:i] + last[i + 1] + last[i] + last[i + 2:]
        v["email"] = ""
    elif kind == "nickname":
        v["first_name"] = NICK.get(v["first_name"], v["first_name"])
        v["email"], v["business_phone"] = "", ""
    elif kind == "swapped":
        v["first_name"], v["last_name"] = v["last_name"], v["first_name"]
        v["email"], v["business_phone"] = "", ""
    elif kind == "phone":  # the number written another way; no address, no company
        digits = v["business_phone"].replace(" ", "")
        v["business_phone"], v["email"] = f"+47 {digits[:3]} {digits[3:5]} {digits[5:]}", ""
        v["company_name"] = ""
    elif kind == "freemail":  # a private address: only the company and name can tell
        v["email"] = f"{v['first_name'].casefold()}{rng.randint(1, 999)}@{rng.choice(FREE)}"
        v["business_phone"] = ""
    else:
        v["company_name"] = v["company_name"].replace(" AS", ", avd. Bergen").upper()
        v["email"], v["business_phone"] = "", ""
    return kind, v


def main(argv=None) -> None:
    p = parser(__doc__.split("\n\n")[0].replace("\n", " "))
    p.add_argument("--leads", type=int, default=100_000, help="existing leads")
    p.add_argument("--checks", type=int, default=400, help="new leads checked (half of them "
                                                           "variations of existing ones)")
    args = p.parse_args(argv)
    with database(args.database, keep=args.keep, reuse=args.reuse):
        run(args.leads, args.checks, args.database, args.json, reuse=bool(args.reuse))


def run(n: int, checks: int, kind: str, as_json: bool, reuse: bool = False) -> None:
    from django.db import connection

    from remit.core.actor import Actor
    from remit.core.models import LegalEntity
    from remit.core.services import legal_entity_create
    from remit.crm import duplicates, matching, qualify
    from remit.crm.models import Lead, StatusReason

    rng = random.Random(5)
    people = []
    with Timer() as generating:
        if reuse:
            entity = LegalEntity.objects.get(code="BENCH")
            people = [dict(first_name=a, last_name=b, company_name=c, email=d,
                           business_phone=e, country="NO") for a, b, c, d, e in
                      Lead.objects.filter(legal_entity=entity).order_by("?")
                      .values_list("first_name", "last_name", "company_name", "email",
                                   "business_phone")[:checks]]
        else:
            entity = legal_entity_create(code="BENCH", name="Bench AS",
                                         accounting_currency="NOK", country="NO",
                                         actor=Actor.system("bench"))
            qualify.settings_for(entity)
            new = StatusReason.objects.get(code="new")
            for start in range(0, n, 20_000):
                batch = [_person(rng) for _ in range(min(20_000, n - start))]
                people += rng.sample(batch, min(len(batch), max(1, checks // max(1, n // 20_000))))
                Lead.objects.bulk_create([Lead(legal_entity=entity, topic="Bench", status=new,
                                               **person) for person in batch], batch_size=5000)
            duplicates.codes_build(entity, "lead", duplicates.kinds_in_force(entity, "lead"))
            with connection.cursor() as cursor:
                cursor.execute("CREATE INDEX bench_lead_email ON crm_lead "
                               "(legal_entity_id, email)")
                # statistics and the visibility map, as autovacuum keeps them on a live
                # database (since PostgreSQL 13 also after inserts): without them PostgreSQL
                # plans a freshly bulk-loaded table with a sequential scan, and counts codes
                # by visiting the table instead of the index alone
                cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql"
                               else "ANALYZE")
    originals = people[:checks // 2]
    labelled = [(_variant(rng, o), o) for o in originals]
    strangers = [_person(random.Random(10_000 + i)) for i in range(checks - len(labelled))]

    remit_times, baseline_times = [], []
    found_right = found_any_stranger = wrong = 0
    by_kind: dict[str, list[int]] = {}
    for (variant_kind, variant), original in labelled:
        party = matching.Party(variant["first_name"], variant["last_name"],
                               variant["company_name"], variant["email"],
                               (variant["business_phone"],), "NO")
        start = time.perf_counter()
        matches = duplicates.find(entity, "lead", party)
        remit_times.append(time.perf_counter() - start)
        hit = any(m.record.email == original["email"] for m in matches)
        found_right += hit
        wrong += bool(matches) and not hit
        by_kind.setdefault(variant_kind, [0, 0])
        by_kind[variant_kind][0] += hit
        by_kind[variant_kind][1] += 1
        start = time.perf_counter()
        Lead.objects.filter(legal_entity=entity, email=variant["email"] or "-").exists()
        baseline_times.append(time.perf_counter() - start)
    for person in strangers:
        party = matching.Party(person["first_name"], person["last_name"],
                               person["company_name"], person["email"],
                               (person["business_phone"],), "NO")
        start = time.perf_counter()
        matches = duplicates.find(entity, "lead", party)
        remit_times.append(time.perf_counter() - start)
        found_any_stranger += bool(matches)
        start = time.perf_counter()
        Lead.objects.filter(legal_entity=entity, email=person["email"]).exists()
        baseline_times.append(time.perf_counter() - start)

    def pct(values, q):
        return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]

    predicted = found_right + wrong + found_any_stranger
    precision = found_right / predicted if predicted else 1.0
    recall = found_right / len(labelled) if labelled else 1.0
    p50, p95 = pct(remit_times, 50), pct(remit_times, 95)
    b50, b95 = pct(baseline_times, 50), pct(baseline_times, 95)
    leads_now = Lead.objects.filter(legal_entity=entity).count()
    extra = {"p50_ms": round(p50 * 1000, 2), "p95_ms": round(p95 * 1000, 2),
             "baseline_p50_ms": round(b50 * 1000, 3), "baseline_p95_ms": round(b95 * 1000, 3),
             "precision": round(precision, 3), "recall": round(recall, 3),
             "recall_by_variation": {k: round(v[0] / v[1], 3) for k, v in sorted(
                 by_kind.items())}}
    report("duplicate check of one new lead", {"leads": leads_now, "checks": len(remit_times),
                                               "database": kind},
           [("generating leads and match codes", generating.seconds, f"{leads_now} leads"),
            ("remit: duplicates.find, p95 (p50 "
             f"{p50 * 1000:.2f} ms)", p95, f"precision {precision:.3f}, recall {recall:.3f}"),
            ("baseline: exact-email index lookup, p95 (p50 "
             f"{b50 * 1000:.3f} ms)", b95, "Lead.objects.filter(email=…).exists()")]
           + [(f"  recall on {k} variations", 0.0, f"{v[0]} of {v[1]}")
              for k, v in sorted(by_kind.items())],
           p95, b95, as_json, extra)


if __name__ == "__main__":
    main()
