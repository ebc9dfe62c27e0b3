"""The Duplicate pairs page: start a scan of a record type in the background, watch it, and
go from each pair to the side-by-side comparison where it is merged or detached."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from remit.core.access import page
from remit.core.actor import Actor
from remit.core.exceptions import DomainError
from remit.core.scope import scope_of

from . import duplicates, scan
from .models import DuplicateScan, RecordType, ScanStatus

SHOWN = 200


@page("crm.view_duplicaterule")
def duplicate_scans(request):
    entity = request.legal_entity
    rtype = request.GET.get("type", RecordType.LEAD)
    if rtype not in RecordType.values:
        rtype = RecordType.LEAD
    if request.method == "POST":
        wanted = request.POST.get("record_type", "")
        try:
            scan.scan_start(legal_entity=entity, record_type=wanted,
                            actor=Actor.web(request.user))
            messages.success(request, f"Looking for duplicate {wanted}s in the background.")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(f"{reverse('crm_duplicate_scans')}?type={wanted}")
    scans = DuplicateScan.objects.filter(legal_entity=entity, record_type=rtype)
    latest = scans.first()
    done = scans.filter(status=ScanStatus.DONE).first()
    rows = _rows(request, done) if done else []
    return render(request, "crm/duplicate_scans.html", {
        "types": RecordType.choices, "type": rtype, "latest": latest, "done": done,
        "rows": rows, "shown": SHOWN,
        "running": latest is not None and not latest.is_finished,
        "can_start": request.user.has_perm("crm.change_duplicaterule")})


def _rows(request, done: DuplicateScan) -> list[dict]:
    """The scan's pairs whose two records the user may see, best first."""
    model = duplicates.MODELS[done.record_type]
    pairs = list(scan.pairs_visible(done, scope_of(request))[:SHOWN])
    records = model.objects.in_bulk({i for p in pairs for i in (p.first_id, p.second_id)})
    return [{"pair": p, "first": records[p.first_id], "second": records[p.second_id],
             "compare": reverse(f"crm_{done.record_type}_duplicates", args=[p.first_id])}
            for p in pairs if p.first_id in records and p.second_id in records]
