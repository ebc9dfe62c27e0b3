"""The lead summary added after qualification to the timelines of the lead and of its primary
opportunity: who, which company, how to reach them, where, the records made (with links),
and the key points of the lead's notes.

Built in and offline: the summary is assembled from the record and the notes' sentences that
carry facts (amounts, dates, needs, decisions). An OpenAI-compatible endpoint may write it
instead when one is set; if it fails or is slow, the built-in one is used and says so.
"""

from __future__ import annotations

import json
import re
import urllib.request

from remit.core.actor import Actor

from .models import EntryKind, TimelineEntry

KEY_WORDS = re.compile(r"\b(budget|price|need|needs|decid\w*|deadline|competitor|contract|"
                       r"order|quote|tender|approved|urgent|by|before|within|renewal|pilot|"
                       r"volume|pain|problem|wants?)\b", re.IGNORECASE)
TIMEOUT_S = 8
MAX_POINTS = 5


def key_points(notes: list[TimelineEntry], description: str = "") -> list[str]:
    """Sentences of the lead's description and notes that carry facts (a number, or a word
    about money, time, needs or decisions), description first, then the notes oldest first,
    at most five, each once."""
    points, seen = [], set()
    texts = [description] + [p for note in sorted(notes, key=lambda n: (n.at, n.pk))
                             for p in (note.title, note.body)]
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", text or ""):
            sentence = sentence.strip(" -•\t")
            if len(sentence) < 8 or sentence.casefold() in seen:
                continue
            if re.search(r"\d", sentence) or KEY_WORDS.search(sentence):
                seen.add(sentence.casefold())
                points.append(sentence if sentence.endswith((".", "!", "?"))
                              else sentence + ".")
            if len(points) == MAX_POINTS:
                return points
    return points


def built_in(result) -> str:
    lead = result.lead
    who = lead.full_name or lead.email or "Unknown contact"
    role = f", {lead.job_title}" if lead.job_title else ""
    company = f" at {lead.company_name}" if lead.company_name else ""
    lines = [f"{who}{role}{company}."]
    reach = [x for x in (lead.email, lead.business_phone, lead.mobile_phone) if x]
    if reach:
        lines.append("Reach: " + " · ".join(reach) + ".")
    place = ", ".join(x for x in (lead.address_line1, " ".join(
        y for y in (lead.postal_code, lead.city) if y), lead.country) if x)
    if place:
        lines.append(f"Address: {place}.")
    made = []
    if result.account is not None:
        made.append(f"account {result.account.name} (/crm/accounts/{result.account.pk}/)")
    if result.contact is not None:
        made.append(f"contact {result.contact} (/crm/contacts/{result.contact.pk}/)")
    made += [f"opportunity {o.topic} (/crm/opportunities/{o.pk}/)"
             for o in result.opportunities]
    if made:
        lines.append("Records: " + "; ".join(made) + ".")
    points = key_points(list(lead.timeline.filter(kind=EntryKind.NOTE)), lead.description)
    if points:
        lines.append("Key points:")
        lines += [f"- {p}" for p in points]
    return "\n".join(lines)


def from_endpoint(settings, facts: str) -> str:
    """The summary written by the configured OpenAI-compatible endpoint (raises on any
    failure, which the caller turns into the built-in summary)."""
    body = json.dumps({"model": settings.summary_model or "default", "temperature": 0,
                       "messages": [
                           {"role": "system", "content": "Summarise this sales lead for a "
                            "seller in at most 120 words. Keep the links as they are."},
                           {"role": "user", "content": facts}]}).encode()
    request = urllib.request.Request(
        settings.summary_endpoint.rstrip("/") + "/chat/completions", data=body,
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {settings.summary_api_key}"}
                    if settings.summary_api_key else {})})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
        answer = json.loads(response.read())
    text = answer["choices"][0]["message"]["content"].strip()
    if not text:
        raise ValueError("empty summary")
    return text


def summary_add(result, settings, actor: Actor) -> str:
    """Write the summary into the lead's timeline and the primary opportunity's."""
    from .leads import timeline_add

    facts = built_in(result)
    text, title = facts, "Lead summary"
    if settings.summary_endpoint:
        try:
            text = from_endpoint(settings, facts)
        except Exception as exc:  # any failure of an outside service: the built-in one
            title = f"Lead summary (built in: the summary service failed — {type(exc).__name__})"
    timeline_add(result.lead, EntryKind.SUMMARY, title, text, actor=actor)
    primary = next((o for o in result.opportunities if o.is_primary), None)
    if primary is not None:
        timeline_add(primary, EntryKind.SUMMARY, title, text, actor=actor)
    return text
