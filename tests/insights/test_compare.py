"""Model versions side by side on the invoices none of them learnt from: a version compared on
its own test period reproduces its stored figures; versions with other thresholds, one version,
or too few common invoices are refused with a reason; the CLI, the API and the models page."""

import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.services import api_token_create
from remit.insights import services
from remit.insights.compare import models_compare
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 3, 1)


@pytest.fixture
def two(book, entity):
    older = services.model_train(legal_entity=entity, as_of=date(2025, 12, 1), actor=SYSTEM)
    newer = services.model_train(legal_entity=entity, as_of=AS_OF, actor=SYSTEM)
    return older, newer


def test_versions_are_judged_on_the_invoices_none_of_them_learnt_from(entity, two):
    older, newer = two
    result = models_compare(legal_entity=entity, versions=[newer, older], as_of=AS_OF)
    assert [v["version"] for v in result["versions"]] == [older.version, newer.version]
    assert result["from"] == newer.test_from.isoformat() > older.test_from.isoformat()
    # the newer version's own test period, as of its own date: its stored figures come back
    assert result["n"] == newer.n_test
    again = result["versions"][1]
    for name in ("accuracy", "macro_f1", "auc_late", "log_loss", "brier", "confusion"):
        assert again[name] == newer.metrics["model"][name], name
    assert set(result["newer_better"]) == {"log_loss", "macro_f1"}
    assert {"accuracy", "macro_f1", "log_loss", "brier"} <= set(result["customer_history"])


def test_what_cannot_be_compared_is_refused_with_the_reason(entity, two):
    older, newer = two
    with pytest.raises(InvalidInput, match="two to 5"):
        models_compare(legal_entity=entity, versions=[newer], as_of=AS_OF)
    with pytest.raises(RuleViolation, match=r"only \d+ invoices dated from .* at least 30"):
        models_compare(legal_entity=entity, versions=[older, newer], as_of=newer.test_from)
    # a version trained later on an earlier date: the start is the other one's test period
    again = services.model_train(legal_entity=entity, as_of=date(2025, 12, 1), actor=SYSTEM)
    with pytest.raises(RuleViolation, match=f"v{newer.version}'s test period"):
        models_compare(legal_entity=entity, versions=[again, newer], as_of=newer.test_from)
    older.very_late_days = 45
    older.save(update_fields=["very_late_days"])
    with pytest.raises(RuleViolation, match="different thresholds .*v1: 0/45 days"):
        models_compare(legal_entity=entity, versions=[older, newer], as_of=AS_OF)


def test_compare_on_the_cli_the_api_and_the_models_page(entity, two, make_user, client,
                                                        capsys):
    older, newer = two
    call_command("insights", "compare", "--entity", "NO01", "--model", str(older.version),
                 "--model", str(newer.version), "--as-of", "2026-03-01", "--json")
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["n"] == newer.n_test and len(result["versions"]) == 2

    user = make_user("Credit manager", [entity])
    api = Client(HTTP_AUTHORIZATION="Bearer " + api_token_create(user=user, name="t",
                                                                 actor=SYSTEM)[1])
    body = api.get(f"/api/insights/models/compare?versions={older.version}"
                   f"&versions={newer.version}&as_of=2026-03-01").json()
    assert body == result
    missing = api.get("/api/insights/models/compare?versions=1&versions=9")
    assert missing.status_code == 422 and "v9" in missing.content.decode()

    client.force_login(user)
    page = client.get(f"/insights/models/?compare={older.version}&compare={newer.version}"
                      "&as_of=2026-03-01").content.decode()
    assert f"{result['n']} invoices of {result['from']}" in page
    assert "resamples of these invoices" in page
    refused = client.get(f"/insights/models/?compare={newer.version}", follow=True)
    assert "tick two to 5 versions to compare" in refused.content.decode()
    odd = client.get("/insights/models/?compare=%C2%B2&compare=1")  # "²" is a digit, not ASCII
    assert odd.status_code == 200 and "&#x27;²&#x27; is not a version number" in \
        odd.content.decode()


def test_a_date_beyond_today_does_not_make_unpaid_invoices_very_late(entity, book):
    """An invoice issued five days ago and not paid is not yet anything: a training date a
    year ahead must not label it very late (only today's knowledge counts)."""
    today = timezone.localdate()
    recent = book.customer(0, 1, start=today - timedelta(days=5), pay=False)
    data = services.dataset(entity, today + timedelta(days=300),
                            services.settings_for(entity))
    assert recent.pk not in data.customers


def test_a_version_trained_before_the_features_changed_meaning_is_flagged_in_a_comparison(
        two, entity, make_user):
    from remit.insights.models import PredictionModel

    older, newer = two
    PredictionModel.objects.filter(pk=older.pk).update(feature_definition=1)
    older.refresh_from_db()
    result = models_compare(legal_entity=entity, versions=[older, newer], as_of=AS_OF)
    flags = {v["version"]: v["outdated"] for v in result["versions"]}
    assert "changed meaning" in flags[older.version] and flags[newer.version] is None
    client = Client()
    client.force_login(make_user("Credit manager", [entity]))
    page = client.get(f"/insights/models/?compare={older.version}&compare={newer.version}"
                      f"&as_of={AS_OF}").content.decode()
    assert page.count(">older features</span>") == 1
