"""A company whose only history is another system's CSV export: import the customers and a
few thousand invoices (settled dates, a dispute flag, a channel), train, evaluate, predict and
explain — the story the README tells, end to end."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from remit.demo.csv_history import write
from remit.insights.models import Prediction, PredictionModel
from remit.ledger.services import ledger_check_run
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 23)


def import_export(folder: Path, entity: str) -> None:
    """Import another system's customers.csv and invoices.csv (``remit demo csv``) as a new
    user would, mapping its column names."""
    call_command("import", "customers", str(folder / "customers.csv"), "--entity", entity,
                 "--map", "customer_no=account_number", "--map", "company=name")
    call_command("import", "invoices", str(folder / "invoices.csv"), "--entity", entity,
                 "--map", "customer_no=customer", "--map", "invoice_no=invoice_number")


def test_import_train_evaluate_predict_explain(entity, tmp_path: Path, capsys):
    customers, invoices = write(tmp_path, as_of=AS_OF, customers=60)
    assert invoices > 1000
    import_export(tmp_path, "NO01")
    call_command("insights", "configure", "--entity", "NO01", "--features",
                 "default,attributes")  # the kept columns that do not leak, chosen
    call_command("insights", "train", "--entity", "NO01", "--as-of", AS_OF.isoformat(),
                 "--publish")
    capsys.readouterr()
    call_command("insights", "evaluate", "--entity", "NO01", "--json")
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    model, majority = result["model"], result["baselines"]["majority"]
    assert model["macro_f1"] > majority["macro_f1"] and model["log_loss"] < majority["log_loss"]
    assert "attr_channel" in PredictionModel.objects.get().features
    call_command("insights", "predict", "--entity", "NO01", "--as-of", AS_OF.isoformat())
    from remit.insights.services import prediction_explain

    predictions = [prediction_explain(p) for p in Prediction.objects.select_related(
        "item", "model")]
    assert predictions and all(p.factors for p in predictions)
    assert any("channel" in f["text"] or "dispute" in f["text"] or "late" in f["text"]
               for p in predictions for f in p.factors)
    assert ledger_check_run(actor=SYSTEM).ok
