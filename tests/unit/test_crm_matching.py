"""Matching without a database: the normalisations, the codes a record is found by, and the
scores — on the variations people really type (typos, nicknames, swapped names, reformatted
phones, free-mail against company addresses)."""

from remit.crm import matching as m
from remit.crm.matching import Party


def test_names_companies_emails_and_phones_are_normalised():
    assert m.fold("  Ærlig  Østby-Åsen ") == "aerlig ostby asen"
    assert m.company_key("Contoso, Inc.") == m.company_key("CONTOSO") == "contoso"
    assert m.company_key("Nordlys Sverige AB") == "nordlys sverige"
    assert m.email_key(" Regina@Contoso.COM ") == "regina@contoso.com"
    assert m.email_key("not an address") == ""
    assert m.email_domain("ola@gmail.com") == "" and m.email_domain("ola@fjord.no") == "fjord.no"
    for typed in ("22 33 44 55", "+47 22 33 44 55", "0047 22334455", "(+47) 223-34-455"):
        assert m.phone_key(typed, "NO") == "+4722334455", typed
    assert m.phone_key("12", "NO") == "" and m.phone_key("", "NO") == ""
    assert m.person_key("Bob", "Smith") == m.person_key("Robert", "Smith") == "robert smith"


def test_the_documented_examples_match_and_blank_values_are_ignored():
    regina = Party("Regina", "Murphy", "Contoso", "regina@contoso.com", ("22 33 44 55",))
    typo = Party("Regina", "Merphy", "Contoso.inc", "manager@contoso.com", ("+47 22334455",))
    assert m.codes(regina, m.NAME_COMPANY) & m.codes(typo, m.NAME_COMPANY)
    assert m.score(m.NAME_COMPANY, regina, typo) > 90
    assert m.score(m.NAME_DOMAIN, regina, typo) > 85
    assert m.score(m.PHONE, regina, typo) == 100 and m.score(m.EMAIL, regina, typo) is None
    assert m.codes(Party("Ola", "", "", ""), m.EMAIL) == set()
    assert m.codes(Party("Ola", "Nordmann", "", "ola@gmail.com"), m.NAME_DOMAIN) == set()


def test_swapped_names_and_nicknames_are_one_person_different_people_are_not():
    a = Party("Kari", "Nordmann", "Fjord Marine AS", "kari@fjordmarine.no")
    swapped = Party("Nordmann", "Kari", "Fjord Marine", "k.nordmann@fjordmarine.no")
    assert m.codes(a, m.NAME_COMPANY) & m.codes(swapped, m.NAME_COMPANY)
    assert m.score(m.NAME_COMPANY, a, swapped) > 90
    bob = Party("Bob", "Hansen", "Acme AS")
    assert m.score(m.NAME_COMPANY, bob, Party("Robert", "Hansen", "ACME")) == 100
    other = Party("Per", "Olsen", "Fjord Marine AS", "per@fjordmarine.no")
    assert m.score(m.NAME_COMPANY, a, other) is None
    assert m.score(m.NAME_DOMAIN, a, other) is None
    elsewhere = Party("Kari", "Nordmann", "Havblikk AS", "kari@havblikk.no")
    assert m.score(m.NAME_COMPANY, a, elsewhere) is None
    assert m.score(m.NAME_DOMAIN, a, elsewhere) is None
