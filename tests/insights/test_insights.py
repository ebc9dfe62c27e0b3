"""Payment predictions end to end on the database: labels from decided invoices, features as
of a date that never see later history, a model trained on the earlier period and tested on
the later one beside both baselines, published, scoring every open invoice with its factors."""

import json
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from remit.core.exceptions import RuleViolation
from remit.core.money import Money
from remit.insights import services
from remit.insights.features import scoring_rows, training_rows
from remit.insights.labels import LATE, ON_TIME, VERY_LATE, classes, outcome
from remit.insights.models import ModelStatus, Prediction
from remit.receivables.models import CustomerTransaction
from remit.receivables.services import (
    LineSpec,
    MarkSpec,
    invoice_issue,
    payment_register,
)
from tests.helpers import SYSTEM

from .conftest import Book

pytestmark = pytest.mark.django_db


def test_labels_by_the_two_thresholds():
    due = date(2026, 3, 1)
    assert outcome(due, due, 0, 30) == ON_TIME
    assert outcome(due, due + timedelta(days=1), 0, 30) == LATE
    assert outcome(due, due + timedelta(days=30), 0, 30) == LATE
    assert outcome(due, due + timedelta(days=31), 0, 30) == VERY_LATE
    assert outcome(due, due + timedelta(days=5), 5, 30) == ON_TIME
    assert classes(0, 0) == [ON_TIME, LATE] and outcome(due, due + timedelta(days=99), 0, 0) \
        == LATE


def test_expected_payments_worked_example():
    def p(balance, on_time, late, very_late):
        return SimpleNamespace(item=SimpleNamespace(amount_acc=Decimal(balance),
                                                    settled_acc=Decimal(0)),
                               on_time=Decimal(on_time), late=Decimal(late),
                               very_late=Decimal(very_late))

    result = services.expected_payments([p(100, "0.10", "0.50", "0.40"),
                                         p(1000, "0.50", "0.30", "0.20"),
                                         p(10000, "0.01", "0.04", "0.95")])
    assert result == {"balance": Decimal("11100.00"), "on_time": Decimal("610.00"),
                      "late": Decimal("750.00"), "very_late": Decimal("9740.00")}


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (a[k] != a[k] and b[k] != b[k]) for k in a)  # NaN equals NaN here


def test_a_feature_row_as_of_a_date_ignores_later_history(entity):
    """Rows as of D — training rows of invoices dated up to D, and the scoring rows of the
    invoices open on D — are identical before and after: invoices open on D are settled on D
    itself and a hundred days later, and more invoices come."""
    book = Book(entity)
    customer = book.customer(10, 8, start=date(2025, 1, 6), pay=False)
    d = date(2025, 3, 1)
    settings = services.settings_for(entity)

    def rows():
        history = services.histories(entity, settings)[customer.pk]
        train = {i.id: f for i, f, _, _ in training_rows(history, date.max)
                 if i.document_date <= d}
        history = services.histories(entity, settings)[customer.pk]
        return train, {i.id: f for i, f in scoring_rows(history, d)}

    # the first invoices are paid before D (history), the rest stay open on D
    open_on_d = []
    for item in CustomerTransaction.objects.filter(customer=customer).order_by("document_date"):
        if item.document_date + timedelta(days=20) < d:
            payment_register(customer=customer, payment_date=item.document_date
                             + timedelta(days=20), amount=Money.of(item.amount, "NOK"),
                             marks=[MarkSpec(item)], actor=SYSTEM)
        elif item.document_date <= d:
            open_on_d.append(item)
    assert open_on_d, "the story needs invoices open on D"
    before_train, before_scoring = rows()
    assert before_scoring.keys() == {i.pk for i in open_on_d}
    for k, item in enumerate(open_on_d):  # settled on D itself (known only after), and later
        payment_register(customer=customer, payment_date=d + timedelta(days=100 * k),
                         amount=Money.of(item.amount, "NOK"), marks=[MarkSpec(item)],
                         actor=SYSTEM)
    for k in range(3):
        day = d + timedelta(days=5 + 7 * k)
        posted = invoice_issue(customer=customer, invoice_date=day, actor=SYSTEM,
                               lines=[LineSpec("Later", Decimal(500), tax_code=book.tax)])
        payment_register(customer=customer, payment_date=day + timedelta(days=90),
                         amount=Money.of(posted.total_amount, "NOK"),
                         marks=[MarkSpec(posted.transactions.get())], actor=SYSTEM)
    after_train, after_scoring = rows()
    assert after_train.keys() >= before_train.keys()
    assert all(_same(before_train[k], after_train[k]) for k in before_train)
    assert after_scoring.keys() == before_scoring.keys()
    assert all(_same(before_scoring[k], after_scoring[k]) for k in before_scoring)


