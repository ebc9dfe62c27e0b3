"""No float in any amount path: remit's code never calls float(), never declares a FloatField,
never builds a Decimal from a float literal, and the API parses JSON numbers as Decimal.

Probabilities and model scores (the insights and ML apps, when they come) are not amounts;
they are listed in ALLOWED and nowhere else."""

import ast
from pathlib import Path

import remit

ROOT = Path(remit.__file__).parent
# Probabilities, features and metrics of the machine-learning code (never amounts: money
# enters the features as a log-scaled number and leaves as Decimal probabilities), and the
# similarity scores of duplicate matching.
ALLOWED: set[str] = {"insights/features.py", "insights/learn.py", "insights/metrics.py",
                     "insights/explain.py", "insights/decide.py",
                     # how often a generated customer pays late: chances, not amounts
                     "demo/csv_behaviours.py",
                     # match weights (bits) and scores (0–100) of duplicate matching,
                     # never amounts
                     "crm/matching.py", "crm/duplicates.py", "crm/scoring.py", "crm/names.py",
                     # SQLite's REAL storage emulated: what a rate column gives back
                     "core/stored.py"}
# Seconds are not money: the worker's polling interval may be a float.
ALLOWED_FLOAT_LITERALS = {"jobs/management/commands/worker.py"}


def _python_files():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" not in f"/{rel}" and rel not in ALLOWED:
            yield rel, ast.parse(path.read_text(), filename=str(path))


def _float_uses(tree, literals_allowed: bool = False):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(a.name == "FloatField" for a in node.names):
            yield node.lineno, "import FloatField"
        if (not literals_allowed and isinstance(node, ast.Constant)
                and isinstance(node.value, float)):
            yield node.lineno, f"float literal {node.value}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float":
            yield node.lineno, "float()"
        if isinstance(node, ast.Attribute) and node.attr in {"FloatField"}:
            yield node.lineno, node.attr


def test_no_float_in_remit_code():
    found = [f"{rel}:{line} {what}" for rel, tree in _python_files()
             for line, what in _float_uses(tree, rel in ALLOWED_FLOAT_LITERALS)]
    assert found == []


def test_the_scanner_would_catch_a_float():
    tree = ast.parse("from decimal import Decimal\nfrom django.db.models import FloatField\n"
                     "x = float('1.5')\ny = Decimal(0.1)\nz = 2 * 0.5\n")
    assert sorted(w for _, w in _float_uses(tree)) == [
        "float literal 0.1", "float literal 0.5", "float()", "import FloatField"]


def test_every_amount_column_is_a_decimal():
    from django.apps import apps
    from django.db import models

    floats = [f"{m._meta.label}.{f.name}" for m in apps.get_models()
              if m._meta.app_label in {"core", "ledger", "receivables", "collections", "jobs"}
              for f in m._meta.get_fields() if isinstance(f, models.FloatField)]
    assert floats == []
