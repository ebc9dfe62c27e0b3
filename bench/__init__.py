"""Benchmarks: each runs as ``python -m bench.NAME`` (``--help``), prints a table with remit's
figure beside a bare baseline on the same rows, and with ``--json`` one JSON object holding its
scale, ``remit_s``, ``baseline_s`` and ``ratio``."""