def test_too_little_history_says_what_is_there_and_what_is_needed(entity):
    Book(entity).customer(5, 6)
    with pytest.raises(RuleViolation, match=r"6 invoices with a certain outcome .*at least 100"):
        services.model_train(legal_entity=entity, as_of=date(2026, 3, 1), actor=SYSTEM)


def test_train_evaluate_publish_and_score(book, entity, capsys, monkeypatch):
    model = services.model_train(legal_entity=entity, as_of=date(2026, 3, 1), actor=SYSTEM)
    assert model.version == 1 and model.status == ModelStatus.TRAINED
    assert model.test_from > model.train_from and model.n_test > 20
    result = model.metrics
    # the customers pay the way they always did: the model must beat the majority class
    assert result["model"]["macro_f1"] > result["baselines"]["majority"]["macro_f1"]
    assert result["model"]["log_loss"] < result["baselines"]["majority"]["log_loss"]
    call_command("insights", "evaluate", "--entity", "NO01", "--json")
    contract = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for block in (contract["model"], contract["baselines"]["majority"],
                  contract["baselines"]["customer_history"]):
        assert {"accuracy", "macro_f1", "auc_late", "log_loss", "brier"} <= set(block)
    assert {"test_period", "n_train", "n_test", "model_version"} <= set(contract)

    with pytest.raises(RuleViolation, match="no published"):
        services.predictions_score(legal_entity=entity, as_of=date(2026, 3, 1), actor=SYSTEM)
    services.model_publish(model=model, actor=SYSTEM)
    slow = book.customer(50, 3, start=date(2026, 1, 10), pay=False)
    n = services.predictions_score(legal_entity=entity, as_of=date(2026, 3, 1), actor=SYSTEM)
    assert n == Prediction.objects.count() > 0
    for p in Prediction.objects.select_related("item", "model"):
        assert p.on_time + p.late + p.very_late == 1 and p.model_id == model.pk
        # explained when scored if said to be late (red); otherwise when first asked, the same
        # way; said by the version's decision rule, from the stored probabilities' classes
        assert p.said is not None
        assert p.explained == p.is_red == (p.said != 0) == bool(p.factors)
        assert services.prediction_explain(p).factors
    worst = Prediction.objects.filter(customer=slow).order_by("on_time").first()
    assert worst.on_time < Decimal("0.5")
    assert any(f["effect"] == "late" for f in worst.factors)
    # an explanation made later is the one that would have been made at scoring time
    eager = list(Prediction.objects.filter(explained=True).values_list("pk", "factors"))
    Prediction.objects.update(explained=False, factors=[])
    for pk, factors in eager:
        again = services.prediction_explain(Prediction.objects.select_related(
            "item", "model").get(pk=pk))
        assert again.factors == factors
    # scoring in batches of one customer gives the same predictions as one batch
    whole = dict(Prediction.objects.values_list("item_id", "on_time"))
    monkeypatch.setattr(services, "SCORE_BATCH", 3)
    heard = []
    assert services.predictions_score(legal_entity=entity, as_of=date(2026, 3, 1),
                                      actor=SYSTEM, progress=lambda *a: heard.append(a)) == n
    assert dict(Prediction.objects.values_list("item_id", "on_time")) == whole
    # the progress bar hears every batch of customers, up to all of them
    customers = Prediction.objects.values("customer").distinct().count()
    assert heard[0] == (0, customers) and heard[-1] == (customers, customers)
    assert [done for done, _ in heard[1:-1]] == list(range(3, customers, 3))


def test_changing_the_thresholds_needs_a_new_model(book, entity):
    model = services.model_train(legal_entity=entity, as_of=date(2026, 3, 1), actor=SYSTEM)
    services.settings_save(legal_entity=entity, late_days=5, very_late_days=40, actor=SYSTEM)
    with pytest.raises(RuleViolation, match="Train a new model"):
        services.model_publish(model=model, actor=SYSTEM)
    again = services.model_train(legal_entity=entity, as_of=date(2026, 3, 1), actor=SYSTEM)
    assert again.version == 2 and (again.late_days, again.very_late_days) == (5, 40)


