"""Small builders for tests: post an entry from a compact description; run two transactions
in the dangerous interleaving."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from remit.core.actor import Actor
from remit.core.money import Money
from remit.ledger.rules import PostingLine
from remit.ledger.selectors import account_by_number, journal_by_code
from remit.ledger.services import journal_entry_post

SYSTEM = Actor.system("test")


def post(entity, lines: list[tuple[str, str]], *, on: date = date(2026, 3, 16),
         currency: str | None = None, journal: str = "GJ", description: str = "test entry",
         actor: Actor = SYSTEM, **kwargs):
    """``lines``: (account number, signed amount) pairs, e.g. [("6300", "100"), ("1920", "-100")]."""
    cur = currency or entity.accounting_currency
    return journal_entry_post(
        legal_entity=entity, journal=journal_by_code(entity, journal), entry_date=on,
        description=description,
        lines=[PostingLine(account_by_number(entity, number), Money(Decimal(amount), cur))
               for number, amount in lines],
        actor=actor, **kwargs)


def first_then_second(first, second, meanwhile=None) -> dict:
    """Run ``first`` in a transaction that stays open until ``second`` has started (and had
    time to reach its locks) and ``meanwhile`` has run; then commit. Returns what each
    returned or raised."""
    decided, started, out = threading.Event(), threading.Event(), {}

    def one():
        try:
            with transaction.atomic():
                out["first"] = first()
                decided.set()
                started.wait(5)
                time.sleep(0.5)  # the second is now waiting on a lock (or has decided)
                if meanwhile is not None:
                    meanwhile()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            out["first"] = exc
        finally:
            decided.set()
            connection.close()

    def two():
        try:
            decided.wait(10)
            started.set()
            out["second"] = second()
        except Exception as exc:  # noqa: BLE001
            out["second"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=one), threading.Thread(target=two)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return out


def api_caller(user, prefix: str):
    """call(method, path, body=None) → (status, JSON body or None) with a fresh bearer token
    of ``user``, for paths under ``prefix`` (e.g. "/api/receivables")."""
    import json

    from django.test import Client

    from remit.core.services import api_token_create

    secret = api_token_create(user=user, name="test", actor=SYSTEM)[1]
    client = Client()

    def call(method, path, body=None):
        response = client.generic(method, f"{prefix}{path}",
                                  data=json.dumps(body) if body is not None else "",
                                  content_type="application/json",
                                  HTTP_AUTHORIZATION=f"Bearer {secret}")
        return response.status_code, (response.json() if response.content else None)

    return call
