"""Shared fixtures: a legal entity built by the real service, users in each role, clients.

Builders go through remit's services (as Tryton's scenario tools do), so a test's world is one
a user could have made.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from remit.core.actor import Actor
from remit.core.roles import ROLE_PERMISSIONS
from remit.core.services import exchange_rate_set, legal_entity_create, user_create

SYSTEM = Actor.system("test")
DAY = date(2026, 3, 16)


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (real row locks); set REMIT_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(skip_pg)


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker,
                    django_db_modify_db_settings):
    """The test database is a copy of the migrated template (tests/dbtemplate.py), not a
    migration run of its own: one migration per test run, whatever the number of workers."""
    from tests import dbtemplate

    with django_db_blocker.unblock():
        template = dbtemplate.current()
        old_name = template.install_test_database()
    yield
    with django_db_blocker.unblock():
        template.remove_test_database(old_name)


@pytest.fixture(scope="session")
def schema_template(django_db_blocker):
    """For tests that start real ``remit`` processes on a database of their own: copy this
    migrated schema there instead of running ``remit migrate`` (20 s) again."""
    from tests import dbtemplate

    with django_db_blocker.unblock():
        return dbtemplate.current()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def entity(db):
    return legal_entity_create(code="NO01", name="Nordlys Test AS", accounting_currency="NOK",
                               country="NO", actor=SYSTEM)


@pytest.fixture
def other_entity(db):
    return legal_entity_create(code="DK01", name="Nordlys Test ApS", accounting_currency="DKK",
                               country="DK", actor=SYSTEM)


@pytest.fixture
def eur_rate(db):
    return exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=date(2026, 1, 1),
                             rate=Decimal("11.5"), actor=SYSTEM)


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(role: str, entities=(), *, all_entities: bool = False, username: str | None = None):
        return user_create(username=username or f"{role.lower().replace(' ', '')}{next(counter)}",
                           password="pw-not-checked", roles=[role],
                           legal_entities=list(entities), all_legal_entities=all_entities,
                           validate=False, actor=SYSTEM)

    return make


@pytest.fixture
def clerk(make_user, entity):
    return make_user("AR clerk", [entity], username="clerk")


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def role_names():
    return list(ROLE_PERMISSIONS)