def test_a_version_trained_before_the_features_changed_meaning_is_flagged_and_not_published(
        book, entity, make_user, client, capsys):
    from remit.insights.features import DEFINITION
    from remit.insights.models import PredictionModel

    old = services.model_train(legal_entity=entity, as_of=date(2026, 3, 1), actor=SYSTEM)
    assert old.feature_definition == DEFINITION and services.definition_outdated(old) is None
    services.model_publish(model=old, actor=SYSTEM)
    # what migration 0007 leaves on a version trained before unpaid invoices counted
    PredictionModel.objects.filter(pk=old.pk).update(feature_definition=1)
    old.refresh_from_db()
    client.force_login(make_user("Credit manager", [entity]))
    listing = client.get("/insights/predictions/").content.decode()
    assert 'data-testid="outdated"' in listing and "The model in use, v1, was trained" in listing
    new = services.model_train(legal_entity=entity, as_of=date(2026, 3, 1), actor=SYSTEM)
    services.model_publish(model=new, actor=SYSTEM)
    with pytest.raises(RuleViolation, match="unpaid invoices past the very-late threshold .*; "
                       "invoices credited in full") as refused:
        services.model_publish(model=old, actor=SYSTEM)
    assert refused.value.code == "features_changed"
    page = client.get("/insights/models/").content.decode()
    assert page.count('data-testid="outdated"') == 1 and "Revert to v1" not in page
    assert 'data-testid="outdated"' not in client.get("/insights/predictions/").content.decode()
    call_command("insights", "evaluate", "--entity", "NO01", "--model", "1", "--json")
    assert "changed meaning" in json.loads(capsys.readouterr().out.splitlines()[-1])["outdated"]


def test_an_open_invoice_past_a_threshold_cannot_be_in_a_class_whose_window_passed():
    import numpy as np

    from remit.insights.learn import condition_on_age

    proba = np.array([[0.6, 0.3, 0.1], [0.6, 0.3, 0.1], [0.6, 0.3, 0.1], [1.0, 0.0, 0.0]])
    out = condition_on_age(proba, [ON_TIME, LATE, VERY_LATE], np.array([-5, 10, 40, 40]),
                           0, 30)
    assert np.allclose(out[0], [0.6, 0.3, 0.1])          # not yet due: the model's odds
    assert np.allclose(out[1], [0.0, 0.75, 0.25])        # 10 days past due: not on time
    assert np.allclose(out[2], [0.0, 0.0, 1.0])          # 40 days: very late
    assert np.allclose(out[3], [0.0, 0.0, 1.0])          # certain even if the model said not


def test_expected_cash_worklist_and_the_api(book, entity, make_user):
    from django.test import Client

    from remit.core.services import api_token_create
    from remit.insights import selectors

    model = services.model_train(legal_entity=entity, as_of=date(2026, 3, 1), actor=SYSTEM)
    services.model_publish(model=model, actor=SYSTEM)
    as_of = date(2026, 3, 1)
    services.predictions_score(legal_entity=entity, as_of=as_of, actor=SYSTEM)
    predictions = list(Prediction.objects.select_related("item"))
    total_open = sum(p.item.amount_acc - p.item.settled_acc for p in predictions)
    cash = selectors.expected_cash(entity, as_of)
    spread = sum(w["total"] for w in cash["weeks"]) + cash["later"]
    assert abs(spread - total_open) <= Decimal("0.01") * len(cash["weeks"])
    assert cash["weeks"][0]["week"] == "2026-02-23"  # the Monday of the scoring week
    worklist = list(selectors.worklist(entity)[:5])
    risks = [(p.item.amount_acc - p.item.settled_acc) * (p.late + p.very_late) for p in worklist]
    assert risks == sorted(risks, reverse=True)

    secret = api_token_create(user=make_user("Collections agent", [entity]), name="t",
                              actor=SYSTEM)[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = client.get("/api/insights/predictions?order=risk&limit=5").json()
    assert [row["invoice"] for row in body] == [p.item.document_number for p in worklist]
    assert all(Decimal(r["on_time"]) + Decimal(r["late"]) + Decimal(r["very_late"]) == 1
               for r in body)
    first = body[0]["customer"]
    expected = client.get(f"/api/insights/customers/{first}").json()
    assert expected["invoices"] >= 1 and Decimal(expected["balance"]) > 0
    weeks = client.get("/api/insights/expected-cash?as_of=2026-03-01").json()
    assert len(weeks["weeks"]) == 13


def test_a_new_invoice_is_scored_after_it_posts_and_every_night(
        book, entity, django_capture_on_commit_callbacks, monkeypatch):
    from remit.insights.tasks import predictions_nightly
    from tests.services.test_jobs import run_worker

    # the worker closes stale connections between jobs; on PostgreSQL that would close the
    # connection holding this test's transaction
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections",
                        lambda: None)

    model = services.model_train(legal_entity=entity, as_of=date(2026, 3, 1), actor=SYSTEM)
    services.model_publish(model=model, actor=SYSTEM)
    customer = book.customer(5, 0, start=date(2026, 11, 2))
    with django_capture_on_commit_callbacks(execute=True):  # posted by a clerk, one document
        invoice_issue(customer=customer, invoice_date=date(2026, 11, 2), actor=SYSTEM,
                      lines=[LineSpec("Service", Decimal(1000), tax_code=book.tax)])
    item = Prediction.objects.filter(item__customer=customer)
    assert not item.exists()
    run_worker()  # the task queued when the invoice posted
    assert item.count() == 1 and item.get().model_id == model.pk
    done = predictions_nightly.call()
    assert done[entity.code]["scored"] == Prediction.objects.count() > 1


