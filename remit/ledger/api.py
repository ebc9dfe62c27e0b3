from datetime import date

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from remit.api_auth import Rule, body_field
from remit.api_paging import Paging
from remit.core.actor import Actor

from . import selectors, services
from .inputs import posting_lines
from .schemas import (
    AccountBalanceOut,
    CheckOut,
    EntryIn,
    EntryOut,
    EntrySummaryOut,
    JournalOut,
    ReverseIn,
)

router = Router(tags=["ledger"])


@router.get("/accounts", response=list[AccountBalanceOut], auth=Rule("ledger.view_account"))
def accounts(request, as_of: date | None = None):
    """The chart of accounts with balances in the accounting currency as of a date."""
    return selectors.account_balances(request.legal_entity, as_of or timezone.localdate())


@router.get("/journals", response=list[JournalOut], auth=Rule("ledger.view_journal"))
def journals(request):
    from .models import Journal

    return Journal.objects.filter(legal_entity=request.legal_entity)


class EntryFilter(Schema):
    journal: str | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    account: str | None = None
    text: str | None = None


@router.get("/entries", response=list[EntrySummaryOut], auth=Rule("ledger.view_journalentry"))
@paginate(Paging)
def entries(request, filters: Query[EntryFilter]):
    return selectors.entries_list(request.legal_entity, **filters.dict())


@router.get("/entries/{entry_id}", response=EntryOut, auth=Rule("ledger.view_journalentry"))
def entry(request, entry_id: int):
    return selectors.entry_detail(request.legal_entity, entry_id)


@router.post("/entries", response={201: EntryOut}, auth=Rule("ledger.post_journalentry"))
def entry_post(request, body: EntryIn):
    """Post a general-journal entry. It must balance; it gets its number when posted."""
    entity = request.legal_entity
    posted = services.manual_entry_post(
        legal_entity=entity, journal=body_field("journal", selectors.journal_by_code, entity,
                                                body.journal),
        entry_date=body.entry_date, description=body.description,
        lines=posting_lines(entity, [line.dict() for line in body.lines],
                            default_currency=body.currency),
        actor=Actor.api(request.user), as_of=timezone.localdate())
    return Status(201, selectors.entry_detail(entity, posted.pk))


@router.post("/entries/{entry_id}/reverse", response={201: EntryOut},
             auth=Rule("ledger.reverse_journalentry"))
def entry_reverse(request, entry_id: int, body: ReverseIn):
    entity = request.legal_entity
    reversal = services.journal_entry_reverse(
        entry=selectors.entry_detail(entity, entry_id), reversal_date=body.reversal_date,
        reason=body.reason, actor=Actor.api(request.user), as_of=timezone.localdate())
    return Status(201, selectors.entry_detail(entity, reversal.pk))


@router.post("/check", response=CheckOut, auth=Rule("ledger.check_ledger"))
def check(request):
    """Run the ledger check over the current legal entity."""
    return services.ledger_check_run(legal_entities=[request.legal_entity],
                                     actor=Actor.api(request.user))
