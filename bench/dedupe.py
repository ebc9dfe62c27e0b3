"""Duplicate detection quality on a labelled set remit was never tuned on: the generated B2B
contacts of bench/people.py (typos, nicknames, swapped names, diacritics and mojibake, company
suffixes, private addresses, phone formats) with the look-alikes of real registers (colleagues
behind one switchboard or role mailbox, name twins at other companies, same-surname
colleagues). Every record is loaded as a lead and all duplicate pairs are found at once
(remit.crm.scan: the published rules' match codes, then the scoring of the one-record check);
precision, recall and F1 with 95 % bootstrap intervals, beside the exact-e-mail rule and a
simple anchor rule (exact e-mail, or the same folded name and company prefix).

    python -m bench.dedupe --records 20000 [--seed 7] [--database postgres] [--json]
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from itertools import combinations

from bench.common import Timer, database, parser, report


def main(argv=None) -> None:
    p = parser(__doc__.split("\n\n")[0].replace("\n", " "))
    p.add_argument("--records", type=int, default=20_000, help="contacts generated")
    p.add_argument("--seed", type=int, default=7, help="of the generator")
    p.add_argument("--check", type=int, default=300,
                   help="records also checked one by one (duplicates.find), to show the two "
                        "speeds agree")
    args = p.parse_args(argv)
    if args.keep or args.reuse:
        p.error("--keep and --reuse are for benchmarks that only read (bench.aging)")
    with database(args.database):
        run(args.records, args.seed, args.check, args.database, args.json)


def grouped_pairs(keys: dict[int, str]) -> set[frozenset[int]]:
    """Pairs of records with the same non-blank key."""
    groups = defaultdict(list)
    for i, key in keys.items():
        if key:
            groups[key].append(i)
    return {frozenset(p) for members in groups.values() for p in combinations(members, 2)}


def scores(predicted: set, truth: set) -> tuple[float, float, float]:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def bootstrap(predicted: set, truth: set, rounds: int = 200) -> dict[str, tuple[float, float]]:
    """95 % intervals of precision, recall and F1, resampling the pairs either side names."""
    pairs = [(p in predicted, p in truth) for p in predicted | truth]
    rng = random.Random(1)
    samples = []
    for _ in range(rounds):
        drawn = [pairs[rng.randrange(len(pairs))] for _ in pairs]
        tp = sum(1 for p, t in drawn if p and t)
        pp, tt = sum(p for p, _ in drawn), sum(t for _, t in drawn)
        precision, recall = tp / pp if pp else 1.0, tp / tt if tt else 1.0
        samples.append((precision, recall, 2 * precision * recall / (precision + recall)
                        if precision + recall else 0.0))
    out = {}
    for i, name in enumerate(("precision", "recall", "f1")):
        values = sorted(s[i] for s in samples)
        out[name] = (round(values[int(rounds * 0.025)], 3), round(values[int(rounds * 0.975)], 3))
    return out


def baselines(records) -> tuple[set, set, float]:
    """Exact e-mail pairs, and the anchor rule's; the seconds the exact-e-mail rule took."""
    from remit.crm import matching

    start = time.perf_counter()
    exact = grouped_pairs({i: matching.email_key(r["email"]) for i, r in enumerate(records)})
    exact_s = time.perf_counter() - start
    names = grouped_pairs({
        i: f"{matching.fold(r['first_name'])}|{matching.fold(r['last_name'])}|"
           f"{matching.company_key(r['company_name']).replace(' ', '')[:5]}"
        for i, r in enumerate(records) if r["last_name"] and r["company_name"]})
    return exact, exact | names, exact_s


def _load(entity, records) -> list[int]:
    from remit.crm.models import Lead, StatusReason

    new = StatusReason.objects.get(code="new")
    fields = ("first_name", "last_name", "company_name", "email", "business_phone",
              "mobile_phone", "country")
    made = Lead.objects.bulk_create(
        [Lead(legal_entity=entity, topic="Bench", status=new, **{f: r[f] or "" for f in fields})
         for r in records], batch_size=2000)
    return [lead.pk for lead in made]


