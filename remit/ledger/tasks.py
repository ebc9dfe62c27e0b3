from remit.core.actor import Actor
from remit.jobs.registry import remit_task

from .services import ledger_check_run


@remit_task()
def ledger_check_nightly() -> dict:
    """The ledger check, by the clock. The outcome is stored (LedgerCheckRun) and shown on the
    home page; a violation is a finding, not a failed job."""
    outcome = ledger_check_run(actor=Actor.task("nightly ledger check"))
    return {"ok": outcome.ok, "violations": len(outcome.violations),
            "runs": [run.pk for run in outcome.runs]}
