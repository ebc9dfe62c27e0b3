"""The ``remit`` command: Django's management utility with remit's settings."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "remit.settings")
    if not sys.stdout.isatty():  # rich would squeeze its tables to 80 columns in a file or pipe
        os.environ.setdefault("COLUMNS", "160")
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError, ProgrammingError

    try:
        execute_from_command_line(argv or sys.argv)
    except (OperationalError, ProgrammingError) as exc:
        if not _no_tables(exc):
            raise
        from django.conf import settings

        name = settings.DATABASES["default"]["NAME"]
        sys.stderr.write(
            f"remit: the database {name} lacks remit's tables ({exc}).\n"
            "After an upgrade run `remit migrate`. Otherwise run `remit up` (or `make run`) "
            "in the folder you set remit up in, or point "
            "REMIT_DATA_DIR (SQLite; default ./var under the current folder) or "
            "REMIT_DATABASE_URL at the database you use.\n")
        sys.exit(2)


def _no_tables(exc: Exception) -> bool:
    text = str(exc)
    return "no such table" in text or ("relation" in text and "does not exist" in text)


if __name__ == "__main__":
    main()