def run(n: int, seed: int, check: int, kind: str, as_json: bool) -> None:
    from bench.people import generate
    from remit.core.actor import Actor
    from remit.core.services import legal_entity_create
    from remit.crm import duplicates, scan, scoring
    from remit.crm.models import Lead

    data = generate(n, seed)
    entity = legal_entity_create(code="BENCH", name="Bench AS", accounting_currency="NOK",
                                 country="NO", actor=Actor.system("bench"))
    with Timer() as loading:
        pks = _load(entity, data.records)
    index = {pk: i for i, pk in enumerate(pks)}
    with Timer() as coding:
        duplicates.codes_build(entity, "lead", duplicates.kinds_in_force(entity, "lead"))
    with Timer() as scanning:
        found = scan.pairs_scan(entity, "lead")
    predicted = {frozenset((index[p.first], index[p.second])) for p in found}
    exact, anchor, exact_s = baselines(data.records)
    truth = data.true_pairs
    precision, recall, f1 = scores(predicted, truth)
    intervals = bootstrap(predicted, truth)

    # the one-record check on a sample: the same pairs as the scan?
    rng = random.Random(seed)
    sample = rng.sample(pks, min(check, len(pks)))
    agree = total = 0
    by_pk = {lead.pk: lead for lead in Lead.objects.filter(pk__in=sample)}
    times = []
    for pk in sample:
        start = time.perf_counter()
        one = duplicates.find(entity, "lead", duplicates.party(by_pk[pk]), exclude=by_pk[pk])
        times.append(time.perf_counter() - start)
        mine = {frozenset((index[pk], index[m.record.pk])) for m in one}
        theirs = {p for p in predicted if index[pk] in p}
        agree += mine == theirs
        total += 1
    remit_s = coding.seconds + scanning.seconds
    rows = [("loading the leads (bulk, not measured)", loading.seconds, f"{n} records"),
            ("remit: match codes for every lead", coding.seconds, ""),
            ("remit: every pair at once (crm.scan)", scanning.seconds,
             f"{n / remit_s:.0f} records/s; precision {precision:.3f}, recall {recall:.3f}, "
             f"F1 {f1:.3f}"),
            ("baseline: exact e-mail pairs", exact_s,
             "precision {:.3f}, recall {:.3f}, F1 {:.3f}".format(*scores(exact, truth))),
            ("baseline: exact e-mail, or same name + company prefix", 0.0,
             "precision {:.3f}, recall {:.3f}, F1 {:.3f}".format(*scores(anchor, truth)))]
    flagged = {}
    for category, pairs in sorted(data.lookalikes.items()):
        flagged[category] = [len(pairs & predicted), len(pairs)]
        rows.append((f"  look-alikes flagged: {category}", 0.0,
                     f"{len(pairs & predicted)} of {len(pairs)}"))
    rows.append(("  one-record check agrees with the scan", 0.0, f"{agree} of {total} records"))
    report("duplicate detection quality", {"records": n, "true_pairs": len(truth),
                                           "database": kind},
           rows, remit_s, exact_s, as_json,
           extra={"precision": round(precision, 4), "recall": round(recall, 4),
                  "f1": round(f1, 4), "ci95": intervals, "predicted_pairs": len(predicted),
                  "records_per_s": round(n / remit_s, 1),
                  "exact_email": [round(x, 4) for x in scores(exact, truth)],
                  "anchor": [round(x, 4) for x in scores(anchor, truth)],
                  "lookalikes_flagged": flagged, "one_record_agrees": [agree, total],
                  "one_record_p95_ms": round(sorted(times)[int(len(times) * 0.95)] * 1000, 2)
                  if times else None,
                  "threshold_bits": scoring.THRESHOLD})


if __name__ == "__main__":
    main()
