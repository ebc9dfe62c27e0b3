"""The demo sales pipeline: a year of leads from the web, events and referrals — some new or
contacted, many qualified into accounts, contacts and opportunities (some won, some lost),
others disqualified for their documented reasons — and a few duplicates typed the way people
type them (a nickname, a typo, the phone written another way), waiting to be found."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from remit.core import bulk
from remit.core.actor import Actor
from remit.crm import leads, opportunities, qualify
from remit.crm.models import Lead, Opportunity, TimelineEntry

from .names import FIRST_NAMES, LAST_NAMES, STEMS, SUFFIX, TRADES

SOURCES = ["Web form", "Trade fair", "Referral", "Cold call", "Partner", "Newsletter"]
INDUSTRIES = ["Construction", "Maritime", "Retail", "Energy", "Food", "Logistics", "Health"]
TOPICS = ["New delivery agreement", "Spare parts", "Service contract", "Framework agreement",
          "Pilot project", "Replacement of equipment", "Annual volume", "Installation"]
NOTES = ["Budget approved for next quarter.", "Wants a quote within two weeks.",
         "Decision by the board in March.", "Current supplier has delivery problems.",
         "Needs 40 units before the season.", "Asked for references in the region.",
         "Price is the main concern.", "Met at the fair; interested in a pilot."]
PHONE_PREFIX = {"NO": "+47 ", "DK": "+45 ", "SE": "+46 8 "}
# big enough for the lists, the board and a scoring model (40+ of each outcome), small
# enough that the demo loads in under a minute
SIZES = {"NO01": 1000, "DK01": 300}


def demo_crm(entity, as_of: date, rng: random.Random, actor: Actor,
             scale: Decimal = Decimal(1)) -> int:
    """The entity's pipeline (only the legal entities with a sales team), as large as the
    customer base asked for but never under 60 leads; returns the number of leads made."""
    n = SIZES.get(entity.code, 0)
    if not n:
        return 0
    n = max(min(n, 60), int((n * scale).to_integral_value()))
    settings = qualify.settings_for(entity)
    settings.multiple_opportunities = True
    settings.save()
    users = list(get_user_model().objects.filter(
        Q(remit_profile__legal_entities=entity) | Q(remit_profile__all_legal_entities=True),
        username__in=["rep", "salesmgr"]).distinct())
    made = []
    with transaction.atomic():
        for i in range(n):
            made.append(_lead(entity, rng, i, users, as_of, actor))
        _backdate(made)
        for lead, created in made:
            _progress(lead, created, rng, as_of, actor)
        for source, _ in rng.sample(made, max(3, n // 40)):
            _duplicate(entity, source, rng, actor)
        _activities([lead for lead, _ in made], rng, as_of, actor)
        _stages(entity, rng)
    return n


def _stages(entity, rng) -> None:
    """Open opportunities spread over the pipeline: most still qualifying, some developed,
    some with a proposal out."""
    from remit.crm.models import Opportunity, OpportunityStatus, Stage

    moved: dict[str, list[int]] = {Stage.DEVELOP: [], Stage.PROPOSE: []}
    for pk in Opportunity.objects.filter(legal_entity=entity, status=OpportunityStatus.OPEN
                                         ).order_by("pk").values_list("pk", flat=True):
        roll = rng.randrange(100)
        if roll >= 45:
            moved[Stage.DEVELOP if roll < 75 else Stage.PROPOSE].append(pk)
    for stage, pks in moved.items():
        Opportunity.objects.filter(pk__in=pks).update(stage=stage)


FOLLOW_UPS = [("call", "Call back about the pilot"), ("email", "Send the price list"),
              ("meeting", "Demo at their office"), ("task", "Prepare the offer"),
              ("call", "Check the budget with the CFO"), ("task", "Send references")]


def _activities(made: list[Lead], rng, as_of: date, actor) -> None:
    """Sellers' work on the open leads: an open follow-up for about half of them (some
    overdue), owned by the lead's owner, and a call already made on some."""
    for lead in made:
        lead.refresh_from_db(fields=["state", "owner"])
        if lead.state != "open" or lead.owner is None:
            continue
        roll = rng.randrange(100)
        if roll < 50:
            kind, subject = rng.choice(FOLLOW_UPS)
            leads.activity_add(record=lead, activity_type=kind, subject=subject,
                               due_on=as_of + timedelta(days=rng.randint(-6, 14)),
                               assigned_to=lead.owner, actor=actor)
        if roll % 3 == 0:
            done = leads.activity_add(record=lead, activity_type="call",
                                      subject="First call", body=rng.choice(NOTES),
                                      assigned_to=lead.owner, done=True, actor=actor)
            TimelineEntry.objects.filter(pk=done.pk).update(
                due_on=as_of - timedelta(days=rng.randint(1, 20)))


