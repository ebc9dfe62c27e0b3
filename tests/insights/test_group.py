"""The legal entities judged together: a trained version keeps its test invoices and what it
and the baselines said of them (reproducing its stored figures); the group evaluation pools
each legal entity's own test invoices, each scored by its own model and baselines; versions
with other thresholds are refused, entities without a usable version are named with the
reason; the CLI, the API (the caller's legal entities only) and the models page."""

import json
from datetime import date

import numpy as np
import pytest
from django.core.management import call_command
from django.test import Client

from remit.core.exceptions import RuleViolation
from remit.core.services import api_token_create
from remit.insights import metrics, services
from remit.insights.group import group_evaluation
from remit.insights.models import ModelStatus, PredictionModel
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 3, 1)


@pytest.fixture
def trained(book, entity):
    return services.model_train(legal_entity=entity, as_of=AS_OF, actor=SYSTEM)


def _copy_to(model: PredictionModel, legal_entity, keep: slice, **changes) -> PredictionModel:
    """Another legal entity's version: the same booster, a part of the test invoices and
    (to tell them apart) its own majority shares."""
    rows = {name: model.test_rows[name][keep]
            for name in ("labels", "model", "customer_history")}
    rows["majority"] = [0.5, 0.3, 0.2]
    fields = {f.name: getattr(model, f.name) for f in PredictionModel._meta.concrete_fields
              if f.name not in ("id", "legal_entity", "created_at", "test_rows")}
    fields.update(changes)
    return PredictionModel.objects.create(legal_entity=legal_entity, test_rows=rows, **fields)


def test_a_version_keeps_its_test_invoices_and_they_give_back_its_figures(trained):
    rows = trained.test_rows
    assert len(rows["labels"]) == trained.n_test > 30
    again = metrics.evaluate(np.array(rows["labels"]), np.array(rows["model"]),
                             trained.classes)
    stored = trained.metrics["model"]
    for name in ("accuracy", "macro_f1", "confusion"):
        assert again[name] == stored[name], name
    assert abs(again["log_loss"] - stored["log_loss"]) <= 1e-4
    history = metrics.evaluate(np.array(rows["labels"]), np.array(rows["customer_history"]),
                               trained.classes)
    assert history["macro_f1"] == trained.metrics["baselines"]["customer_history"]["macro_f1"]
    assert np.allclose(np.array(rows["model"]).sum(axis=1), 1.0, atol=1e-5)


def test_the_group_pools_each_legal_entity_s_own_test_invoices(trained, entity, other_entity):
    copy = _copy_to(trained, other_entity, slice(0, 40), status=ModelStatus.PUBLISHED)
    assert group_evaluation([entity, other_entity])["left_out"] == [
        {"entity": "NO01", "reason": "no model in use"}]  # trained, not published

    result = group_evaluation([other_entity, entity], latest=True)
    assert [e["entity"] for e in result["entities"]] == ["DK01", "NO01"]
    assert result["entities"][1]["model"]["macro_f1"] == trained.metrics["model"]["macro_f1"]
    together = result["together"]
    n = trained.n_test + 40
    assert together["n_test"] == n
    y = np.array(copy.test_rows["labels"] + trained.test_rows["labels"])
    pooled = metrics.evaluate(y, np.array(copy.test_rows["model"] + trained.test_rows["model"]),
                              trained.classes)
    assert together["model"] == {k: pooled[k] for k in together["model"]}
    # each invoice beside its own legal entity's majority shares, not one shared prior
    majority = np.array([copy.test_rows["majority"]] * 40
                        + [trained.test_rows["majority"]] * trained.n_test)
    assert together["baselines"]["majority"]["log_loss"] == \
        metrics.evaluate(y, majority, trained.classes)["log_loss"]
    assert set(together["better_than_customer_history"]) == {"log_loss", "macro_f1"}


def test_what_cannot_be_judged_together_is_refused_or_named(trained, entity, other_entity):
    copy = _copy_to(trained, other_entity, slice(0, 40), very_late_days=45)
    with pytest.raises(RuleViolation, match=r"different thresholds \(DK01: 0/45 days, "
                                            r"NO01: 0/30 days\)"):
        group_evaluation([entity, other_entity], latest=True)
    copy.delete()
    # two classes: only the late threshold gives them their meaning
    PredictionModel.objects.filter(pk=trained.pk).update(classes=[0, 1], very_late_days=5)
    two = _copy_to(trained, other_entity, slice(0, 40), classes=[0, 1], very_late_days=0)
    rows = two.test_rows
    rows["model"] = [[p[0], p[1] + p[2]] for p in rows["model"]]
    rows["customer_history"] = [[p[0], p[1] + p[2]] for p in rows["customer_history"]]
    rows["labels"] = [min(v, 1) for v in rows["labels"]]
    rows["majority"] = [0.5, 0.5]
    PredictionModel.objects.filter(pk=two.pk).update(test_rows=rows)
    PredictionModel.objects.filter(pk=trained.pk).update(test_rows=rows)
    assert group_evaluation([entity, other_entity], latest=True)["together"]["n_test"] == 80
    two.delete()
    PredictionModel.objects.filter(pk=trained.pk).update(
        classes=[0, 1, 2], very_late_days=30, test_rows=trained.test_rows)
    _copy_to(trained, other_entity, slice(0, 40))
    PredictionModel.objects.filter(legal_entity=other_entity).update(test_rows={})
    result = group_evaluation([entity, other_entity], latest=True)
    assert result["left_out"] == [{"entity": "DK01", "model_version": trained.version,
                                   "reason": "stored before test invoices were kept with a "
                                             "version: train a new version"}]
    assert result["together"]["n_test"] == trained.n_test


def test_the_group_on_the_cli_the_api_and_the_models_page(trained, entity, other_entity,
                                                          make_user, client, capsys):
    _copy_to(trained, other_entity, slice(0, 40))
    call_command("insights", "group", "--latest", "--json")
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [e["entity"] for e in result["entities"]] == ["DK01", "NO01"]

    both = make_user("Credit manager", [entity, other_entity])
    api = Client(HTTP_AUTHORIZATION="Bearer " + api_token_create(user=both, name="t",
                                                                 actor=SYSTEM)[1])
    assert api.get("/api/insights/models/group?latest=true").json() == result
    # a user of one legal entity is told about that one only
    one = make_user("Credit manager", [entity])
    api = Client(HTTP_AUTHORIZATION="Bearer " + api_token_create(user=one, name="t",
                                                                 actor=SYSTEM)[1])
    body = api.get("/api/insights/models/group?latest=true").json()
    assert [e["entity"] for e in body["entities"]] == ["NO01"]

    client.force_login(both)
    page = client.get("/insights/models/").content.decode()  # only when asked
    assert 'data-testid="group-in-use"' in page and 'data-testid="group-together"' not in page
    page = client.get("/insights/models/?group=latest").content.decode()
    assert 'data-testid="group-together"' in page and "DK01 v" in page
    PredictionModel.objects.filter(legal_entity=other_entity).update(very_late_days=45)
    refused = Client(HTTP_AUTHORIZATION="Bearer " + api_token_create(
        user=both, name="t2", actor=SYSTEM)[1]).get("/api/insights/models/group?latest=true")
    assert refused.status_code == 409 and "different thresholds" in refused.json()["message"]
    page = client.get("/insights/models/?group=latest").content.decode()
    assert "cannot be judged together" in page
    client.force_login(one)
    assert 'data-testid="group"' not in client.get("/insights/models/").content.decode()
