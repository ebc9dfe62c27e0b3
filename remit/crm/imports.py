"""Leads as an import kind (``remit.imports`` reads and checks the file). A row's key column
(the other system's lead id) makes a second import of the same file create nothing twice and
a changed row update its open lead. A row that may already exist — in remit, under the
published duplicate rules, or earlier in the same file — is a bad row unless duplicates are
allowed: an import is where most duplicates come from. The file's status (and status reason)
maps to remit's lifecycle: an open lead may arrive contacted, a closed one qualified or
disqualified with its reason, as the other system had it.
"""

from __future__ import annotations

from dataclasses import dataclass

from remit.core.exceptions import DomainError, InvalidInput
from remit.imports.kinds import Context, Counts, ImportKind, Row
from remit.imports.seen import SeenKeys
from remit.imports.mapping import Field, key

from . import duplicates, leads, matching, qualify, scoring
from .models import Lead, LeadState, StatusReason

TEXT_FIELDS = ("topic", "first_name", "last_name", "company_name", "job_title", "email",
               "business_phone", "mobile_phone", "address_line1", "postal_code", "city",
               "country", "website", "industry", "source", "description")
# words other systems use for remit's status reasons (the reasons' own codes and labels count)
STATUS_WORDS = {
    "new": {"open", "new", "ny", "åpen", "åben", "öppen", "not contacted"},
    "contacted": {"contacted", "working", "in progress", "attempted to contact", "kontaktet",
                  "kontaktad", "under arbeid", "nurturing"},
    "qualified": {"qualified", "converted", "won", "kvalifisert", "kvalificeret",
                  "kvalificerad", "konvertert"},
    "lost": {"lost", "disqualified", "tapt", "tabt", "förlorad", "unqualified",
             "closed lost", "not qualified"},
    "cannot_contact": {"cannot contact", "can't contact", "unreachable", "no response",
                       "ikke mulig å kontakte"},
    "no_longer_interested": {"no longer interested", "not interested", "ikke interessert",
                             "ikke interesseret", "inte intresserad"},
    "canceled": {"canceled", "cancelled", "kansellert", "annulleret", "avbruten", "junk",
                 "spam"},
}
FIELDS = (
    Field("ref", "Key (the other system's lead id)", required=True, synonyms=(
        "id", "lead id", "lead no", "lead number", "external id", "key", "nøkkel", "nr")),
    Field("topic", "Topic", required=True, synonyms=(
        "subject", "title", "emne", "tema", "ämne", "lead name", "description short")),
    Field("first_name", "First name", synonyms=("fornavn", "förnamn", "given name", "first")),
    Field("last_name", "Last name", synonyms=("etternavn", "efternavn", "efternamn", "surname",
                                              "family name", "last")),
    Field("company_name", "Company", synonyms=("company", "firma", "firmanavn", "organisation",
                                               "organization", "account name", "företag")),
    Field("job_title", "Job title", synonyms=("title", "stilling", "tittel", "titel",
                                              "position")),
    Field("email", "Email", synonyms=("e-mail", "e-post", "epost", "mail", "email address")),
    Field("business_phone", "Business phone", synonyms=("phone", "telephone", "telefon", "tlf",
                                                         "work phone", "arbeid")),
    Field("mobile_phone", "Mobile phone", synonyms=("mobile", "mobil", "cell", "cell phone",
                                                    "mobiltelefon")),
    Field("address_line1", "Street", synonyms=("address", "street", "adresse", "gateadresse",
                                               "adress")),
    Field("postal_code", "Postal code", synonyms=("zip", "zip code", "postnr", "postnummer")),
    Field("city", "City", synonyms=("poststed", "by", "ort", "town")),
    Field("country", "Country", synonyms=("land", "country code", "landkode")),
    Field("website", "Website", synonyms=("web", "url", "nettside", "hjemmeside", "webbplats")),
    Field("industry", "Industry", synonyms=("bransje", "branche", "bransch", "sector")),
    Field("source", "Source", synonyms=("lead source", "kilde", "källa", "origin", "channel")),
    Field("estimated_value", "Estimated value", kind="amount", synonyms=(
        "value", "amount", "budget", "verdi", "værdi", "värde", "estimated revenue")),
    Field("currency", "Currency", synonyms=("valuta",)),
    Field("description", "Description", synonyms=("notes", "beskrivelse", "notater",
                                                  "comments", "kommentar")),
    Field("status", "Status", synonyms=("lead status", "state", "stage")),
    Field("status_reason", "Status reason", synonyms=("reason", "årsak", "årsag", "orsak",
                                                      "disqualified reason", "lost reason")),
)


