"""Reading people's and companies' names the way a person reading a CRM does: a name typed on
a Norwegian keyboard, exported through Latin-1 or shortened to a nickname is still the same
name. Pure functions, no database.

Why the published lists: nickname knowledge is data, not code. The English forms come from
the maintained "nicknames" package (Apache-2.0); remit ships the Nordic and German forms it
lacks in ``name_forms.csv`` in the same layout. Mojibake ("RÃ¸nnli") is repaired with ftfy.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import ftfy
from nicknames import NickNamer
from rapidfuzz.distance import OSA, Levenshtein

# Letters that folding to ASCII would otherwise drop or split differently per keyboard:
# ø may be typed o or oe, å as a or aa, ü as u or ue; both spellings fold to the same key.
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ü": "u",
                       "ß": "ss", "ð": "d", "þ": "th", "ł": "l"})
_DIGRAPHS = (("aa", "a"), ("oe", "o"), ("ue", "u"), ("ae", "a"))


def repair(text: str | None) -> str:
    """Undo mojibake ("RÃ¸nnli" → "Rønnli"), only when the text looks broken."""
    if not text:
        return ""
    return ftfy.fix_text(text) if any(c in text for c in "ÃÂâ") else text


@lru_cache(maxsize=262144)  # names and companies repeat: a batch folds each once
def fold(text: str | None) -> str:
    """Lower case, repaired, accents off (ø → o, å → a, ü → u, ß → ss), punctuation to
    spaces, one space between words."""
    text = repair(text).casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w&/]+", " ", text).split())


@lru_cache(maxsize=262144)
def spelling_key(word: str) -> str:
    """A folded word with the keyboard digraphs collapsed: Aaberg/Åberg, Mueller/Müller and
    Roennli/Rønnli meet (after ``fold``, which already made å → a and ø → o)."""
    for digraph, single in _DIGRAPHS:
        word = word.replace(digraph, single)
    return word


@cache
def _forms() -> dict[str, frozenset[str]]:
    """Each known first name → the set of names it can stand for (itself, its full forms and
    its short forms)."""
    lookup = {k: set(v) for k, v in NickNamer.default_lookup().items()}
    with open(Path(__file__).with_name("name_forms.csv"), encoding="utf-8") as f:
        rows = csv.reader(line for line in f if not line.startswith("#"))
        next(rows)
        for full, _, short in rows:
            lookup.setdefault(fold(full), set()).add(fold(short))
    forms: dict[str, set[str]] = {}
    for full, shorts in lookup.items():
        for name in (full, *shorts):
            forms.setdefault(name, {name}).update({full})
        forms[full].update(shorts)
    return {name: frozenset(group) for name, group in forms.items()}


@lru_cache(maxsize=262144)
def first_names_agree(a: str, b: str) -> str:
    """How two folded first names relate: 'same', 'form' (a short form or full form of the
    other: Bob/Robert, Lasse/Lars), 'initial' (J / Jon), 'typo' (Jonh / John), 'close' (one
    letter off in a short name: Ola / Ole, a typo or another name) or '' (not the same name).
    Compound names count when any part agrees (Jens Peter / Jens-Peter / Jens)."""
    if not a or not b:
        return ""
    if a == b or spelling_key(a) == spelling_key(b):
        return "same"
    wa, wb = a.split(), b.split()
    if wa[0] == wb[0] or set(wa) & set(wb):
        return "same"
    forms = _forms()
    for x in wa:
        for y in wb:
            if y in forms.get(x, ()) or x in forms.get(y, ()):
                return "form"
    if (len(wa[0]) == 1 or len(wb[0]) == 1) and wa[0][0] == wb[0][0]:
        return "initial"
    if is_typo(a, b):
        return "typo"
    return "close" if OSA.distance(spelling_key(a), spelling_key(b)) == 1 else ""


def is_typo(a: str, b: str) -> bool:
    """One slip of the keyboard: two neighbours swapped (Jonh / John, Pre / Per), or, in a
    word of five letters or more, one letter wrong, missing or doubled (Rønlli / Rønnli). A
    short name one letter off is usually another name (Anne / Anna, Ola / Ole)."""
    a, b = spelling_key(a), spelling_key(b)
    if OSA.distance(a, b) != 1:
        return False
    if Levenshtein.distance(a, b) == 2:  # the one OSA edit was a transposition
        return min(len(a), len(b)) >= 3
    return min(len(a), len(b)) >= 5


@lru_cache(maxsize=262144)
def last_names_agree(a: str, b: str) -> str:
    """'same', 'typo' (Rønnli / Rønlli, Smith / Smyth) or ''."""
    if not a or not b:
        return ""
    if a == b or spelling_key(a) == spelling_key(b) or a.replace(" ", "") == b.replace(" ", ""):
        return "same"
    return "typo" if is_typo(a, b) else ""
