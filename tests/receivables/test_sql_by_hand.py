"""The hot path's hand-written SQL (remit.core.inserts, remit.core.reads) stores and reads
exactly what the ORM stores and reads: same values, same types, on either database."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.forms.models import model_to_dict

from remit.core import reads
from remit.core.audit import audit_record
from remit.core.inserts import insert
from remit.core.models import AuditLog
from remit.ledger.exceptions import PostedEntryImmutable
from remit.receivables.models import CashDiscountDate, CustomerTransaction
from remit.receivables.services.customers import customers_lock
from remit.receivables.services.settlement import items_lock
from tests.helpers import SYSTEM, post

pytestmark = pytest.mark.django_db


def _stored(model, pk, *leave_out):
    row = model.objects.filter(pk=pk).values().get()
    return {k: v for k, v in row.items() if k not in ("id", *leave_out)}


def test_an_inserted_row_is_the_row_save_would_have_written(story):
    item = story.invoice(story.customer())
    # values of other types than the column's: the field's own preparation converts them
    by_orm = CashDiscountDate(transaction=item, until=date(2026, 3, 12), percent="2.5")
    by_orm.save()
    by_hand = CashDiscountDate(transaction=item, until=date(2026, 3, 12), percent="2.5")
    insert([by_hand])
    assert by_hand.pk and by_hand.pk != by_orm.pk and not by_hand._state.adding
    assert _stored(CashDiscountDate, by_hand.pk) == _stored(CashDiscountDate, by_orm.pk)
    assert _stored(CashDiscountDate, by_hand.pk)["percent"] == Decimal("2.50")


def test_json_enum_dates_and_keys_go_through_as_the_orm_sends_them(story, entity):
    data = {"amount": Decimal("12.30"), "on": date(2026, 3, 2), "marked": ["INV-1"]}
    with transaction.atomic():
        saved = AuditLog(actor_name="x", channel="api", legal_entity=entity, action="t",
                         data=data)
        saved.save()
        built = audit_record(actor=SYSTEM, action="t", legal_entity=entity, data=data)
    assert built.pk
    assert _stored(AuditLog, built.pk, "at", "actor_name", "channel")["data"] == \
        _stored(AuditLog, saved.pk, "at", "actor_name", "channel")["data"] == \
        {"amount": "12.30", "on": "2026-03-02", "marked": ["INV-1"]}
    assert AuditLog.objects.get(pk=built.pk).at is not None


def test_a_parent_saved_after_it_was_assigned_gives_its_id(story):
    original = story.invoice(story.customer())
    parent = CustomerTransaction.objects.get(pk=original.pk)
    parent.pk, parent._state.adding = None, True
    parent.document_number, parent.invoice = "COPY-1", None
    periods = [CashDiscountDate(transaction=parent, until=date(2026, 3, n), percent=Decimal(n))
               for n in (5, 6, 7)]  # built while the parent has no id yet
    insert([parent])
    insert(periods)
    assert [p.pk for p in periods] == sorted(p.pk for p in periods)
    assert {p.transaction_id for p in periods} == {parent.pk}
    assert list(parent.discount_dates.order_by("pk").values_list("until", "percent")) == [
        (date(2026, 3, n), Decimal(f"{n}.00")) for n in (5, 6, 7)]
    assert not original.discount_dates.exists()


def test_a_posted_entry_written_by_hand_still_refuses_changes(entity):
    entry = post(entity, [("6300", "10"), ("1920", "-10")])
    entry.description = "changed"
    with pytest.raises(PostedEntryImmutable):
        entry.save()


def test_an_inserted_time_reads_back_as_it_was_given(entity):
    with transaction.atomic():
        record = audit_record(actor=SYSTEM, action="t", legal_entity=entity)
    assert AuditLog.objects.get(pk=record.pk).at == record.at


def test_statements_for_long_id_lists_are_not_kept(story):
    from remit.receivables.services import settlement

    customer = story.customer()
    ids = [story.invoice(customer, "10.00").pk for _ in range(reads.KEEP_IDS + 2)]
    with transaction.atomic():
        customers_lock([customer.pk])
        assert len(items_lock(ids)) == len(ids)
    assert all(n <= reads.KEEP_IDS for _, n in settlement._items_sql_kept)


def test_insert_refuses_saved_objects_and_mixed_models(story):
    item = story.invoice(story.customer())
    saved = CashDiscountDate.objects.create(transaction=item, until=date(2026, 3, 5),
                                            percent=Decimal(2))
    with pytest.raises(ValueError, match="saved already"):
        insert([saved])
    with pytest.raises(TypeError, match="one model"):
        insert([CashDiscountDate(transaction=item, until=date(2026, 3, 5), percent=1), item])


def test_items_read_by_hand_equal_the_querysets_objects(story, django_assert_num_queries):
    customer = story.customer(discount="2/10,1/20")
    items = [story.invoice(customer, amount) for amount in ("100.00", "250.55")]
    ids = [items[1].pk, items[0].pk, items[1].pk]  # any order, repeated: locked in key order
    with transaction.atomic():
        customers_lock([customer.pk])
        with django_assert_num_queries(1):
            locked = items_lock(ids)
            accounts = [row.receivable_account for row in locked.values()]  # no query more
    assert list(locked) == sorted({i.pk for i in items})
    for pk, row in locked.items():
        by_orm = CustomerTransaction.objects.select_related("receivable_account").get(pk=pk)
        assert model_to_dict(row) == model_to_dict(by_orm)
        for field in CustomerTransaction._meta.concrete_fields:
            assert type(getattr(row, field.attname)) is type(getattr(by_orm, field.attname)), \
                field.name
        assert model_to_dict(row.receivable_account) == model_to_dict(by_orm.receivable_account)
        assert [(p.until, p.percent) for p in row.periods] == list(
            by_orm.discount_dates.order_by("until").values_list("until", "percent"))
        assert not row._state.adding
    assert len(accounts) == 2
    assert items_lock([]) == {}
