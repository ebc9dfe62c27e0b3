"""Subledgers register here: the accounts they control, and how to prove they agree with them.

Why a registry: the ledger must not import receivables (which is built on the ledger), yet
``remit ledger check`` has to prove that customer open items add up to the receivable accounts,
and manual entries must not touch those accounts. Receivables registers itself in its
AppConfig.ready(); a future subledger does the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from remit.core.models import LegalEntity

from .violations import Violation


@dataclass(frozen=True)
class Subledger:
    name: str
    controlled_accounts: Callable[[LegalEntity], set[int]]
    reconcile: Callable[[LegalEntity], Iterable[Violation]]


_REGISTRY: dict[str, Subledger] = {}


def register(subledger: Subledger) -> None:
    _REGISTRY[subledger.name] = subledger


def subledgers() -> list[Subledger]:
    return list(_REGISTRY.values())


def controlled_account_ids(legal_entity: LegalEntity) -> set[int]:
    ids: set[int] = set()
    for subledger in _REGISTRY.values():
        ids |= subledger.controlled_accounts(legal_entity)
    return ids
