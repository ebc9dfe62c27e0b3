"""The ``remit`` command: Django's management utility with remit's settings.

Exit codes: 0 done; 1 the command ran and found a problem (``remit ledger check``: violations
in the books; bad input); 2 the command could not do its work at all — no database, a
database without remit's tables, a read-only or full disk — with a message saying what to
do instead of a traceback. Scripts and monitoring can tell "the books are wrong" (1) from
"the books could not be checked" (2)."""

import errno
import os
import sys

COULD_NOT_RUN = 2


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "remit.settings")
    if not sys.stdout.isatty():  # rich would squeeze its tables to 80 columns in a file or pipe
        os.environ.setdefault("COLUMNS", "160")
    from django.db.utils import DatabaseError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv or sys.argv)
    except DatabaseError as exc:
        message = _database_problem(exc)
        if message is None:
            raise
        _stop(message)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM,
                             errno.EDQUOT):
            raise
        _stop(f"remit: could not write {exc.filename or 'a file'}: {exc.strerror}. "
              f"{_WHAT_TO_DO[exc.errno in (errno.ENOSPC, errno.EDQUOT)]}")


_WHAT_TO_DO = {
    True: "Free some space on that disk and run the command again; what a command writes "
          "is one transaction, so nothing was half-written.",
    False: "Give the user running remit write access to it and its folder, or point "
           "REMIT_DATA_DIR (SQLite) or REMIT_DATABASE_URL elsewhere.",
}


def _database_problem(exc: Exception) -> str | None:
    """What to tell the user about a database that cannot be used, or None when the error is
    something else (a bug, which keeps its traceback)."""
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = text.lower()
    if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered):
        return (f"remit: the database {name} lacks remit's tables ({text}).\n"
                "After an upgrade run `remit migrate`. Otherwise run `remit up` (or `make run`) "
                "in the folder you set remit up in, or point REMIT_DATA_DIR (SQLite; default "
                "./var under the current folder) or REMIT_DATABASE_URL at the database you use.")
    if "readonly database" in lowered or "read-only" in lowered or "read only" in lowered:
        return f"remit: the database {name} is read-only ({text}). {_WHAT_TO_DO[False]}"
    if "disk is full" in lowered or "no space left" in lowered or "disk full" in lowered:
        return f"remit: the disk holding {name} is full ({text}). {_WHAT_TO_DO[True]}"
    if ("unable to open" in lowered or "could not connect" in lowered
            or "connection refused" in lowered or "connection to server" in lowered
            or "disk i/o error" in lowered or "database is locked" in lowered):
        return (f"remit: could not use the database {name} ({text}). Check that it is there "
                "and reachable (REMIT_DATABASE_URL / REMIT_DATA_DIR), then run the command again.")
    return None


def _stop(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.exit(COULD_NOT_RUN)


if __name__ == "__main__":
    main()
