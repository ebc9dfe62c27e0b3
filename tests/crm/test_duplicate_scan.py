"""Every duplicate pair at once, in the background (issue 20's batch mode): started by a sales
manager, carried out by the worker's job, started over when run again, and shown on the
Duplicate pairs page to those who may see both records."""

import pytest

from remit.core.exceptions import AccessDenied
from remit.crm import scan
from remit.crm.models import DuplicatePair, DuplicateScan, Lead, StatusReason
from remit.crm.tasks import duplicate_scan_job

pytestmark = pytest.mark.django_db


def _bulk_leads(entity):
    """Leads loaded the way an import of history or the demo does: in bulk, without codes."""
    new = StatusReason.objects.get(code="new")
    rows = [("Kari", "Nordmann", "Fjord Marine AS", "kari@fjordmarine.no", "+47 912 34 567"),
            ("Kari", "Nordman", "FJORD MARINE A/S", "", "912 34 567"),
            ("Per", "Olsen", "Fjord Marine AS", "post@fjordmarine.no", "55 11 22 33"),
            ("Ola", "Hansen", "Fjord Marine AS", "post@fjordmarine.no", "55 11 22 33"),
            ("Bob", "Smith", "Contoso, Inc.", "bob@contoso.com", ""),
            ("Robert", "Smith", "Contoso", "robert.smith@contoso.com", "")]
    return Lead.objects.bulk_create([
        Lead(legal_entity=entity, topic="History", status=new, first_name=f, last_name=la,
             company_name=c, email=e, mobile_phone=p) for f, la, c, e, p in rows])


def test_a_scan_finds_the_pairs_in_the_background_and_again_when_run_again(
        entity, crm, manager, rep, django_capture_on_commit_callbacks):
    made = _bulk_leads(entity)
    with pytest.raises(AccessDenied):
        scan.scan_start(legal_entity=entity, record_type="lead", actor=rep)
    with django_capture_on_commit_callbacks() as queued:
        started = scan.scan_start(legal_entity=entity, record_type="lead", actor=manager)
    assert len(queued) == 1 and started.status == "queued"
    assert scan.scan_start(legal_entity=entity, record_type="lead", actor=manager) == started
    duplicate_scan_job.call(scan_id=started.pk)
    started.refresh_from_db()
    assert (started.status, started.pairs, started.records) == ("done", 2, 6)
    pairs = {(p.first_id, p.second_id) for p in DuplicatePair.objects.filter(scan=started)}
    assert pairs == {(made[0].pk, made[1].pk), (made[4].pk, made[5].pk)}
    bob = DuplicatePair.objects.get(scan=started, first_id=made[4].pk)
    assert "first names Robert/Bob are the same name" in bob.explanation or \
        "first names Bob/Robert are the same name" in bob.explanation
    DuplicateScan.objects.filter(pk=started.pk).update(status="failed")  # a crash, retried
    duplicate_scan_job.call(scan_id=started.pk)
    assert DuplicatePair.objects.filter(scan=started).count() == 2
    # a pair a user detached (from either record's list) is not found again
    from remit.crm import duplicates

    duplicates.detach(record=made[5], other=made[4], actor=manager)
    assert {(p.first, p.second) for p in scan.pairs_scan(entity, "lead")} == \
        {(made[0].pk, made[1].pk)}


def test_the_duplicate_pairs_page(entity, crm, manager, rep, client, make_user):
    _bulk_leads(entity)
    client.force_login(manager.user)
    page = client.get("/crm/duplicates/").content.decode()
    assert "No scan of leads yet" in page and "Find duplicate leads" in page
    response = client.post("/crm/duplicates/", {"record_type": "lead"})
    assert response.status_code == 302
    duplicate_scan_job.call(scan_id=DuplicateScan.objects.get().pk)
    page = client.get("/crm/duplicates/?type=lead").content.decode()
    assert "2 pairs among 6 records" in page and "Compare" in page
    assert "Kari Nordmann" in page and "same mobile number" in page
    client.force_login(rep.user)  # a seller sees the pairs, may not start a scan
    page = client.get("/crm/duplicates/").content.decode()
    assert "Compare" in page and "Find duplicate leads" not in page
    assert client.post("/crm/duplicates/", {"record_type": "lead"}).status_code == 302
    assert DuplicateScan.objects.count() == 1


def test_bad_record_type_is_named(entity, crm, manager):
    from remit.core.exceptions import InvalidInput

    with pytest.raises(InvalidInput) as bad:
        scan.scan_start(legal_entity=entity, record_type="order", actor=manager)
    assert bad.value.as_dict()["errors"][0]["loc"] == ["record_type"]


def test_a_scan_over_the_api(entity, crm, manager, call):
    import json

    from django.test import Client

    from remit.core.services import api_token_create
    from tests.helpers import SYSTEM

    _bulk_leads(entity)
    assert call("POST", "/duplicate-scans", {"record_type": "lead"})[0] == 403  # a seller
    secret = api_token_create(user=manager.user, name="m", actor=SYSTEM)[1]
    answer = Client().post("/api/crm/duplicate-scans", data=json.dumps({"record_type": "lead"}),
                           content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 202 and answer.json()["status"] == "queued"
    duplicate_scan_job.call(scan_id=answer.json()["id"])
    status, body = call("GET", f"/duplicate-scans/{answer.json()['id']}")
    assert status == 200 and body["status"] == "done" and body["pairs"] == 2
    assert len(body["found"]) == 2 and body["found"][0]["explanation"]
    assert call("GET", "/duplicate-scans/999999")[0] == 404
    bad = Client().post("/api/crm/duplicate-scans", data=json.dumps({"record_type": "order"}),
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bad.status_code == 422 and "record_type" in str(bad.json())


def test_a_scan_whose_worker_was_lost_does_not_block_the_next(entity, crm, manager):
    from datetime import timedelta

    from django.utils import timezone

    stuck = scan.scan_start(legal_entity=entity, record_type="lead", actor=manager)
    DuplicateScan.objects.filter(pk=stuck.pk).update(
        status="running", started_at=timezone.now() - timedelta(hours=2))
    fresh = scan.scan_start(legal_entity=entity, record_type="lead", actor=manager)
    assert fresh != stuck
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "job time limit" in stuck.message
