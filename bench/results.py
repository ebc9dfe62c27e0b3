"""The results a run kept (``REMIT_BENCH_RESULTS``), as one markdown table: what CI prints at
its end, and where docs/benchmarks.md's rows come from.

    python -m bench.results test-artifacts/bench
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SKIP = {"benchmark", "scale", "remit_s", "baseline_s", "ratio", "measured_at"}


def table(folder: Path) -> str:
    rows = ["| benchmark | scale | remit s | baseline s | ratio | more | measured |",
            "|---|---|---|---|---|---|---|"]
    for path in sorted(folder.glob("*.json")):
        r = json.loads(path.read_text())
        scale = ", ".join(f"{k}={v}" for k, v in r["scale"].items())
        more = ", ".join(f"{k}={v}" for k, v in r.items() if k not in SKIP)
        rows.append(f"| {r['benchmark']} | {scale} | {r['remit_s']} | {r['baseline_s']} | "
                    f"{r['ratio']} | {more} | {r.get('measured_at', '')} |")
    return "\n".join(rows)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    p.add_argument("folder", type=Path, help="where the benchmarks wrote their JSON")
    args = p.parse_args(argv)
    if not any(args.folder.glob("*.json")):
        p.exit(0, f"no benchmark results in {args.folder}\n")
    print(table(args.folder))


if __name__ == "__main__":
    main()
