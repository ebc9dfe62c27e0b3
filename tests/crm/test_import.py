"""remit import leads: bad rows named by line and column with nothing written, idempotent
re-import, a changed row updates its lead, and rows that may already exist are caught."""

import pytest
from django.core.management import CommandError, call_command

from remit.crm import leads
from remit.crm.models import Lead

pytestmark = pytest.mark.django_db

GOOD = """Id;Emne;Fornavn;Etternavn;Firma;E-post;Telefon
L1;Deck cranes;Kari;Nordmann;Fjord Marine AS;kari@fjordmarine.no;55 12 34 56
L2;Hull paint;Per;Olsen;Havblikk AS;per@havblikk.no;+47 22 33 44 55
"""
MAP = ["--map", "Id=ref", "--map", "Emne=topic", "--map", "Fornavn=first_name",
       "--map", "Etternavn=last_name", "--map", "Firma=company_name", "--map", "E-post=email",
       "--map", "Telefon=business_phone"]


def _run(tmp_path, text, *extra):
    path = tmp_path / "leads.csv"
    path.write_text(text, encoding="utf-8")
    call_command("import", "leads", str(path), "--entity", "NO01", *MAP, *extra)


def test_import_is_checked_idempotent_and_updates_changed_rows(entity, crm, tmp_path,
                                                               capsys):
    bad = GOOD + "L3;Broken;Ola;Hansen;X AS;ola(at)x.no;1\nL1;Twice;A;B;C;;\n"
    with pytest.raises(CommandError, match="nothing imported"):
        _run(tmp_path, bad)
    out = capsys.readouterr().out
    assert "also on line 2" in out
    assert not Lead.objects.exists()
    with pytest.raises(CommandError, match="nothing imported"):
        _run(tmp_path, GOOD + "L3;Broken;Ola;Hansen;X AS;ola(at)x.no;1\n")
    assert "E-post" in capsys.readouterr().out and not Lead.objects.exists()
    _run(tmp_path, GOOD)
    assert "2 created" in capsys.readouterr().out
    _run(tmp_path, GOOD)
    assert "0 created, 0 updated, 2 already there" in capsys.readouterr().out
    _run(tmp_path, GOOD.replace("Hull paint", "Hull paint and coating"))
    assert "1 updated" in capsys.readouterr().out
    assert Lead.objects.get(external_ref="L2").topic == "Hull paint and coating"


def test_rows_that_may_already_exist_are_caught_unless_allowed(entity, crm, tmp_path, capsys,
                                                               rep):
    leads.contact_create(legal_entity=entity, actor=rep, first_name="Kari",
                         last_name="Nordmann", email="kari@fjordmarine.no")
    _run(tmp_path, GOOD, "--skip-bad-rows")
    out = capsys.readouterr().out
    assert "may already exist: Kari Nordmann" in out and "1 created" in out
    _run(tmp_path, GOOD, "--allow-duplicates")
    assert "1 created, 0 updated, 1 already there" in capsys.readouterr().out
    assert Lead.objects.count() == 2