def test_the_automation_hook_creates_one_activity_per_customer_very_late_first(book, entity):
    from remit.collections.models import Activity
    from remit.insights.automation import prediction_activities_create

    model = services.model_train(legal_entity=entity, as_of=date(2026, 3, 1), actor=SYSTEM)
    services.model_publish(model=model, actor=SYSTEM)
    services.predictions_score(legal_entity=entity, as_of=date(2026, 3, 1), actor=SYSTEM)
    assert prediction_activities_create(legal_entity=entity, on=date(2026, 3, 1),
                                        actor=SYSTEM) == 0  # no benchmarks: nothing
    services.settings_save(legal_entity=entity, late_benchmark=Decimal(60),
                           very_late_benchmark=Decimal(60), actor=SYSTEM)
    made = prediction_activities_create(legal_entity=entity, on=date(2026, 3, 1), actor=SYSTEM)
    activities = list(Activity.objects.all())
    assert made == len(activities) > 0
    assert len({a.customer_id for a in activities}) == made  # one per customer
    from remit.insights import selectors
    expected = selectors.expected_by_customer(entity)
    for a in activities:
        t = expected[a.customer_id]
        very = t["very_late"] / t["balance"] * 100
        assert ("very late" in a.purpose) == (very >= 60)
        assert (t["late"] + t["very_late"]) / t["balance"] * 100 >= 60
    # run again: the open activities are not made twice
    assert prediction_activities_create(legal_entity=entity, on=date(2026, 3, 2),
                                        actor=SYSTEM) == 0


def test_the_models_page_saves_settings_trains_publishes_and_scores(book, entity, make_user,
                                                                   client):
    from remit.insights.models import InsightsSettings, PredictionModel

    client.force_login(make_user("Credit manager", [entity]))
    page = client.post("/insights/models/settings/", {
        "late_days": "3", "very_late_days": "x"}, follow=True).content.decode()
    assert "very late days: whole days" in page
    client.post("/insights/models/settings/", {
        "late_days": "0", "very_late_days": "30", "late_benchmark": "60",
        "features": ["hist_on_time_share", "last10_late", "terms_days"]})
    saved = InsightsSettings.objects.get(legal_entity=entity)
    assert saved.late_benchmark == 60 and saved.features == [
        "hist_on_time_share", "last10_late", "terms_days"]
    client.post("/insights/models/train/", {"as_of": "2026-03-01"})
    model = PredictionModel.objects.get(legal_entity=entity)
    assert model.features == ["hist_on_time_share", "last10_late", "terms_days"]
    client.post("/insights/models/publish/", {"version": str(model.version)})
    client.post("/insights/models/score/", {"as_of": "2026-03-01"})
    assert Prediction.objects.filter(model=model).exists()
    assert f"v{model.version}" in client.get("/insights/models/").content.decode()
