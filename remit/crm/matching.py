"""Duplicate matching, free of the database: how names, companies, emails and phones are
normalised into match codes (the blocking keys an index can find), and how two records that
share a code are scored with rapidfuzz.

Why codes and then a score: checking one new lead against a million must not scan them. Each
rule kind turns a record into a few short codes; candidates are the records sharing one (an
index lookup), and only those few are compared closely. Exact rules (email, phone) need no
score: the code is the value. Fuzzy rules block on pieces that survive typical variation
(the company's first letters, the email domain, the surname's start) and then score the names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from rapidfuzz import fuzz

EMAIL = "email"
PHONE = "phone"
NAME_COMPANY = "name_company"
NAME_DOMAIN = "name_domain"
KINDS = {EMAIL: "same email address", PHONE: "same phone number",
         NAME_COMPANY: "similar name and company name",
         NAME_DOMAIN: "similar name and same email domain"}

NAME_THRESHOLD = 85     # rapidfuzz score (0–100) for two person names to be "similar"
COMPANY_THRESHOLD = 85  # and for two company names

# Free-mail domains say nothing about the company: never a "same email domain" match.
FREE_MAIL = frozenset("""gmail.com googlemail.com hotmail.com hotmail.no hotmail.se hotmail.dk
outlook.com live.com live.no live.se live.dk msn.com yahoo.com yahoo.no yahoo.se yahoo.dk
icloud.com me.com mac.com aol.com proton.me protonmail.com gmx.com gmx.net mail.com
online.no start.no frisurf.no telia.com c2i.net jubii.dk mail.dk ofir.dk""".split())

# Legal forms and filler words that do not tell companies apart.
COMPANY_NOISE = frozenset("""as asa ab aps a/s oy oyj gmbh ag ltd limited inc incorporated
corp corporation co company llc plc sa sarl bv nv kg the og and & group gruppen holding""".split())

# Short forms of first names, so "Bob Smith" and "Robert Smith" are one person.
NICKNAMES = {
    "bob": "robert", "rob": "robert", "bobby": "robert", "bill": "william", "will": "william",
    "liz": "elizabeth", "beth": "elizabeth", "betty": "elizabeth", "kate": "katherine",
    "katie": "katherine", "kathy": "katherine", "cathy": "catherine", "jim": "james",
    "jimmy": "james", "mike": "michael", "mick": "michael", "dave": "david", "tom": "thomas",
    "tommy": "thomas", "chris": "christopher", "nick": "nicholas", "tony": "anthony",
    "dick": "richard", "rick": "richard", "steve": "stephen", "sam": "samuel",
    "alex": "alexander", "andy": "andrew", "dan": "daniel", "danny": "daniel",
    "jon": "jonathan", "johnny": "john", "jack": "john", "joe": "joseph", "peggy": "margaret",
    "maggie": "margaret", "meg": "margaret", "sue": "susan", "jenny": "jennifer",
    "jen": "jennifer", "kris": "kristian", "hans": "johannes", "jens": "johannes",
    "lasse": "lars", "nils": "nicolai", "kari": "katarina", "kaja": "katarina",
    "pelle": "per", "bengt": "benedikt", "stina": "kristina", "tina": "kristina",
}


def fold(text: str | None) -> str:
    """Lower case, accents off (ø → o, å → a, æ → ae, ß → ss), punctuation to spaces, one space
    between words."""
    if not text:
        return ""
    text = text.casefold().replace("æ", "ae").replace("ø", "o").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w&/]+", " ", text).split())


def email_key(email: str | None) -> str:
    """The address as a mail server compares it: trimmed, lower case."""
    email = (email or "").strip().casefold()
    return email if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) else ""


def email_domain(email: str | None) -> str:
    """The company domain of an address; blank for free-mail providers."""
    key = email_key(email)
    domain = key.rsplit("@", 1)[1] if key else ""
    return "" if domain in FREE_MAIL else domain


def phone_key(number: str | None, country: str = "NO") -> str:
    """The number in E.164 (+4722334455), read in the record's country when it has no +;
    blank when it is not a possible number."""
    if not number or not number.strip():
        return ""
    try:
        parsed = phonenumbers.parse(number, (country or "NO").upper())
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def person_key(first: str | None, last: str | None) -> str:
    """First and last name folded, the first name's short form expanded."""
    firsts = fold(first).split()
    if firsts:
        firsts[0] = NICKNAMES.get(firsts[0], firsts[0])
    return " ".join([*firsts, *fold(last).split()])


def company_key(name: str | None) -> str:
    """The company name without legal forms and filler words ("Contoso, Inc." → "contoso")."""
    words = [w for w in fold(name).replace("/", " ").split() if w not in COMPANY_NOISE]
    return " ".join(words)


@dataclass(frozen=True)
class Party:
    """What matching reads of a lead, contact or account (an account has only the company)."""

    first_name: str = ""
    last_name: str = ""
    company: str = ""
    email: str = ""
    phones: tuple[str, ...] = ()
    country: str = "NO"

    @property
    def person(self) -> str:
        return person_key(self.first_name, self.last_name)


def codes(party: Party, kind: str) -> set[str]:
    """The match codes of a record for one rule kind (empty: nothing to match on, which is how
    blank values are ignored)."""
    if kind == EMAIL:
        key = email_key(party.email)
        return {key} if key else set()
    if kind == PHONE:
        return {k for k in (phone_key(p, party.country) for p in party.phones) if k}
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


def similar_names(a: str, b: str) -> float:
    """0–100: how alike two person names are, in any word order ("Murphy Regina")."""
    if not a or not b:
        return 0.0
    return max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a, b))


def similar_companies(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return max(fuzz.token_set_ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")))


def score(kind: str, a: Party, b: Party) -> float | None:
    """How well ``b`` matches ``a`` under the rule kind (0–100), or None when it does not.
    Exact kinds score 100 when a code is shared."""
    if kind in (EMAIL, PHONE):
        return 100.0 if codes(a, kind) & codes(b, kind) else None
    if kind == NAME_COMPANY:
        company = similar_companies(company_key(a.company), company_key(b.company))
        if company < COMPANY_THRESHOLD:
            return None
        if not a.person and not b.person:  # two accounts: the company is the name
            return company
        names = similar_names(a.person, b.person)
        return (names + company) / 2 if names >= NAME_THRESHOLD else None
    if kind == NAME_DOMAIN:
        if not email_domain(a.email) or email_domain(a.email) != email_domain(b.email):
            return None
        names = similar_names(a.person, b.person)
        return names if names >= NAME_THRESHOLD else None
    raise ValueError(f"unknown rule kind {kind!r}")
