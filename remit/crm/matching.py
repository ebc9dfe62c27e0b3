"""Duplicate matching, free of the database: how names, companies, emails and phones are
normalised into match codes (the blocking keys an index can find). Two records that share a
code are then weighed by ``scoring.compare``.

Why codes and then a score: checking one new lead against a million must not scan them. Each
rule kind turns a record into a few short codes; candidates are the records sharing one (an
index lookup), and only those few are compared closely. Exact kinds (email, phone) block on
the value; fuzzy kinds block on pieces that survive typical variation (the company's first
letters, the email domain, each name's start).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

import phonenumbers

from . import names

EMAIL = "email"
PHONE = "phone"
NAME_COMPANY = "name_company"
NAME_DOMAIN = "name_domain"
SURNAME = "_surname"  # kept for every person, whatever rules are published: how common a name is
KINDS = {EMAIL: "same email address", PHONE: "same phone number",
         NAME_COMPANY: "similar name and company name",
         NAME_DOMAIN: "similar name and same email domain"}

# Free-mail domains say nothing about the company: never a "same email domain" match.
FREE_MAIL = frozenset("""gmail.com googlemail.com hotmail.com hotmail.no hotmail.se hotmail.dk
outlook.com live.com live.no live.se live.dk msn.com yahoo.com yahoo.no yahoo.se yahoo.dk
icloud.com me.com mac.com aol.com proton.me protonmail.com gmx.com gmx.net mail.com
online.no start.no frisurf.no telia.com c2i.net jubii.dk mail.dk ofir.dk""".split())

# Legal forms and filler words that do not tell companies apart.
COMPANY_NOISE = frozenset("""as asa ab aps a/s oy oyj gmbh ag ltd limited inc incorporated
corp corporation co company llc plc sa sarl bv nv kg the og and & group gruppen holding""".split())

def fold(text: str | None) -> str:
    """See ``names.fold``: lower case, mojibake repaired, accents off, one space between
    words."""
    return names.fold(text)


def email_key(email: str | None) -> str:
    """The address as a mail server compares it: trimmed, lower case."""
    email = (email or "").strip().casefold()
    return email if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) else ""


def email_domain(email: str | None) -> str:
    """The company domain of an address; blank for free-mail providers."""
    key = email_key(email)
    domain = key.rsplit("@", 1)[1] if key else ""
    return "" if domain in FREE_MAIL else domain


@lru_cache(maxsize=65536)
def phone_key(number: str | None, country: str = "NO") -> str:
    """The number in E.164 (+4722334455), read in the record's country when it has no +;
    blank when it is not a possible number."""
    parsed = _parsed(number, country)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) \
        if parsed else ""


@lru_cache(maxsize=65536)
def phone_info(number: str | None, country: str = "NO") -> tuple[str, str]:
    """(E.164, 'mobile' or 'line'); ('', '') when the text is not a possible number. The
    type costs as much as the parsing, so match codes read only ``phone_key``."""
    key = phone_key(number, country)
    if not key:
        return "", ""
    kind = phonenumbers.number_type(_parsed(number, country))
    return key, "mobile" if kind == phonenumbers.PhoneNumberType.MOBILE else "line"


@lru_cache(maxsize=65536)
def _parsed(number: str | None, country: str):
    if not number or not number.strip():
        return None
    try:
        parsed = phonenumbers.parse(number, (country or "NO").upper())
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_possible_number(parsed) else None


def person_key(first: str | None, last: str | None) -> str:
    """First and last name folded, spelled one way (Aaberg/Åberg, Mueller/Müller)."""
    return " ".join(names.spelling_key(w) for w in fold(f"{first or ''} {last or ''}").split())


# Words that start a branch's designation: "Fjellberg Bygg AS, avd. Bergen" is Fjellberg Bygg.
BRANCH = frozenset("""avd avdeling afd afdeling filial branch division dept department
niederlassung zweigniederlassung""".split())


def company_key(name: str | None) -> str:
    """The company name without legal forms and filler words ("Contoso, Inc." → "contoso")."""
    words = fold(name).split()
    cut = next((i for i, w in enumerate(words) if i and w in BRANCH), len(words))
    words = [w for w in words[:cut] if w not in COMPANY_NOISE]  # "a/s" is one word
    return " ".join(" ".join(words).replace("/", " ").split())


@dataclass(frozen=True)
class Party:
    """What matching reads of a lead, contact or account (an account has only the company)."""

    first_name: str = ""
    last_name: str = ""
    company: str = ""
    email: str = ""
    phones: tuple[str, ...] = ()
    country: str = "NO"
    is_account: bool = False

    @property
    def person(self) -> str:
        return person_key(self.first_name, self.last_name)

    @cached_property
    def first_key(self) -> str:
        return fold(self.first_name).replace("-", " ")

    @cached_property
    def last_key(self) -> str:
        return fold(self.last_name)

    @cached_property
    def email_key(self) -> str:
        return email_key(self.email)

    @cached_property
    def email_domain(self) -> str:
        return email_domain(self.email)

    @cached_property
    def company_key(self) -> str:
        return company_key(self.company)

    @cached_property
    def phone_numbers(self) -> frozenset[str]:
        """The numbers in E.164, without their type (what match codes need)."""
        return frozenset(k for k in (phone_key(p, self.country or "NO") for p in self.phones)
                         if k)

    @cached_property
    def phone_keys(self) -> frozenset[tuple[str, str]]:
        return frozenset(info for info in (phone_info(p, self.country or "NO")
                                           for p in self.phones) if info[0])


def codes(party: Party, kind: str) -> set[str]:
    """The match codes of a record for one rule kind (empty: nothing to match on, which is how
    blank values are ignored)."""
    if kind == EMAIL:
        key = email_key(party.email)
        return {key} if key else set()
    if kind == PHONE:
        return set(party.phone_numbers)
    if kind == SURNAME:
        last = names.spelling_key(party.last_key.replace(" ", ""))
        return {last} if last and not party.is_account else set()
    person = party.person
    if kind == NAME_COMPANY:
        company = company_key(party.company)
        if not company:
            return set()
        # Two blocks, so one typo cannot hide a match: the whole company key with each name's
        # initial (a typo in the name), and the company's first five letters with each
        # name's first three (a typo or an extra word in the company). Each name word counts,
        # so swapped first and last names still meet.
        words = person.split() or [""]
        whole = company.replace(" ", "")
        return ({f"{whole}|{w[:1]}" for w in words}
                | {f"{whole[:5]}~{w[:3]}" for w in words})
    if kind == NAME_DOMAIN:
        domain = email_domain(party.email)
        if not domain or not person:
            return set()
        return {f"{domain}|{w[:1]}" for w in person.split()}
    raise ValueError(f"unknown rule kind {kind!r}")
