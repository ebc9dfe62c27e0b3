"""The CRM's background jobs."""

from remit.jobs.registry import remit_task

from .models import DuplicateScan, ScanStatus
from .scan import scan_execute, scan_failed


@remit_task(max_attempts=2, backoff_seconds=30)
def duplicate_scan_job(scan_id: int) -> dict:
    """Find every duplicate pair of a scan's record type; a retry (also of a failed scan)
    starts it over."""
    scan = DuplicateScan.objects.select_related("legal_entity").get(pk=scan_id)
    if scan.status == ScanStatus.DONE:
        return {"status": scan.status}
    try:
        scan = scan_execute(scan)
    except Exception as exc:
        scan_failed(scan, f"{type(exc).__name__}: {exc}")
        raise
    return {"status": scan.status, "pairs": scan.pairs}
