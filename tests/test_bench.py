"""The benchmarks keep working: each runs as ``python -m bench.NAME`` and prints one JSON
object with its scale, remit_s, baseline_s and ratio (figures are measured by running them,
not asserted here). With ``REMIT_BENCH_RESULTS`` set (CI sets it) each keeps its result
there as a file."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHES = [("posting", ["--n", "100"]),  # enough to read a regression off CI's results
           ("aging", ["--items", "300", "--customers", "30", "--repeat", "1"]),
           ("predictions", ["--items", "200", "--customers", "20"]),
           ("duplicates", ["--leads", "400", "--checks", "40"]),
           ("imports", ["--rows", "300"]),
           ("dedupe", ["--records", "1500", "--check", "30"])]


@pytest.mark.slow
@pytest.mark.parametrize("name,args", BENCHES)
def test_a_benchmark_runs_and_prints_its_contract(name, args, schema_template):
    """On the database the suite runs on, starting from the suite's migrated schema."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("REMIT_") or k == "REMIT_BENCH_RESULTS"}
    if schema_template.postgres:
        env["REMIT_BENCH_TEMPLATE"] = schema_template.pg_name
        args = [*args, "--database", "postgres"]
    else:
        env["REMIT_BENCH_TEMPLATE"] = str(schema_template.sqlite_file)
    result = subprocess.run([sys.executable, "-m", f"bench.{name}", "--json", *args], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)  # the whole output is one JSON object
    assert {"scale", "remit_s", "baseline_s", "ratio"} <= set(report)
    assert report["remit_s"] > 0 and report["baseline_s"] > 0
    help_text = subprocess.run([sys.executable, "-m", f"bench.{name}", "--help"], cwd=ROOT,
                               env=env, capture_output=True, text=True).stdout
    assert "--json" in help_text
