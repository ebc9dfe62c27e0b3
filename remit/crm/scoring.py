"""How much two records look like one person (or one company), and why, in words.

Each comparison (first name, last name, organisation, personal contact details) gives a
weight: how much more often its outcome is seen between two records of one person than
between two that only share a blocking code, in bits (log2 of that ratio), as in the
Fellegi–Sunter model that record-linkage tools such as Splink use. The weights add up; what
counts is the sum, never one field alone.

Why evidence is weighed by how many records share it: a number or mailbox held by several
records is a switchboard or a role address (post@, info@), and a very common surname says
little. Counts come from the match codes (kept for every record as it is saved), so they are
the data's own and always current. Organisation evidence (same company, corporate domain,
shared switchboard) is counted once: colleagues agree on all of it together.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from . import matching, names

DUPLICATE = "duplicate"   # may already exist: the save is stopped until the user decides
RELATED = "related"       # possibly related (a colleague, the company's account): shown only

THRESHOLD = 8.0           # bits for "may already exist"
FIRST = {"same": 4.0, "form": 3.5, "typo": 2.5, "initial": 1.0, "close": -2.0, "": -6.0}
LAST_TYPO, NAME_DIFFERS = 3.0, -6.0
ORG_AGREES, ORG_DIFFERS = 2.0, -5.0
PERSONAL = {"email": 8.0, "mobile": 7.0, "line": 3.0}
PERSONAL_CAP = 10.0
# How many other records may hold an address or number that still names one person: a
# person entered three times shares a mobile with two records; a switchboard is a fixed line.
PERSONAL_HOLDERS = {"email": 2, "mobile": 3, "line": 1}
MOBILES_DIFFER = -4.0     # both have a mobile, none in common: people seldom have two
NAMESAKE_MAILBOX = -8.0   # jsmith@ and jsmith2@ at one company: the mail admin's two people
OTHER_MAILBOX = -3.0      # mikael.lindgren@ and mikael.lundgren@: each a person's own

# Local parts of shared mailboxes: the company's, not a person's.
ROLE_MAILBOXES = frozenset("""post postmottak postkasse info kontakt kontor contact sales salg
office mail firmapost admin support hello hallo service kundeservice customerservice faktura
invoice invoices accounts regnskap economy okonomi order ordre orders booking reception
resepsjon hr jobb jobs careers marketing marked noreply no-reply team enquiries inquiries
help hjelp webmaster billing purchasing innkjop""".split())

Counts = Callable[[str, str], int]   # (kind, code) → how many other records hold it


@dataclass
class Verdict:
    weight: float
    reasons: list[str] = field(default_factory=list)
    band: str = ""

    @property
    def score(self) -> float:
        """The weight as a 0–100 likeness (50 at 4 bits, 94 at the threshold)."""
        return round(100 / (1 + 2 ** (4 - self.weight)), 1)

    @property
    def explanation(self) -> str:
        return "; ".join(self.reasons)


@lru_cache(maxsize=65536)
def is_role_mailbox(email: str) -> bool:
    key = matching.email_key(email)
    return bool(key) and key.split("@", 1)[0].replace(".", "").replace("_", "") in ROLE_MAILBOXES


def surname_weight(count: int) -> float:
    """A shared surname held by ``count`` other records: rare names weigh more."""
    return max(2.5, min(7.0, 9.0 - math.log2(max(count, 1))))


def compare(a: matching.Party, b: matching.Party, counts: Counts) -> Verdict:
    """How ``b`` (an existing record) looks to ``a`` (the record being checked)."""
    if a.is_account and b.is_account:
        verdict = _companies(a, b, counts)
    else:
        verdict = Verdict(0.0)
        if not (a.is_account or b.is_account):
            _people(a, b, counts, verdict)
        org = _organisation(a, b, counts, verdict)
        if a.is_account or b.is_account:  # a person is never a duplicate of a company
            verdict.band = RELATED if org > 0 else ""
            return verdict
        verdict.band = (DUPLICATE if verdict.weight >= THRESHOLD
                        else RELATED if org > 0 else "")
        return verdict
    verdict.band = DUPLICATE if verdict.weight >= THRESHOLD else ""
    return verdict


def could_be_same(a: matching.Party, b: matching.Party, counts: Counts,
                  contact_shared: bool = True) -> bool:
    """Whether ``compare`` could find "may already exist", judged from the names alone (with
    the most the organisation and, when the two share an address or number, the personal
    evidence could add): two people whose names disagree are skipped before their numbers
    are read. Never False for a pair ``compare`` would call a duplicate."""
    if a.is_account or b.is_account:
        return a.is_account and b.is_account
    best = max(_names(*pairing, counts, explain=False)[0] for pairing in _pairings(a, b))
    return best + ORG_AGREES + (PERSONAL_CAP if contact_shared else 0.0) >= THRESHOLD


def _pairings(a, b) -> list[tuple]:
    """Which of ``a``'s names to read against which of ``b``'s: as written, and swapped
    either way (first name against last name as first names, the other two as surnames), so
    that the pair weighs the same whichever record is checked. Each: (a's first, b's first,
    a's last, b's last, whether b's were read swapped)."""
    return [(a.first_key, b.first_key, a.last_key, b.last_key, False),
            (a.last_key, b.first_key, a.first_key, b.last_key, False),
            (a.first_key, b.last_key, a.last_key, b.first_key, True)]


def _people(a, b, counts, verdict: Verdict) -> None:
    pairings = _pairings(a, b)
    weights = [_names(*pairing, counts, explain=False)[0] for pairing in pairings]
    best = max(range(3), key=lambda i: (weights[i], -i))  # as written, when it ties
    shown = (names.repair(b.first_name), names.repair(b.last_name))
    weight, reasons = _names(*pairings[best], counts, shown=shown[::-1] if best == 2 else shown)
    verdict.weight += weight
    verdict.reasons += reasons + (["first and last name swapped"] if best else [])
    _personal(a, b, counts, verdict)


def _names(a_first, b_first, a_last, b_last, _swapped, counts, *, explain: bool = True,
           shown: tuple[str, str] = ("", "")) -> tuple[float, list[str]]:
    """The weight of two first names and two last names (and, with ``explain``, why; the
    names ``shown`` as the other record has them)."""
    weight, reasons = 0.0, []
    shown_first, shown_last = shown
    if a_first and b_first:
        how = names.first_names_agree(a_first, b_first)
        weight += FIRST[how]
        if explain:
            reasons.append(_first_reason(how, a_first, b_first, shown_first))
    if a_last and b_last:
        how = names.last_names_agree(a_last, b_last)
        if how == "same":
            held = counts(matching.SURNAME, names.spelling_key(a_last.replace(" ", "")))
            weight += surname_weight(held)
            if explain:
                reasons.append(f"same last name ({shown_last}"
                               + (f", common: {held} records)" if held > 8 else ")"))
        elif how == "typo":
            weight += LAST_TYPO
            if explain:
                reasons.append(f"last names {a_last.title()}/{b_last.title()} differ by a "
                               "typo")
        else:
            weight += NAME_DIFFERS
            if explain:
                reasons.append(f"different last names ({a_last.title()}, {shown_last})")
    return weight, reasons


def _first_reason(how: str, a_first: str, b_first: str, shown: str) -> str:
    pair = f"{a_first.title()}/{b_first.title()}"
    return {"same": f"same first name ({shown})",
            "form": f"first names {pair} are the same name",
            "typo": f"first names {pair} differ by a typo",
            "initial": f"first name {shown} matches the initial",
            "close": f"first names {pair} are one letter apart",
            "": f"different first names ({a_first.title()}, {shown})"}[how]


def _personal(a, b, counts, verdict: Verdict) -> None:
    """A personal address or number both records hold, and (almost) nobody else does; or two
    records that each have their own."""
    weight, reasons = 0.0, []
    email = a.email_key
    if email and email == b.email_key and not is_role_mailbox(email) \
            and counts(matching.EMAIL, email) <= PERSONAL_HOLDERS["email"]:
        weight += PERSONAL["email"]
        reasons.append("same e-mail address")
    shared = a.phone_keys & b.phone_keys
    for number, kind in shared:
        if counts(matching.PHONE, number) <= PERSONAL_HOLDERS[kind]:
            weight += PERSONAL[kind]
            reasons.append(f"same {'mobile' if kind == 'mobile' else 'phone'} number")
    verdict.weight += min(weight, PERSONAL_CAP)
    verdict.reasons += reasons
    mobiles = {n for n, kind in a.phone_keys if kind == "mobile"}, \
        {n for n, kind in b.phone_keys if kind == "mobile"}
    if all(mobiles) and not mobiles[0] & mobiles[1]:
        verdict.weight += MOBILES_DIFFER
        verdict.reasons.append("different mobile numbers")
    mailboxes = _mailboxes(a.email_key, b.email_key)
    if mailboxes:
        verdict.weight += mailboxes[0]
        verdict.reasons.append(mailboxes[1])


def _mailboxes(a: str, b: str) -> tuple[float, str] | None:
    """Two different addresses at one company's domain that look like two people's: the
    same name numbered (jsmith, jsmith2), or the same pattern with other names
    (mikael.lindgren, mikael.lundgren). Another pattern (jon.smith, jsmith) may be one person."""
    if not a or not b or a == b:
        return None
    (la, da), (lb, db) = a.split("@", 1), b.split("@", 1)
    if da != db or da in matching.FREE_MAIL:
        return None
    if la.rstrip("0123456789") == lb.rstrip("0123456789"):
        return NAMESAKE_MAILBOX, f"numbered mailboxes of namesakes ({a}, {b})"
    shape_a, shape_b = ("".join(c for c in x if c in "._-") for x in (la, lb))
    if shape_a and shape_a == shape_b:
        return OTHER_MAILBOX, f"each their own mailbox ({a}, {b})"
    return None


def _organisation(a, b, counts, verdict: Verdict) -> float:
    """One comparison for the employer: company name, corporate e-mail domain, a shared
    switchboard or mailbox. Returns the weight it added."""
    ca, cb = a.company_key, b.company_key
    da, db = a.email_domain, b.email_domain
    agrees = []
    if ca and cb and _same_company(ca, cb):
        agrees.append(f"company '{a.company}' = '{b.company}'" if a.company != b.company
                      else f"same company ({b.company})")
    if da and da == db:
        agrees.append(f"same e-mail domain ({db})")
    shared = {n for n, _ in a.phone_keys & b.phone_keys if counts(matching.PHONE, n) > 1}
    if shared:
        agrees.append(f"a phone number {counts(matching.PHONE, min(shared)) + 1} records "
                      "share (a switchboard)")
    email = a.email_key
    if email and email == b.email_key and (
            is_role_mailbox(email) or counts(matching.EMAIL, email) > 1):
        agrees.append(f"a shared mailbox ({email})")
    if agrees:
        verdict.weight += ORG_AGREES
        verdict.reasons += agrees
        return ORG_AGREES
    if ca and cb and not (da and db and da == db):
        verdict.weight += ORG_DIFFERS
        verdict.reasons.append(f"different companies ({a.company}, {b.company})")
        return ORG_DIFFERS
    return 0.0


def _same_company(ca: str, cb: str) -> bool:
    """Equal once legal forms are gone, or a typo apart ("Johansen" is not "Johansen
    Maskin": a word more is often another company of the family)."""
    if ca == cb or ca.replace(" ", "") == cb.replace(" ", ""):
        return True
    return fuzz.ratio(ca, cb) >= 92


def _companies(a, b, counts) -> Verdict:
    """Two accounts: the name is the company's; a shared number, mailbox or domain adds."""
    verdict = Verdict(0.0)
    ca, cb = a.company_key, b.company_key
    if ca and cb:
        if ca == cb or ca.replace(" ", "") == cb.replace(" ", ""):
            verdict.weight += 8.0
            verdict.reasons.append(f"company '{a.company}' = '{b.company}'")
        elif _same_company(ca, cb) or fuzz.token_set_ratio(ca, cb) >= 90:
            verdict.weight += 6.0
            verdict.reasons.append(f"similar company names ('{a.company}', '{b.company}')")
        else:
            verdict.weight -= 4.0
            verdict.reasons.append(f"different names ({a.company}, {b.company})")
    if a.phone_keys & b.phone_keys:
        verdict.weight += 3.0
        verdict.reasons.append("same phone number")
    if a.email_key and a.email_key == b.email_key:
        verdict.weight += 3.0
        verdict.reasons.append("same e-mail address")
    return verdict
