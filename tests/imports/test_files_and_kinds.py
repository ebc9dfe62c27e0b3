"""Files as systems write them (encodings, separators, Excel) and the other kinds: leads with
their status, exchange rates as central banks publish them, customers with their details —
and kept columns that become prediction features only when chosen, never when they leak."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from remit.core.exceptions import InvalidInput
from remit.core.models import ExchangeRate
from remit.imports.models import RunStatus
from remit.imports.reading import Table, detect
from remit.receivables.models import Customer, CustomerTransaction, InvoiceAttribute
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db

NORDIC = "Kundenr;Navn;Beløp\n1;Ærlig Øl AS;1 234,50\n"


@pytest.mark.parametrize("encoding, bom, separator", [
    ("utf-8", b"", ";"), ("utf-8", b"\xef\xbb\xbf", ";"), ("cp1252", b"", ";"),
    ("utf-16-le", b"\xff\xfe", "\t"), ("utf-8", b"", ","), ("utf-8", b"", "|"),
])
def test_encodings_and_separators_are_detected(tmp_path, encoding, bom, separator):
    text = NORDIC.replace(";", separator).replace("1 234,50", '"1 234,50"') \
        if separator == "," else NORDIC.replace(";", separator)
    path = tmp_path / "f.csv"
    path.write_bytes(bom + text.replace("\n", "\r\n").encode(encoding))
    layout = detect(path)
    assert layout.separator == separator
    table = Table(path, layout)
    assert table.header() == ["Kundenr", "Navn", "Beløp"]
    assert [cells for _, _, cells in table.rows()] == [["1", "Ærlig Øl AS", "1 234,50"]]


def test_an_excel_workbook_is_read_with_its_cell_types(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Fakturaer"
    sheet.append(["Kundenr", "Fakturanr", "Dato", "Forfall", "Beløp"])
    sheet.append([20001, "F-1", datetime(2025, 1, 10), datetime(2025, 2, 9), 2210.66])
    sheet.append([20001, "F-2", datetime(2025, 1, 11), datetime(2025, 2, 10), -500])
    path = tmp_path / "f.xlsx"
    book.save(path)
    layout = detect(path)
    assert (layout.kind, layout.sheet) == ("xlsx", "Fakturaer")
    rows = [(line, cells) for line, _, cells in Table(path, layout).rows()]
    assert rows[0][0] == 2 and rows[0][1][4] == 2210.66


def test_an_excel_history_imports_with_exact_amounts(entity, run_import, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Kundenr", "Kundenavn", "Fakturanr", "Fakturadato", "Forfallsdato", "Beløp",
                  "Betalt dato"])
    sheet.append([20001, "Fjord AS", 1001, datetime(2025, 1, 10), datetime(2025, 2, 9),
                  2210.66, datetime(2025, 2, 1)])
    sheet.append([20001, "Fjord AS", 1002, datetime(2025, 3, 10), datetime(2025, 4, 9), 12.345,
                  None])
    path = tmp_path / "f.xlsx"
    book.save(path)
    run = run_import(entity, "invoices", path=path, flags={"create_customers": True})
    assert run.status == RunStatus.INVALID  # a krone has 100 øre, not 1000
    assert "12.345 has more than 2 decimals for NOK" in run.problem_rows.get().message
    sheet["F3"] = 12.35
    book.save(path)
    run = run_import(entity, "invoices", path=path, flags={"create_customers": True})
    assert run.status == RunStatus.DONE
    assert CustomerTransaction.objects.get(document_number="1001").amount == Decimal("2210.66")
    assert Customer.objects.get(account_number="20001").name == "Fjord AS"


def test_a_file_that_is_not_a_table_is_refused_by_name(entity, run_import, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"\x00\x01\x02" * 100)
    run = run_import(entity, "customers", path=path)
    assert run.status == RunStatus.INVALID and "not a text file" in run.message
    run = run_import(entity, "customers", "Kundenr;Navn\n")
    assert "no rows" in run.message
    run = run_import(entity, "customers", "Kundenr;;Navn\n1;2;3\n")
    assert "column 2 of the header has no name" in run.message


LEADS = """Id;Emne;Fornavn;Etternavn;Firma;E-post;Status;Årsak
L1;Deck cranes;Kari;Nordmann;Fjord Marine AS;kari@fjordmarine.no;Open;
L2;;Per;Olsen;Havblikk AS;per@havblikk.no;Disqualified;No longer interested
L3;;Liv;Berg;Berg AS;liv@berg.no;Contacted;
L4;;Ola;Dahl;Dahl AS;ola@dahl.no;Won;
"""


def test_leads_come_in_with_their_status_and_a_topic_given_for_all(entity, crm, run_import):
    from remit.crm.models import Lead

    run = run_import(entity, "leads", LEADS)
    assert run.status == RunStatus.INVALID
    assert {(p.line, p.column) for p in run.problem_rows.all()} == {
        (3, "Emne"), (4, "Emne"), (5, "Emne")}
    run = run_import(entity, "leads", LEADS, constants={"topic": "Imported lead"})
    assert (run.status, run.created) == (RunStatus.DONE, 4)
    status = dict(Lead.objects.values_list("external_ref", "status__code"))
    assert status == {"L1": "new", "L2": "no_longer_interested", "L3": "contacted",
                      "L4": "qualified"}
    assert Lead.objects.get(external_ref="L1").topic == "Deck cranes"
    assert Lead.objects.get(external_ref="L2").topic == "Imported lead"


def test_leads_that_are_the_same_person_twice_in_one_file_are_caught(entity, crm, run_import):
    text = ("Id;Emne;Fornavn;Etternavn;E-post\nA;x;Kari;Nordmann;kari@fjord.no\n"
            "B;y;Kari;Nordmann;kari@fjord.no\n")
    run = run_import(entity, "leads", text)
    assert run.status == RunStatus.INVALID
    assert "may be the same lead as line 2" in run.problem_rows.get().message


NORGES_BANK = """FREQ;Frekvens;BASE_CUR;Basisvaluta;QUOTE_CUR;Kvoteringsvaluta;TENOR;Løpetid;DECIMALS;CALCULATED;UNIT_MULT;Multiplikator;COLLECTION;Innsamlingstidspunkt;TIME_PERIOD;OBS_VALUE
B;Virkedag;EUR;Euro;NOK;Norske kroner;SP;Spot;4;false;0;Enheter;C;ECB concertation tidspunkt 14:15 CET;2025-01-02;11.7960
B;Virkedag;SEK;Svenske kronor;NOK;Norske kroner;SP;Spot;4;false;2;Hundre;C;ECB concertation tidspunkt 14:15 CET;2025-01-02;102.73
B;Virkedag;EUR;Euro;NOK;Norske kroner;SP;Spot;4;false;0;Enheter;C;ECB concertation tidspunkt 14:15 CET;2025-01-03;11.8125
"""
ECB = """KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE
EXR.D.USD.EUR.SP00.A,D,USD,EUR,SP00,A,2025-01-02,1.0321
EXR.D.NOK.EUR.SP00.A,D,NOK,EUR,SP00,A,2025-01-02,11.796
"""


def test_exchange_rates_as_norges_bank_and_the_ecb_publish_them(entity, run_import, tmp_path):
    run = run_import(entity, "rates", NORGES_BANK)
    assert (run.status, run.created) == (RunStatus.DONE, 3), list(run.problem_rows.values_list(
        "message", flat=True))
    sek = ExchangeRate.objects.get(from_currency="SEK", valid_from=date(2025, 1, 2))
    assert (sek.to_currency, sek.rate) == ("NOK", Decimal("1.0273"))
    run = run_import(entity, "rates", ECB)
    assert (run.created, run.unchanged) == (1, 1)  # Norges Bank gave EUR→NOK that day
    assert ExchangeRate.objects.get(from_currency="EUR", to_currency="USD").rate == \
        Decimal("1.0321")
    again = run_import(entity, "rates", NORGES_BANK.replace("11.8125", "11.8200"))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)


def test_the_rates_command_and_bad_rates_named(entity, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    path = tmp_path / "kurser.csv"
    path.write_text("Dato;Valuta;Kurs;Per\n02.01.2025;DKK;158,12;100\n03.01.2025;XXQ;1,5;\n"
                    "04.01.2025;EUR;-11,7;\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("rates", "import", str(path))
    out = capsys.readouterr().out
    assert "'XXQ' is not an ISO 4217 currency code" in out and "-11.7 is not above zero" in out
    path.write_text("Dato;Valuta;Kurs;Per\n02.01.2025;DKK;158,12;100\n", encoding="utf-8")
    call_command("rates", "import", str(path))
    assert ExchangeRate.objects.get(from_currency="DKK").rate == Decimal("1.5812")
    call_command("rates", "list", "--currency", "dkk")
    assert "1.5812" in capsys.readouterr().out


def test_customers_with_status_terms_and_bad_details_named(entity, run_import):
    text = ("Kundenr;Navn;Status;Betalingsbetingelse;E-post;Land;Adresse;Poststed\n"
            "1;A AS;Sperret;Netto 45;a@a.no;NO;Gate 1;Oslo\n"
            "2;B AS;aktiv;14 dager;b(at)b.no;Norge;;\n"
            "3;C AS;??;N30;;;Gate 3;\n")
    run = run_import(entity, "customers", text)
    assert sorted((p.line, p.column) for p in run.problem_rows.all()) == [
        (3, "E-post"), (3, "Land"), (4, "Poststed"), (4, "Status")]
    run = run_import(entity, "customers", text, skip_bad_rows=True)
    blocked = Customer.objects.get(account_number="1")
    assert (blocked.status, blocked.payment_terms.days, blocked.addresses.get().city) == (
        "blocked", 45, "Oslo")


def test_kept_columns_are_features_only_when_chosen_and_never_when_they_leak(entity):
    from remit.insights.services import settings_for, settings_save
    from remit.receivables.services.attributes import attributes_record

    assert not any(f.startswith("attr:") for f in settings_for(entity).features)
    attributes_record(legal_entity=entity, columns={
        "channel": {"values": 50, "leak": ""},
        "days_late": {"values": 50, "leak": "equals the days late in 50 of 50 paid invoices"}})
    found = settings_save(legal_entity=entity, features=["amount_log", "attr:channel"],
                          actor=SYSTEM)
    assert found.features == ["amount_log", "attr:channel"]
    with pytest.raises(InvalidInput, match="'days_late' gives the payment outcome away"):
        settings_save(legal_entity=entity, features=["attr:days_late"], actor=SYSTEM)
    with pytest.raises(InvalidInput, match="no kept column 'region'"):
        settings_save(legal_entity=entity, features=["attr:region"], actor=SYSTEM)
    assert settings_save(legal_entity=entity, features=["attributes"],
                         actor=SYSTEM).features == ["attr:channel"]
    # a leak found once stays, though a later, smaller file finds none
    attributes_record(legal_entity=entity, columns={"days_late": {"values": 3, "leak": ""}})
    assert InvoiceAttribute.objects.get(name="days_late").leak
