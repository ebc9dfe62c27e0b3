from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from remit.core.services import exchange_rate_set, legal_entity_create
from remit.imports.pipeline import Options, import_file
from remit.receivables.services import parameters_for
from tests.helpers import SYSTEM

AS_OF = date(2026, 11, 30)


@pytest.fixture
def run_import(tmp_path: Path):
    """Import text (or a file already written) and return the run."""

    def run(entity, kind: str, text: str | None = None, *, path: Path | None = None,
            name: str = "file.csv", actor=SYSTEM, **options):
        if path is None:
            path = tmp_path / name
            path.write_text(text, encoding="utf-8")
        return import_file(legal_entity=entity, kind=kind, path=path, file_name=path.name,
                           options=Options(**options), actor=actor)

    return run


@pytest.fixture
def pennies(entity):
    params = parameters_for(entity)
    params.max_penny_difference = Decimal("1.00")
    params.save()
    return params


@pytest.fixture
def eur_history(db):
    """EUR→NOK rates from long before any history a test imports."""
    return exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=date(2015, 1, 1),
                             rate="11.20", actor=SYSTEM)


@pytest.fixture
def us_entity(db):
    return legal_entity_create(code="US01", name="Northwind Inc.", accounting_currency="USD",
                               country="US", actor=SYSTEM)


@pytest.fixture
def crm(entity):
    from remit.crm import qualify

    return qualify.settings_for(entity)
