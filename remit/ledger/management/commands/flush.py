"""Django's flush, made to work with the ledger's immutability triggers.

Flushing wipes the whole database on purpose (the test runner does it between transactional
tests). On SQLite it deletes row by row, which the triggers would refuse for posted entries, so
the triggers are lifted for the flush and put back afterwards. PostgreSQL truncates, which row
triggers do not see.
"""

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from remit.ledger.guards import guards_suspended


class Command(DjangoFlush):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with guards_suspended(connection):
            return super().handle(**options)
