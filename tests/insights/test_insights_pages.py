"""The prediction pages as a collections agent and a credit manager use them: customer pools
limit every list, tile and pane (as on the Collections pages); publishing a version scores the
open invoices with it; the models page says when a version is no better than the customer's
history; comparing and the settings name what is wrong."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from remit.collections.pools import agent_save, pool_save
from remit.insights import selectors, services
from remit.insights.models import RED, Prediction, PredictionModel
from remit.receivables.models import CustomerGroup
from tests.helpers import SYSTEM

AS_OF = date(2026, 3, 1)


@pytest.fixture
def scored(book, entity):
    model = services.model_train(legal_entity=entity, as_of=AS_OF, actor=SYSTEM)
    services.model_publish(model=model, actor=SYSTEM)
    slow = book.customer(50, 3, start=date(2026, 1, 10), pay=False)
    fast = book.customer(0, 2, start=date(2026, 2, 2), pay=False)
    key = CustomerGroup.objects.create(legal_entity=entity, code="KEY", name="Key accounts")
    slow.group = key
    slow.save(update_fields=["group"])
    services.predictions_score(legal_entity=entity, as_of=AS_OF, actor=SYSTEM)
    return model, slow, fast


def test_an_agent_limited_to_a_pool_sees_only_its_customers_predictions(
        scored, entity, make_user):
    model, slow, fast = scored
    keys = pool_save(legal_entity=entity, code="KEY", description="Key accounts",
                     groups=["KEY"], actor=SYSTEM)
    user = make_user("Collections agent", [entity])
    agent_save(legal_entity=entity, user=user, pools=[keys], default_pool=keys, actor=SYSTEM)
    agent = Client()
    agent.force_login(user)
    manager = Client()
    manager.force_login(make_user("Credit manager", [entity]))

    listing = agent.get("/insights/predictions/").content.decode()
    assert slow.name in listing and fast.name not in listing
    assert fast.name in manager.get("/insights/predictions/").content.decode()
    assert fast.name not in agent.get("/insights/customers/").content.decode()
    outside = Prediction.objects.filter(customer=fast).first()
    pane = agent.get(f"/insights/predictions/{outside.item_id}/pane/").content.decode()
    assert fast.name not in pane
    own = Prediction.objects.filter(customer=slow).first()
    pane = agent.get(f"/insights/predictions/{own.item_id}/pane/").content.decode()
    assert slow.name in pane and f"/collections/customers/{slow.account_number}/" in pane

    red_all = selectors.workspace_counts(entity)["red_invoices"]
    red_pool = Prediction.objects.filter(RED, customer=slow).count()
    assert 0 < red_pool < red_all
    home = agent.get("/").content.decode()
    assert f'data-testid="tile-red-invoices"><div class="tile-label">Open invoices said to be ' \
           f'late</div><div class="tile-value">{red_pool}</div>' in home
    cash = selectors.expected_cash(entity, AS_OF)
    assert cash["total"] == sum((w["total"] for w in cash["weeks"]), cash["later"])
    pooled = agent.get("/insights/expected-cash/").context["cash"]
    assert 0 < pooled["total"] < cash["total"]


def test_publishing_a_version_scores_the_open_invoices_with_it(
        scored, entity, make_user, django_capture_on_commit_callbacks, monkeypatch):
    from tests.services.test_jobs import run_worker

    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections",
                        lambda: None)
    first, *_ = scored
    second = services.model_train(legal_entity=entity, as_of=AS_OF, actor=SYSTEM)
    client = Client()
    client.force_login(make_user("Credit manager", [entity]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/insights/models/publish/", {"version": str(second.version)})
    page = client.get("/insights/predictions/").content.decode()
    assert 'data-testid="stale"' in page  # v1's predictions under v2's heading, for now
    run_worker()
    assert set(Prediction.objects.values_list("model_id", flat=True)) == {second.pk}
    assert 'data-testid="stale"' not in client.get("/insights/predictions/").content.decode()
    assert first.pk != second.pk


def test_the_models_page_says_when_a_version_is_no_better_than_the_history(
        scored, entity, make_user):
    model, *_ = scored
    client = Client()
    client.force_login(make_user("Credit manager", [entity]))
    metrics = model.metrics
    history = metrics["baselines"]["customer_history"]
    history["macro_f1"] = metrics["model"]["macro_f1"] - 0.01
    history["log_loss"] = metrics["model"]["log_loss"] + 0.01
    model.save(update_fields=["metrics"])
    assert services.behind_history(model) is None
    assert 'data-testid="behind-history"' not in client.get("/insights/models/").content.decode()
    history["macro_f1"] = metrics["model"]["macro_f1"] + 0.01
    model.save(update_fields=["metrics"])
    page = client.get("/insights/models/").content.decode()
    assert 'data-testid="behind-history"' in page
    assert f"macro F1 {metrics['model']['macro_f1']:.3f} against {history['macro_f1']:.3f}" in page
    assert "log loss" not in services.behind_history(model)
    # the rule that says the class is on the page, with the figures of the most probable one
    rule = metrics["recipe"]["decision"]
    assert 'data-testid="decision"' in page
    assert f"offsets {' / '.join(str(o) for o in rule['offsets'])}" in page
    assert "its most probable class" in page


@pytest.mark.parametrize(("query", "message"), [
    ("as_of=2026-03-01", "tick two to 5 versions"),
    ("compare=x&compare=1&as_of=2026-03-01", "&#x27;x&#x27; is not a version number"),
    ("compare=1&compare=99&as_of=2026-03-01", "no model v99"),
])
def test_comparing_names_what_is_wrong(scored, entity, make_user, query, message):
    services.model_train(legal_entity=entity, as_of=AS_OF, actor=SYSTEM)
    client = Client()
    client.force_login(make_user("Credit manager", [entity]))
    assert message in client.get(f"/insights/models/?{query}", follow=True).content.decode()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("late_days", "-5", "late days: whole days from 0 to 3650"),
    ("late_benchmark", "x%", "late benchmark: a percentage from 0 to 100, e.g. 60"),
    ("late_benchmark", "120", "late benchmark: a percentage from 0 to 100"),
])
def test_settings_errors_name_the_field_and_what_it_takes(entity, make_user, field, value,
                                                           message):
    client = Client()
    client.force_login(make_user("Credit manager", [entity]))
    data = {"late_days": "0", "very_late_days": "30", "features": ["terms_days"], field: value}
    page = client.post("/insights/models/settings/", data, follow=True).content.decode()
    assert message in page


def test_a_benchmark_may_be_typed_with_a_percent_sign(entity, make_user):
    client = Client()
    client.force_login(make_user("Credit manager", [entity]))
    client.post("/insights/models/settings/", {"late_days": "0", "very_late_days": "30",
                                               "features": ["terms_days"],
                                               "late_benchmark": "62,5 %"})
    assert str(services.settings_for(entity).late_benchmark) == "62.50"


def test_the_api_keeps_to_the_pools_as_the_pages_do(scored, entity, make_user):
    """An agent limited to a pool gets its customers' predictions, worklist and expected
    cash, and no customer outside it (404, as for no such customer); a pool they cannot see
    is named; a manager may choose a pool or see everyone."""
    from remit.core.services import api_token_create

    model, slow, fast = scored
    keys = pool_save(legal_entity=entity, code="KEY", description="Key accounts",
                     groups=["KEY"], actor=SYSTEM)
    pool_save(legal_entity=entity, code="DOM", description="Domestic", groups=["DOM"],
              actor=SYSTEM)
    user = make_user("Collections agent", [entity])
    agent_save(legal_entity=entity, user=user, pools=[keys], default_pool=keys, actor=SYSTEM)

    def api(who):
        token = api_token_create(user=who, name="t", actor=SYSTEM)[1]
        return Client(HTTP_AUTHORIZATION="Bearer " + token, HTTP_X_REMIT_ENTITY="NO01")

    agent, manager = api(user), api(make_user("Credit manager", [entity]))
    for order in ("on_time", "risk"):
        mine = {p["customer"] for p in agent.get(
            f"/api/insights/predictions?order={order}&limit=500").json()}
        assert mine == {slow.account_number}, order
    everyone = {p["customer"] for p in manager.get(
        "/api/insights/predictions?limit=500").json()}
    assert {slow.account_number, fast.account_number} <= everyone
    chosen = {p["customer"] for p in manager.get(
        "/api/insights/predictions?pool=KEY&limit=500").json()}
    assert chosen == {slow.account_number}

    outside = agent.get(f"/api/insights/customers/{fast.account_number}")
    assert outside.status_code == 404
    assert agent.get(f"/api/insights/customers/{slow.account_number}").status_code == 200
    refused = agent.get("/api/insights/predictions?pool=DOM")
    assert refused.status_code == 422 and "'DOM'" in refused.json()["message"]

    total = manager.get("/api/insights/expected-cash").json()["total"]
    pooled = agent.get("/api/insights/expected-cash").json()["total"]
    assert 0 < Decimal(pooled) < Decimal(total)


def test_a_version_is_trained_with_a_chosen_test_date_from_the_page_and_the_cli(
        book, entity, make_user, capsys):
    client = Client()
    client.force_login(make_user("Credit manager", [entity]))
    client.post("/insights/models/train/", {"as_of": AS_OF.isoformat(),
                                            "test_from": "2025-10-01"})
    model = PredictionModel.objects.get()
    assert model.test_from >= date(2025, 10, 1)
    assert model.n_test == len(model.test_rows["labels"])
    # a test date after the history's end names the field; nothing is trained
    page = client.post("/insights/models/train/", {"as_of": AS_OF.isoformat(),
                                                   "test_from": AS_OF.isoformat()},
                       follow=True).content.decode()
    assert "must be before the history&#x27;s end" in page
    late = client.post("/insights/models/train/", {"as_of": AS_OF.isoformat(),
                                                   "test_from": "2026-01-15"},
                       follow=True).content.decode()
    assert "no invoice dated 2026-01-15 or later had a certain outcome" in late
    assert PredictionModel.objects.count() == 1
    call_command("insights", "train", "--entity", entity.code, "--as-of", AS_OF.isoformat(),
                 "--test-from", "2025-11-01")
    latest = PredictionModel.objects.order_by("-version").first()
    assert latest.version == 2 and latest.test_from >= date(2025, 11, 1)
    with pytest.raises(CommandError, match="--test-from"):
        call_command("insights", "train", "--entity", entity.code, "--test-from", "Feb 1")


def test_the_backtest_judges_the_last_months_pooled_and_stores_nothing(book, entity, capsys):
    import json

    call_command("insights", "backtest", "--entity", entity.code, "--as-of",
                 AS_OF.isoformat(), "--months", "2", "--json")
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [m["month"] for m in result["months"]] == ["2025-11", "2025-12"]
    pooled = result["pooled"]
    assert pooled["n_test"] == sum(m["n_test"] for m in result["months"]) > 0
    assert {"model", "model_most_probable", "baselines",
            "better_than_customer_history"} <= set(pooled)
    assert not PredictionModel.objects.exists()
    with pytest.raises(CommandError, match="months"):
        call_command("insights", "backtest", "--entity", entity.code, "--months", "0")


def test_a_credit_manager_prices_a_missed_very_late_invoice_and_the_version_says_by_cost(
        book, entity, make_user):
    client = Client()
    client.force_login(make_user("Credit manager", [entity]))
    base = {"late_days": "0", "very_late_days": "30", "features": ["default"]}
    bad = client.post("/insights/models/settings/", {**base, "very_late_miss_cost": "lots"},
                      follow=True).content.decode()
    assert "very_late_miss_cost" in bad or "whole number from 1 to 100" in bad
    client.post("/insights/models/settings/", {**base, "very_late_miss_cost": "8"})
    assert services.settings_for(entity).very_late_miss_cost == 8
    model = services.model_train(legal_entity=entity, as_of=AS_OF, actor=SYSTEM)
    assert model.calibration[0]["decision"]["rule"] == "cost"
    page = client.get("/insights/models/").content.decode()
    assert "costing 8 false alarms" in page
    call_command("insights", "configure", "--entity", entity.code, "--very-late-miss-cost",
                 "none")
    assert services.settings_for(entity).very_late_miss_cost is None
    with pytest.raises(CommandError, match="--very-late-miss-cost"):
        call_command("insights", "configure", "--entity", entity.code,
                     "--very-late-miss-cost", "eight")
