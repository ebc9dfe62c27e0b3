"""Keys met earlier in a file (invoice numbers, customer numbers, lead keys) and the line each
was first on. A file is checked as a stream, so what it must remember grows with it: a Python
set of a million invoice numbers costs about 200 MB. The keys live instead in a private
temporary SQLite database on disk (Python's ``sqlite3``, not the application's database), of
which the process holds only SQLite's page cache (a few MB), and are looked up a chunk at a
time."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


class SeenKeys:
    def __init__(self) -> None:
        # "" opens a private temporary database on disk, deleted when closed
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")
        self.count = 0

    def earlier(self, keys: Sequence[tuple[str, int]]) -> list[int | None]:
        """For each (key, line), in order: the line the key was first on, when that is an
        earlier one; None for a key met for the first time (it is remembered)."""
        distinct = sorted({k for k, _ in keys})
        first: dict[str, int] = {}
        for start in range(0, len(distinct), 900):
            part = distinct[start:start + 900]
            marks = ", ".join("?" * len(part))
            first.update(self._db.execute(
                f"SELECT key, line FROM seen WHERE key IN ({marks})", part).fetchall())
        out: list[int | None] = []
        new: list[tuple[str, int]] = []
        for key, line in keys:
            if key in first:
                out.append(first[key])
            else:
                first[key] = line
                new.append((key, line))
                out.append(None)
        if new:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT INTO seen (key, line) VALUES (?, ?)", new)
            self._db.execute("COMMIT")
            self.count += len(new)
        return out

    def close(self) -> None:
        self._db.close()

    def __del__(self) -> None:
        try:
            self._db.close()
        except Exception:  # noqa: BLE001 - closing at interpreter exit
            pass