def _lead(entity, rng, i, users, as_of, actor):
    country = entity.country or "NO"
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    company = f"{rng.choice(STEMS)} {rng.choice(TRADES)} {SUFFIX.get(country, 'AS')}"
    domain = company.split()[0].casefold().translate(str.maketrans("øåæöäé", "oaaoae")) + \
        company.split()[1].casefold().translate(str.maketrans("øåæöäé", "oaaoae")) + \
        {"NO": ".no", "DK": ".dk", "SE": ".se"}.get(country, ".com")
    created = as_of - timedelta(days=rng.randint(0, 365))
    lead = leads.lead_create(
        legal_entity=entity, actor=actor, ignore_duplicates=True,
        topic=rng.choice(TOPICS), first_name=first, last_name=last, company_name=company,
        job_title=rng.choice(["Purchasing manager", "CEO", "CFO", "Operations manager",
                              "Project manager", ""]),
        email=f"{first}.{last}@{domain}".casefold().translate(str.maketrans("øåæöäé",
                                                                            "oaaoae")),
        business_phone=PHONE_PREFIX.get(country, "") + f"{rng.randint(20, 99)} "
                                                       f"{rng.randint(10, 99)} "
                                                       f"{rng.randint(10, 99)} "
                                                       f"{rng.randint(10, 99)}",
        city=rng.choice(["Oslo", "Bergen", "Trondheim", "Stavanger", "Tromsø"]
                        if country == "NO" else ["København", "Aarhus", "Odense"]),
        country=country, source=rng.choice(SOURCES), industry=rng.choice(INDUSTRIES),
        estimated_value=Decimal(rng.randrange(20_000, 900_000, 5_000)),
        owner=rng.choice(users) if users else None)
    lead.created_at = timezone.make_aware(timezone.datetime.combine(
        created, timezone.datetime.min.time())) + timedelta(hours=rng.randint(8, 16))
    if rng.randrange(100) < 60:
        leads.note_add(record=lead, title=rng.choice(["Call", "Meeting", "Email"]),
                       body=rng.choice(NOTES), actor=actor)
    return lead, created


def _backdate(made) -> None:
    """Each lead, its creation and its first note on the day it came in."""
    rows = [(lead.created_at, lead.pk) for lead, _ in made]
    bulk.update(Lead, ["created_at"], rows)
    bulk.update(TimelineEntry, ["at"], rows, key="lead_id")


def _progress(lead, created, rng, as_of, actor) -> None:
    age = (as_of - created).days
    roll = rng.randrange(100)  # percent
    if age < 30 and roll < 70:
        if roll < 30:
            leads.lead_set_status(lead=lead, status_code="contacted", actor=actor)
        return
    if roll < 45:
        result = qualify.lead_qualify(
            lead=lead, actor=actor, ignore_duplicates=True,
            opportunities=[qualify.OpportunitySpec(
                topic=lead.topic, close_date=created + timedelta(days=rng.randint(30, 150)))]
            + ([qualify.OpportunitySpec(topic="Service agreement",
                                        estimated_revenue=Decimal(rng.randrange(
                                            10_000, 120_000, 5_000)))]
               if rng.randrange(100) < 20 else []))
        for opportunity in result.opportunities:
            if opportunity.close_date and opportunity.close_date < as_of:
                won = rng.randrange(100) < 40
                opportunities.opportunity_close(opportunity=opportunity, won=won,
                                                on=opportunity.close_date, actor=actor)
    elif roll < 80:
        leads.lead_disqualify(lead=lead, actor=actor, status_code=rng.choice(
            ["lost", "cannot_contact", "no_longer_interested", "canceled"]))
    elif roll < 90:
        leads.lead_set_status(lead=lead, status_code="contacted", actor=actor)


def _duplicate(entity, source: Lead, rng, actor) -> None:
    """The same person typed again: a nickname or a typo, the phone written another way."""
    source.refresh_from_db()
    first = {"Kari": "Karin", "Lars": "Lasse", "Erik": "Eirik", "Nils": "Niels"}.get(
        source.first_name, source.first_name)
    last = source.last_name
    if rng.randrange(2) and len(last) > 3:
        last = last[:-2] + last[-1] + last[-2]  # two letters swapped
    digits = "".join(c for c in source.business_phone if c.isdigit())
    leads.lead_create(legal_entity=entity, actor=actor, ignore_duplicates=True,
                      topic=source.topic, first_name=first, last_name=last,
                      company_name=source.company_name.replace(" AS", "").replace(" ApS", ""),
                      email=source.email if rng.randrange(2) else "",
                      business_phone=f"00{digits}", country=source.country,
                      source="Web form", owner=source.owner)


def pipeline_counts() -> dict:
    return {"leads": Lead.objects.count(), "opportunities": Opportunity.objects.count()}