@dataclass
class Parsed:
    ref: str
    values: dict
    status: str  # a status reason code


def _reason_of(word: str, reasons: dict[str, StatusReason]) -> str | None:
    folded = key(word)
    for code, reason in reasons.items():
        if folded in (key(code), key(reason.label)):
            return code
    for code, words in STATUS_WORDS.items():
        if folded in {key(w) for w in words} and code in reasons:
            return code
    return None


class Leads(ImportKind):
    name = "leads"
    label = "Leads"
    permission = "crm.add_lead"
    fields = FIELDS
    amount_fields = ("estimated_value",)
    flags = {"allow_duplicates": "import rows that may already exist (else they are bad rows)"}
    constant_example = "topic=Imported lead"
    max_chunk = 200

    def start(self, ctx: Context) -> None:
        qualify.settings_for(ctx.legal_entity)
        ctx.state.update(seen=SeenKeys(), codes={},
                         reasons={r.code: r for r in StatusReason.objects.all()},
                         kinds=duplicates.kinds_in_force(ctx.legal_entity, "lead"))

    def parse(self, ctx: Context, row: Row) -> Parsed | None:
        ref = row.text("ref")
        if not ref:
            row.bad("ref", "the key is empty")
        elif len(ref) > 80:
            row.bad("ref", "the key is longer than 80 characters")
        values = {name: row.text(name) for name in TEXT_FIELDS if row.text(name)}
        value = ctx.amount(row, "estimated_value")
        if value is not None:
            values["estimated_value"] = value
        if row.text("currency"):
            values["currency"] = row.text("currency").upper()
        if not values.get("topic"):
            row.bad("topic", "is empty (give every row one: --set topic=\"Imported lead\")")
        if not (values.get("last_name") or values.get("company_name") or values.get("email")):
            row.bad("last_name", "give a name, a company or an email address")
        status = self._status(row, ctx.state["reasons"])
        try:
            cleaned = leads._clean(values, leads.LEAD_FIELDS, ctx.legal_entity, Lead)
        except InvalidInput as exc:
            field_name = exc.errors[0][0][0] if exc.errors and exc.errors[0][0] else "ref"
            row.bad(str(field_name), exc.errors[0][1] if exc.errors else exc.message)
            return None
        if row.problems:
            return None
        return Parsed(ref, cleaned, status)

    def _status(self, row: Row, reasons: dict) -> str:
        """The reason code: the status reason when the file gives one, else the status."""
        for name in ("status_reason", "status"):
            word = row.text(name)
            if not word:
                continue
            found = _reason_of(word, reasons)
            if found is not None:
                return found
            if name == "status" or not row.text("status"):
                row.bad(name, f"{word!r} is not a lead status remit knows ("
                              f"{', '.join(r.label for r in reasons.values())})")
                return "new"
        return "new"

    def check_chunk(self, ctx: Context, rows: list[tuple[Row, Parsed]]) -> None:
        state = ctx.state
        refs = [p.ref for _, p in rows]
        there = set(Lead.objects.filter(legal_entity=ctx.legal_entity, external_ref__in=refs)
                    .values_list("external_ref", flat=True))
        allow = bool(ctx.flags.get("allow_duplicates"))
        earlier = state["seen"].earlier([(p.ref, row.line) for row, p in rows])
        for (row, p), line in zip(rows, earlier):
            if line is not None:
                row.bad("ref", f"the key {p.ref!r} is also on line {line}")
                continue
            if p.ref in there or allow:
                continue
            party = matching.Party(p.values.get("first_name", ""), p.values.get("last_name", ""),
                                   p.values.get("company_name", ""), p.values.get("email", ""),
                                   (p.values.get("business_phone", ""),
                                    p.values.get("mobile_phone", "")),
                                   p.values.get("country") or "NO")
            found = duplicates.find(ctx.legal_entity, "lead", party,
                                    scope=duplicates.scope_for(ctx.legal_entity, ctx.actor))
            if found:
                names = ", ".join(f"{m.record} ({m.score:.0f} %: {m.explanation})"
                                  for m in found[:3])
                row.bad("ref", f"may already exist: {names} (import with duplicates allowed, "
                               "or merge afterwards)")
                continue
            self._same_file(state, row, party)

    def _same_file(self, state: dict, row: Row, party: matching.Party) -> None:
        """A row that may be the same lead as an earlier row of the file, weighed as the
        check against the records is: evidence that several rows share counts for less."""
        codes = state["codes"]
        held = {(kind, code): len(codes.get((kind, code), ()))
                for kind in (*state["kinds"], matching.SURNAME)
                for code in matching.codes(party, kind)}
        seen = set()
        for (kind, code) in held:
            if kind == matching.SURNAME:
                continue  # counted, never a block of its own
            for line, earlier in codes.get((kind, code), ())[:duplicates.MAX_CANDIDATES]:
                if line in seen:
                    continue
                seen.add(line)
                verdict = scoring.compare(party, earlier, lambda k, c: held.get((k, c), 0))
                if verdict.band == scoring.DUPLICATE:
                    row.bad("ref", f"may be the same lead as line {line} "
                                   f"({verdict.explanation})")
                    return
        for held_key in held:
            codes.setdefault(held_key, []).append((row.line, party))

    def post_chunk(self, ctx: Context, rows: list[tuple[Row, Parsed]]) -> Counts:
        counts = Counts()
        allow = bool(ctx.flags.get("allow_duplicates"))
        found = {lead.external_ref: lead for lead in Lead.objects.filter(
            legal_entity=ctx.legal_entity, external_ref__in=[p.ref for _, p in rows])}
        for row, p in rows:
            try:
                outcome = self._apply(ctx, found.get(p.ref), p, allow)
            except DomainError as exc:
                if exc.code == "duplicates":
                    raise InvalidInput(f"line {row.line}: may already exist: "
                                       f"{exc.message.split(': ', 1)[-1]}",
                                       code="duplicates") from None
                raise
            setattr(counts, outcome, getattr(counts, outcome) + 1)
        return counts

    def _apply(self, ctx: Context, lead: Lead | None, p: Parsed, allow: bool) -> str:
        if lead is None:
            made = leads.lead_create(legal_entity=ctx.legal_entity, actor=ctx.actor,
                                     external_ref=p.ref, ignore_duplicates=allow, **p.values)
            if p.status != "new":
                target = ctx.state["reasons"][p.status]
                action = {LeadState.OPEN: "status", LeadState.QUALIFIED: "qualify"}.get(
                    target.state, "disqualify")
                leads.status_move(leads.lead_locked(made), target, action, ctx.actor,
                                  "as imported")
            return "created"
        changed = {k: v for k, v in p.values.items() if str(getattr(lead, k) or "") != str(v)}
        if not changed or not lead.is_active:
            return "unchanged"
        leads.lead_update(lead=lead, actor=ctx.actor, ignore_duplicates=True, **changed)
        duplicates.codes_refresh(lead)
        return "updated"
