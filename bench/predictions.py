"""Payment predictions at scale: remit's scoring of every open invoice end to end (invoices and
history read from the database, features as of the scoring date, calibrated probabilities,
factors, predictions stored) beside the bare model's predict on the same feature matrix.

    python -m bench.predictions --items 1000000 --customers 100000 [--database postgres] [--json]

The model is trained first on an imported two-year history (``remit demo csv``: 120
customers, about 3,000 invoices); the open invoices to score are bulk-posted on top.
"""

from __future__ import annotations

import tempfile
from contextlib import redirect_stdout
from datetime import date
from io import StringIO
from pathlib import Path

from bench.common import Timer, database, parser, report


def main(argv=None) -> None:
    p = parser(__doc__.split("\n\n")[0].replace("\n", " "))
    p.add_argument("--items", type=int, default=100_000, help="open invoices to score")
    p.add_argument("--customers", type=int, default=10_000, help="their customers")
    args = p.parse_args(argv)
    with database(args.database, keep=args.keep, reuse=args.reuse):
        run(args.items, args.customers, args.database, args.json, reuse=bool(args.reuse))


def run(items: int, customers: int, kind: str, as_json: bool, reuse: bool = False) -> None:
    from django.core.management import call_command

    from remit.core.actor import Actor
    from remit.core.models import LegalEntity
    from remit.core.services import legal_entity_create
    from remit.demo.csv_history import write
    from remit.demo.scale import demo_scale
    from remit.insights import services
    from remit.insights.models import Prediction
    from remit.receivables.models import CustomerTransaction

    actor = Actor.system("bench")
    as_of = date(2026, 11, 23)
    if reuse:
        entity = LegalEntity.objects.get(code="BENCH")
        generating = Timer()
        generating.seconds = 0.0
    else:
        entity = legal_entity_create(code="BENCH", name="Bench AS", accounting_currency="NOK",
                                     country="NO", actor=actor)
        with Timer() as generating, redirect_stdout(StringIO()):  # --json: one object only
            folder = Path(tempfile.mkdtemp(prefix="remit-bench-csv-"))
            write(folder, as_of=as_of)
            for what, mapping in (("customers", ["customer_no=account_number",
                                                 "company=name"]),
                                  ("invoices", ["customer_no=customer",
                                                "invoice_no=invoice_number"])):
                call_command("import", what, str(folder / f"{what}.csv"), "--entity", "BENCH",
                             *[x for m in mapping for x in ("--map", m)], stdout=StringIO())
            model = services.model_train(legal_entity=entity, as_of=as_of, actor=actor)
            services.model_publish(model=model, actor=actor)
            demo_scale(legal_entity=entity, customers=customers, open_items=items, as_of=as_of)
    open_items = CustomerTransaction.objects.filter(legal_entity=entity, kind="invoice",
                                                    is_open=True).count()
    with Timer() as t:
        scored = services.predictions_score(legal_entity=entity, as_of=as_of, actor=actor)
    remit_s = t.seconds
    # the baseline: the same model's predict (trees, history anchor, calibration) on the
    # same feature matrix, nothing else
    trained = services.trained_from(services.published(entity))
    settings = services.settings_for(entity)
    from remit.insights.features import scoring_rows

    rows = [f for h in services.histories(entity, settings).values()
            for _, f in scoring_rows(h, as_of)]
    x = trained.matrix.encode(rows)
    with Timer() as t:
        trained.predict(x, rows)
    baseline_s = t.seconds
    assert scored == Prediction.objects.filter(legal_entity=entity).count()
    report("payment predictions", {"open_invoices": open_items, "customers": customers,
                                   "database": kind},
           [("generating: imported history, training, bulk-posted open invoices",
             generating.seconds, f"{items} open invoices of {customers} customers"),
            ("remit: predictions_score (read, features, predict, calibrate, factors, store)",
             remit_s, f"{scored} predictions stored"),
            ("baseline: the bare model's predict on the same feature matrix", baseline_s,
             f"{len(rows)} rows, {x.shape[1]} columns")],
           remit_s, baseline_s, as_json)


if __name__ == "__main__":
    main()
