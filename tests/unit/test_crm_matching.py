"""Matching without a database: the normalisations, the codes a record is found by, and the
weighed comparison — on the variations people really type (typos, nicknames, swapped names,
reformatted phones, mojibake, free-mail against company addresses)."""

from remit.crm import matching as m
from remit.crm import names, scoring
from remit.crm.matching import Party


def _band(a, b, held=1):
    return scoring.compare(a, b, lambda kind, code: held).band


def test_names_companies_emails_and_phones_are_normalised():
    assert m.fold("  Ærlig  Østby-Åsen ") == "aerlig ostby asen"
    assert m.fold("RÃ¸nnli") == m.fold("Rønnli") == "ronnli"  # mojibake repaired first
    assert names.spelling_key(m.fold("Aaberg")) == names.spelling_key(m.fold("Åberg"))
    assert names.spelling_key(m.fold("Mueller")) == names.spelling_key(m.fold("Müller"))
    assert m.company_key("Contoso, Inc.") == m.company_key("CONTOSO") == "contoso"
    assert m.company_key("Nordlys Sverige AB") == "nordlys sverige"
    assert m.company_key("Fjord Marine A/S") == m.company_key("Fjord Marine AS")
    assert m.email_key(" Regina@Contoso.COM ") == "regina@contoso.com"
    assert m.email_key("not an address") == ""
    assert m.email_domain("ola@gmail.com") == "" and m.email_domain("ola@fjord.no") == "fjord.no"
    for typed in ("22 33 44 55", "+47 22 33 44 55", "0047 22334455", "(+47) 223-34-455"):
        assert m.phone_key(typed, "NO") == "+4722334455", typed
    assert m.phone_info("+47 912 34 567")[1] == "mobile"
    assert m.phone_info("22 33 44 55", "NO")[1] == "line"
    assert m.phone_key("12", "NO") == "" and m.phone_key("", "NO") == ""


def test_first_names_are_read_as_names():
    assert names.first_names_agree("bob", "robert") == "form"       # the English list
    assert names.first_names_agree("lasse", "lars") == "form"       # remit's Nordic forms
    assert names.first_names_agree("jens peter", "jens") == "same"
    assert names.first_names_agree("j", "jon") == "initial"
    assert names.first_names_agree("jonh", "john") == "typo"
    assert names.first_names_agree("ola", "ole") == "close"
    assert names.first_names_agree("kari", "per") == ""


def test_the_documented_examples_match_and_blank_values_are_ignored():
    regina = Party("Regina", "Murphy", "Contoso", "regina@contoso.com", ("22 33 44 55",))
    typo = Party("Regina", "Merphy", "Contoso.inc", "manager@contoso.com", ("+47 22334455",))
    assert m.codes(regina, m.NAME_COMPANY) & m.codes(typo, m.NAME_COMPANY)
    assert m.codes(regina, m.NAME_DOMAIN) & m.codes(typo, m.NAME_DOMAIN)
    assert _band(regina, typo) == scoring.DUPLICATE
    assert m.codes(Party("Ola", "", "", ""), m.EMAIL) == set()
    assert m.codes(Party("Ola", "Nordmann", "", "ola@gmail.com"), m.NAME_DOMAIN) == set()


def test_swapped_names_and_nicknames_are_one_person_different_people_are_not():
    a = Party("Kari", "Nordmann", "Fjord Marine AS", "kari@fjordmarine.no")
    swapped = Party("Nordmann", "Kari", "Fjord Marine", "k.nordmann@fjordmarine.no")
    assert m.codes(a, m.NAME_COMPANY) & m.codes(swapped, m.NAME_COMPANY)
    verdict = scoring.compare(a, swapped, lambda kind, code: 1)
    assert verdict.band == scoring.DUPLICATE and "first and last name swapped" in verdict.reasons
    assert _band(Party("Bob", "Hansen", "Acme AS"), Party("Robert", "Hansen", "ACME")) \
        == scoring.DUPLICATE
    colleague = Party("Per", "Olsen", "Fjord Marine AS", "per@fjordmarine.no")
    assert _band(a, colleague) == scoring.RELATED
    elsewhere = Party("Kari", "Nordmann", "Havblikk AS", "kari@havblikk.no")
    assert _band(a, elsewhere) == ""


def test_namesakes_with_numbered_mailboxes_or_other_mobiles_are_two_people():
    a = Party("James", "Wilson", "Wilson & Sons", "james@wilson-sons.com", ("+1 617 555 0101",))
    b = Party("James", "Wilson", "Wilson & Sons", "james2@wilson-sons.com", ())
    verdict = scoring.compare(a, b, lambda kind, code: 1)
    assert "numbered mailboxes of namesakes (james@wilson-sons.com, james2@wilson-sons.com)" \
        in verdict.reasons and verdict.band != scoring.DUPLICATE
    c = Party("Lars", "Olsen", "Olsen AS", "", ("+47 48 93 61 85",))
    d = Party("Lars", "Olsen", "Olsen AS", "", ("+47 48 97 54 34",))
    assert "different mobile numbers" in scoring.compare(c, d, lambda k, x: 200).reasons
    assert _band(c, d, held=200) != scoring.DUPLICATE


def test_a_pair_weighs_the_same_whichever_record_is_checked():
    swapped = Party("Smith", "Bob", "Contoso")
    written = Party("Robert", "Smith", "Contoso")
    forward = scoring.compare(swapped, written, lambda kind, code: 1)
    backward = scoring.compare(written, swapped, lambda kind, code: 1)
    assert forward.weight == backward.weight and forward.band == scoring.DUPLICATE
