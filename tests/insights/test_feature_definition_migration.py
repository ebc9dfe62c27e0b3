"""Migration 0007 decides which stored versions were trained before the features changed
meaning (unpaid invoices counted as very late): those with any of the four columns added
with that change were trained after it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("insights", "0006_days_late_features")]
AFTER = [("insights", "0007_feature_definition")]


def _stored(apps, entity_pk: int, version: int, features: list[str]):
    model = apps.get_model("insights", "PredictionModel")
    return model.objects.create(
        legal_entity_id=entity_pk, version=version, late_days=0, very_late_days=30,
        classes=[0, 1, 2], features=features, booster="tree", calibration=[])


@pytest.fixture
def back_to_the_latest():
    """Leave the schema as the other tests expect it: every migration applied, also those
    added after 0007 (0008 added a column that later tests write)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_versions_with_the_new_columns_are_current_and_the_rest_older(entity,
                                                                      back_to_the_latest):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    old = _stored(apps, entity.pk, 1, ["amount_log", "hist_on_time_share"])
    new = _stored(apps, entity.pk, 2, ["amount_log", "recent_days_late"])
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    model = executor.loader.project_state(AFTER).apps.get_model("insights", "PredictionModel")
    found = dict(model.objects.values_list("pk", "feature_definition"))
    assert found == {old.pk: 1, new.pk: 2}
