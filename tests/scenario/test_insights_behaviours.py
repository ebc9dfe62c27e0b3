"""Payment predictions on a history unlike the demo's, imported as a new user would: customers
who are punctual, late now and then, chronically late, deteriorating, seasonal, disputing or a
bad debt; about 72 % of the invoices paid on time and few very late — the skew under which
"the most probable class" almost never says very late and the customer's own history wins on
macro F1 (issue 21). The version's decision rule must say very late where it matters and beat
that history on macro F1. Default features and the channel only: the file's dispute flag has
no date, so it is not a fair feature.

Measured on eight seeds of this generator (docs/benchmarks.md), what the rule says beat the
history's macro F1 on six, tied on one (28) and lost on one (21: 0.445 against 0.505). This
test runs seed 22. Log loss against the history is mixed across seeds and is not asserted."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from remit.demo.csv_behaviours import write
from remit.insights.models import Prediction
from tests.scenario.test_insights_from_csv import import_export

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
AS_OF = date(2026, 11, 23)


def test_the_decision_rule_says_very_late_and_beats_the_customers_history(
        entity, tmp_path: Path, capsys):
    customers, invoices = write(tmp_path, as_of=AS_OF, customers=100, seed=22)
    assert invoices > 2500
    import_export(tmp_path, "NO01")
    call_command("insights", "configure", "--entity", "NO01", "--features",
                 "default,attr:channel")
    call_command("insights", "train", "--entity", "NO01", "--as-of", AS_OF.isoformat(),
                 "--publish")
    capsys.readouterr()
    call_command("insights", "evaluate", "--entity", "NO01", "--json")
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    said, most_probable = result["model"], result["model_most_probable"]
    history = result["baselines"]["customer_history"]
    assert result["decision"]["offsets"][2] > 0  # very late is said more readily
    # the most probable class almost never says very late; the rule does, and is right more
    assert said["per_class"]["very late"]["recall"] > \
        most_probable["per_class"]["very late"]["recall"]
    assert said["macro_f1"] > max(history["macro_f1"], most_probable["macro_f1"])
    assert result["better_than_customer_history"]["macro_f1"] >= 0.9
    assert said["auc_late"] > history["auc_late"]
    assert said["log_loss"] == most_probable["log_loss"]  # the probabilities are untouched

    call_command("insights", "predict", "--entity", "NO01", "--as-of", AS_OF.isoformat())
    stored = Prediction.objects.all()
    assert stored.filter(said=2).exists() and not stored.filter(said__isnull=True).exists()
    assert all(p.is_red == (p.said != 0) for p in stored)


def test_the_demo_command_writes_either_history_the_same_way_for_a_seed(tmp_path: Path):
    import csv as csvlib

    def invoices(folder, *args):
        call_command("demo", "csv", str(folder), "--customers", "8", "--as-of",
                     AS_OF.isoformat(), *args)
        with open(folder / "invoices.csv", encoding="utf-8") as f:
            return list(csvlib.DictReader(f))

    skewed = invoices(tmp_path / "a", "--behaviours", "--seed", "5")
    assert skewed == invoices(tmp_path / "b", "--behaviours", "--seed", "5")
    assert skewed != invoices(tmp_path / "c", "--behaviours", "--seed", "6")
    assert skewed[0]["invoice_no"].startswith("H-")
    assert invoices(tmp_path / "d")[0]["invoice_no"].startswith("X-")  # the plain history
    with pytest.raises(Exception, match="as-of"):
        call_command("demo", "csv", str(tmp_path / "e"), "--as-of", "soon")
