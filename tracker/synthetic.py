"""Synthetic data for load tests and the benchmark (bench/): a deterministic, realistic dataset
that can never be mistaken for real data and is removed with one command.

Everything it creates is marked three ways: slugs start with "synthetic-", names and titles
end with "(synthetic)", and every summit, proposal, outcome and status update cites the one
source "Synthetic data — not real" (slug "synthetic-data"). remove() deletes exactly those
records, and nothing a person entered.

The same seed and the same `today` give the same records (their primary keys aside): every
random choice comes from one random.Random(seed), drawn in a fixed order.

Rows are written with bulk_create, which skips save() and signals: relative deadlines are
computed here with add_period(), the stored current status is set afterwards with
refresh_status() (the model's one rule), and the audit trail (django-simple-history) records
nothing, which is what synthetic data wants. Every record is written published, a few days
after its summit or its entry, with the publication log's event for it, so that pages read
"as the tracker showed it on day D" do the work they do on real data.
"""

import datetime
import random
import time
from collections import Counter
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone

from actors.models import Actor, ActorKind, Source, SourceKind
from core.changes import changed, changes
from core.dates import DatePrecision, PeriodUnit, add_period
from core.models import PublicationAction, PublicationEvent
from core.publishing import Publishable
from outcomes.models import (
    FollowUp,
    FollowUpChange,
    FollowUpKind,
    FollowUpStatus,
    Outcome,
    OutcomeOrigin,
    OutcomeParty,
    OutcomeType,
    PartyRole,
    Status,
    StatusUpdate,
)
from summits.models import (
    Evidence,
    ParticipantRole,
    Participation,
    Proposal,
    ProposalKind,
    Summit,
    SummitKind,
    Theme,
)

SLUG_PREFIX = "synthetic-"
MARK = "(synthetic)"
SOURCE_SLUG = "synthetic-data"
SOURCE_TITLE = "Synthetic data — not real"

OUTCOMES_PER_CHUNK = 2_000  # outcomes written (with everything they own) per round
BATCH_SIZE = 2_000  # rows per INSERT

Log = Callable[[str], None]


class AlreadyLoaded(Exception):
    """Synthetic data is already in the database: remove it before generating again."""


def synthetic_outcomes():
    return Outcome.objects.filter(slug__startswith=SLUG_PREFIX, title__endswith=MARK)


def synthetic_summits():
    return Summit.objects.filter(slug__startswith=SLUG_PREFIX, name__endswith=MARK)


def synthetic_actors():
    return Actor.objects.filter(slug__startswith=SLUG_PREFIX, name__endswith=MARK)


def is_loaded() -> bool:
    return (
        Source.objects.filter(slug=SOURCE_SLUG).exists()
        or synthetic_outcomes().exists()
        or synthetic_summits().exists()
        or synthetic_actors().exists()
    )


# --- Words ---------------------------------------------------------------------------------

# Word lists, kept compact rather than one word per line.
# fmt: off
_SYLLABLES = ["ka", "lo", "mi", "ra", "ve", "to", "sa", "ne", "bor", "dan", "il", "ur", "ia",
              "stan", "mar", "gel", "tun", "rho", "vic", "pal", "zen", "dor"]
_FIRST_NAMES = ["Ana", "Boris", "Chen", "Dewi", "Elif", "Farid", "Grace", "Hiro", "Ines",
                "Jonas", "Kamal", "Lena", "Min-jun", "Noor"]
_LAST_NAMES = ["Abe", "Bauer", "Costa", "Dlamini", "Endo", "Fischer", "Gupta", "Haddad",
               "Ivanova", "Jung", "Kaya", "Lim", "Moreau"]
_CITIES = ["Ardenholm", "Belvista", "Calderon", "Dunmere", "Eastport", "Fairhaven", "Glenrock",
           "Highmoor", "Ironbridge", "Juniper Bay", "Kestrel", "Lowmarsh", "Marrowgate",
           "Northwick", "Oakhaven", "Portsea", "Queensferry", "Riverton", "Stonecross",
           "Thornbury", "Umberfield", "Valehaven", "Westerly"]
# fmt: on
_REGIONS = ["the peninsula", "the northern border", "the strait", "the river basin", "the coast"]
_POSTS = ["Foreign Minister", "Vice Foreign Minister", "Special Envoy", "Prime Minister"]

_THEME_WORDS = {
    Theme.MILITARY_SECURITY: "military tension",
    Theme.DENUCLEARISATION: "denuclearisation",
    Theme.COMMUNICATION: "communication channels",
    Theme.HUMANITARIAN: "humanitarian aid",
    Theme.FAMILY_REUNIFICATION: "family reunions",
    Theme.ECONOMIC: "economic cooperation",
    Theme.CULTURAL: "cultural exchange",
    Theme.DIPLOMATIC: "diplomatic dialogue",
    Theme.HUMAN_RIGHTS: "human rights",
    Theme.REGIONAL_ARCHITECTURE: "regional institutions",
    Theme.PEACEKEEPING: "peacekeeping",
    Theme.HISTORICAL: "historical grievances",
}

# Per outcome type: title patterns ({a}, {b}: parties; {theme}; {city}; {region}).
_TITLES = {
    OutcomeType.COMMUNICATION_CHANNEL: [
        "Hotline between {a} and {b}",
        "Military communication line across {region}",
        "Crisis communication channel on {theme}",
    ],
    OutcomeType.HUMANITARIAN_FRAMEWORK: [
        "Food aid framework for {region}",
        "Medical aid corridor agreed by {a}",
        "Disaster relief coordination on {theme}",
    ],
    OutcomeType.FOLLOW_UP_TALKS: [
        "Follow-up talks in {city}",
        "Ministerial meeting on {theme} within a year",
        "Working-level talks between {a} and {b}",
    ],
    OutcomeType.INSTITUTION: [
        "Joint secretariat on {theme}",
        "Standing commission on {theme} in {city}",
        "Monitoring mechanism for {region}",
    ],
    OutcomeType.PEOPLE_TO_PEOPLE: [
        "Student exchange between {a} and {b}",
        "Family reunion events in {city}",
        "Cultural festival on {theme}",
    ],
    OutcomeType.SECURITY_COOPERATION: [
        "Joint maritime patrols in {region}",
        "De-escalation zone along {region}",
        "Arms control verification by {a}",
    ],
    OutcomeType.ECONOMIC_COOPERATION: [
        "Trade facilitation between {a} and {b}",
        "Energy infrastructure investment in {region}",
        "Customs cooperation on {theme}",
    ],
    OutcomeType.DECLARATION: [
        "Joint declaration on {theme}",
        "Statement by {a} and {b} on peace in {region}",
    ],
    OutcomeType.OTHER: ["Shared research programme on {theme}", "Expert panel in {city}"],
}

# How a status tends to move at the next update (weights), so that histories progress:
# most outcomes start slowly, some get implemented, some stall or are reversed.
_NEXT_STATUS = {
    Status.NOT_STARTED: {Status.NOT_STARTED: 4, Status.IN_PROGRESS: 5, Status.STALLED: 1},
    Status.IN_PROGRESS: {
        Status.IN_PROGRESS: 40,
        Status.PARTIALLY_IMPLEMENTED: 35,
        Status.STALLED: 15,
        Status.REVERSED: 5,
        Status.IMPLEMENTED: 5,
    },
    Status.PARTIALLY_IMPLEMENTED: {
        Status.PARTIALLY_IMPLEMENTED: 50,
        Status.IMPLEMENTED: 30,
        Status.STALLED: 15,
        Status.REVERSED: 5,
    },
    Status.IMPLEMENTED: {Status.IMPLEMENTED: 85, Status.REVERSED: 10, Status.SUPERSEDED: 5},
    Status.STALLED: {
        Status.STALLED: 50,
        Status.IN_PROGRESS: 30,
        Status.REVERSED: 15,
        Status.SUPERSEDED: 5,
    },
    Status.REVERSED: {Status.REVERSED: 8, Status.IN_PROGRESS: 2},
    Status.SUPERSEDED: {Status.SUPERSEDED: 1},
}
_PROGRESS = {
    Status.NOT_STARTED: (0, 0),
    Status.IN_PROGRESS: (5, 40),
    Status.PARTIALLY_IMPLEMENTED: (40, 90),
    Status.IMPLEMENTED: (100, 100),
}


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _at(date: datetime.date, rng: random.Random) -> datetime.datetime:
    """A working-hours moment on date, in UTC."""
    moment = datetime.time(rng.randint(7, 18), rng.randint(0, 59))
    return datetime.datetime.combine(date, moment, tzinfo=datetime.UTC)


class _Writer:
    """bulk_create with a running count per model, for the summary; a published record's
    event in the publication log is written with it."""

    def __init__(self):
        self.created: Counter = Counter()

    def create(self, model, rows: list) -> list:
        if rows:
            model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            self.created[model._meta.label] += len(rows)
            if issubclass(model, Publishable):
                self.log_publication(model, rows)
        return rows

    def log_publication(self, model, rows: list) -> None:
        content_type = ContentType.objects.get_for_model(model)
        events = [
            PublicationEvent(
                content_type=content_type,
                object_id=row.pk,
                action=PublicationAction.PUBLISHED,
                at=row.published_at,
                version=getattr(row, "version", None),
            )
            for row in rows
        ]
        self.create(PublicationEvent, events)

    def cite(self, m2m_field, owners: list, source: Source) -> None:
        """Every owner cites the synthetic source: through rows written in bulk."""
        through, field = m2m_field.through, m2m_field.field
        owner, cited = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        self.create(through, [through(**{owner: o.pk, cited: source.pk}) for o in owners])


class _Generator:
    def __init__(self, rng: random.Random, today: datetime.date, log: Log):
        self.rng = rng
        # The parties' assessments draw from a generator of their own, so that adding them
        # left every other record of a seed as it was.
        self.party_rng = random.Random(rng.random())
        self.today = today
        # No date after yesterday: effective dates may not lie in the future, and every
        # timestamp (a working hour of that day at the latest) is then in the past.
        self.last_day = today - datetime.timedelta(days=1)
        self.log = log
        self.write = _Writer()
        self.started = time.monotonic()

    def progress(self, what: str, done: int, total: int | None = None) -> None:
        count = f"{done:,}/{total:,}" if total is not None else f"{done:,}"
        self.log(f"{what} {count} ({time.monotonic() - self.started:.0f} s)")

    # --- Actors, summits, participants, proposals ------------------------------------------

    def name(self) -> str:
        return "".join(self.rng.sample(_SYLLABLES, self.rng.randint(2, 3))).capitalize()

    def actors(self, count: int) -> tuple[list[Actor], list[Actor]]:
        """States, organisations, groupings and collective voices (the ones that attend),
        then people, each belonging to a state. Returns (attending actors, people)."""
        rng = self.rng
        kinds = {
            ActorKind.STATE: 45,
            ActorKind.ORGANISATION: 20,
            ActorKind.GROUPING: 5,
            ActorKind.GOVERNMENT_BODY: 5,
            ActorKind.COLLECTIVE: 5,
            ActorKind.PERSON: 20,
        }
        planned = [_pick(rng, kinds) for _ in range(count)]
        planned[0] = ActorKind.STATE  # people and summits need at least one state
        attending, people = [], []
        for i, kind in enumerate(planned, start=1):
            if kind == ActorKind.PERSON:
                name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
            elif kind == ActorKind.STATE:
                name = f"Republic of {self.name()}"
            elif kind == ActorKind.COLLECTIVE:
                name = f"{self.name()} media"
            else:
                name = f"{self.name()} {rng.choice(['Council', 'Union', 'Forum', 'Agency'])}"
            actor = Actor(
                name=f"{name} {MARK}",
                slug=f"{SLUG_PREFIX}actor-{i}",
                kind=kind,
                description=f"An invented {kind.label.lower()} for synthetic data; not real.",
            )
            (people if kind == ActorKind.PERSON else attending).append(actor)
        self.write.create(Actor, attending)
        states = [a for a in attending if a.kind == ActorKind.STATE]
        for person in people:
            person.country = rng.choice(states)
        self.write.create(Actor, people)
        self.progress("actors", count)
        return attending, people

    def summits(self, count: int, attending: list[Actor], people: list[Actor]):
        """Summits over the last twelve years, each with participants (popular actors come
        often) and proposals. Returns [(summit, participant actors, proposals)]."""
        rng = self.rng
        states = [a for a in attending if a.kind == ActorKind.STATE]
        # Zipf-like popularity: a few actors attend most summits, as great powers do.
        popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(attending))]
        people_of = {}
        for person in people:
            people_of.setdefault(person.country_id, []).append(person)

        summits, participations, proposals, plans = [], [], [], []
        for i in range(1, count + 1):
            start = self.today - datetime.timedelta(days=rng.randint(30, 12 * 365))
            size = min(len(attending), rng.randint(2, 8))
            chosen: list[Actor] = []
            while len(chosen) < size:
                actor = rng.choices(attending, weights=popularity)[0]
                if actor not in chosen:
                    chosen.append(actor)
            host = chosen[0]
            theme = rng.choice(list(Theme))
            city = rng.choice(_CITIES)
            summit = Summit(
                name=f"{city} summit on {_THEME_WORDS[theme]}, {start.year} {MARK}",
                slug=f"{SLUG_PREFIX}summit-{i}",
                kind=rng.choice(list(SummitKind)),
                start_date=start,
                start_date_precision=DatePrecision.DAY,
                end_date=start + datetime.timedelta(days=rng.choice([0, 0, 1, 2])),
                city=city,
                country=host if host.kind == ActorKind.STATE else rng.choice(states),
                host=host,
                summary=f"An invented summit on {_THEME_WORDS[theme]} in {city}, for "
                "synthetic data; it never took place.",
            )
            # What a summit lists is published with it, the morning after it ends (no
            # random draw: the rest of the dataset stays what the seed always gave).
            summit.published_at = datetime.datetime.combine(
                min(summit.end_date + datetime.timedelta(days=1), self.last_day),
                datetime.time(9),
                tzinfo=datetime.UTC,
            )
            summits.append(summit)
            roles = [ParticipantRole.HOST] + [
                _pick(
                    rng,
                    {
                        ParticipantRole.PARTY: 6,
                        ParticipantRole.MEDIATOR: 1,
                        ParticipantRole.OBSERVER: 2,
                        ParticipantRole.ENVOY: 1,
                    },
                )
                for _ in chosen[1:]
            ]
            for actor, role in zip(chosen, roles, strict=True):
                heads = people_of.get(actor.pk, [])
                head = rng.choice(heads) if heads and rng.random() < 0.4 else None
                participations.append(
                    Participation(
                        summit=summit,
                        actor=actor,
                        role=role,
                        delegation_head=head,
                        delegation_head_title=rng.choice(_POSTS) if head else "",
                        published_at=summit.published_at,
                    )
                )
            summit_proposals = []
            for order in range(1, rng.randint(2, 6) + 1):
                topic = rng.choice(list(Theme))
                summit_proposals.append(
                    Proposal(
                        actor=rng.choice(chosen),
                        summit=summit,
                        kind=rng.choice(list(ProposalKind)),
                        theme=topic,
                        title=f"Progress on {_THEME_WORDS[topic]} {MARK}",
                        text=f"An invented proposal on {_THEME_WORDS[topic]}; not real.",
                        order=order,
                        published_at=summit.published_at,
                    )
                )
            proposals.extend(summit_proposals)
            plans.append((summit, chosen, summit_proposals))
        self.write.create(Summit, summits)
        self.write.create(Participation, participations)
        self.write.create(Proposal, proposals)
        self.progress("summits", count)
        return plans

    # --- Outcomes and what they own ----------------------------------------------------------

    def outcomes(self, total: int, plans, updates_per_outcome: int, source: Source) -> None:
        """Spread total outcomes over the summits (a few summits agree many), and write them
        a chunk of summits at a time, so that memory stays flat whatever the total."""
        rng = self.rng
        weights = [rng.lognormvariate(0, 0.7) for _ in plans]
        per_summit = Counter(rng.choices(range(len(plans)), weights=weights, k=total))
        chunk = _Chunk()
        number = done = 0
        for index, (summit, actors, proposals) in enumerate(plans):
            top_level: list[Outcome] = []
            child_orders: Counter = Counter()
            for _ in range(per_summit[index]):
                number += 1
                parent = None
                if top_level and rng.random() < 0.15:
                    parent = rng.choice(top_level[-5:])
                    child_orders[parent.slug] += 1
                outcome = self.outcome(number, summit, actors, parent, len(top_level) + 1)
                if parent is None:
                    top_level.append(outcome)
                    chunk.top_level.append(outcome)
                else:
                    outcome.order = child_orders[parent.slug]
                    chunk.children.append(outcome)
                parties = self.parties(chunk, outcome, actors)
                self.origins(chunk, outcome, proposals)
                rulings = self.updates(chunk, outcome, summit, updates_per_outcome)
                self.assessments(chunk, outcome, parties, rulings)
                if parent is None and rng.random() < 0.25:
                    self.follow_up(chunk, outcome, summit)
            # A summit's outcomes are written together: children need their parent's pk.
            if len(chunk) >= OUTCOMES_PER_CHUNK or index == len(plans) - 1:
                done += len(chunk)
                self.flush(chunk, source)
                self.progress("outcomes", done, total)
                chunk = _Chunk()

    def outcome(self, number, summit, actors, parent, order) -> Outcome:
        rng = self.rng
        kind = rng.choice(list(OutcomeType))
        theme = _THEME_WORDS[rng.choice(list(Theme))]
        a, b = (actors * 2)[:2] if len(actors) < 2 else rng.sample(actors, 2)
        words = {
            "a": a.name.removesuffix(f" {MARK}"),
            "b": b.name.removesuffix(f" {MARK}"),
            "theme": theme,
            "city": rng.choice(_CITIES),
            "region": rng.choice(_REGIONS),
        }
        title = rng.choice(_TITLES[kind]).format(**words)
        outcome = Outcome(
            summit=summit,
            parent=parent,
            order=order,
            title=f"{title[:180]} {MARK}",
            slug=f"{SLUG_PREFIX}outcome-{number}",
            type=kind,
            description=f"The parties agreed on {title[0].lower()}{title[1:]}, to address "
            f"{theme} in {words['region']}. Invented for synthetic data; not real.",
            published_at=_at(min(summit.end_date + datetime.timedelta(days=2), self.last_day), rng),
        )
        roll = rng.random()
        if roll < 0.3:  # a fixed date, sometimes known only to the month
            due = summit.start_date + datetime.timedelta(days=rng.randint(30, 900))
            if rng.random() < 0.2:
                outcome.due_date = due.replace(day=1)
                outcome.due_date_precision = DatePrecision.MONTH
            else:
                outcome.due_date, outcome.due_date_precision = due, DatePrecision.DAY
        elif roll < 0.55:  # "within six months of the summit": computed as Deadline does
            amount, unit = rng.choice(
                [
                    (30, PeriodUnit.DAYS),
                    (90, PeriodUnit.DAYS),
                    (6, PeriodUnit.MONTHS),
                    (12, PeriodUnit.MONTHS),
                    (2, PeriodUnit.YEARS),
                ]
            )
            outcome.due_within, outcome.due_within_unit = amount, unit
            outcome.deadline_text = f"within {amount} {unit.label}"
            outcome.due_date = add_period(summit.anchor_date, amount, unit)
            outcome.due_date_precision = summit.start_date_precision
        return outcome

    def parties(self, chunk, outcome, actors) -> list[OutcomeParty]:
        rng = self.rng
        bound = rng.sample(actors, min(len(actors), rng.choice([1, 2, 2, 3, 3, 4])))
        first = len(chunk.parties)
        for i, actor in enumerate(bound):
            role = PartyRole.RESPONSIBLE if i == 0 else rng.choice(list(PartyRole))
            evidence = Evidence.STATED if rng.random() < 0.8 else Evidence.INFERRED
            chunk.parties.append(
                OutcomeParty(
                    outcome=outcome,
                    actor=actor,
                    role=role,
                    evidence=evidence,
                    published_at=outcome.published_at,
                )
            )
        return chunk.parties[first:]

    def origins(self, chunk, outcome, proposals) -> None:
        rng = self.rng
        roll = rng.random()
        count = 2 if roll < 0.1 else 1 if roll < 0.6 else 0
        for proposal in rng.sample(proposals, min(count, len(proposals))):
            chunk.origins.append(
                OutcomeOrigin(outcome=outcome, proposal=proposal, published_at=outcome.published_at)
            )

    def updates(self, chunk, outcome, summit, count: int) -> list[StatusUpdate]:
        """count dated entries from the summit to yesterday, the status moving as
        _NEXT_STATUS says; in 3% of outcomes the last entry corrects the one before. Returns
        them, but for the correction."""
        if count == 0:
            return []
        rng = self.rng
        span = (self.last_day - summit.start_date).days
        days = sorted(rng.randint(0, span) for _ in range(count))
        correcting = count >= 2 and rng.random() < 0.03
        status = rng.choice([Status.NOT_STARTED, Status.IN_PROGRESS])
        progress = 0
        entries = []
        for i, offset in enumerate(days):
            if i:
                status = _pick(rng, _NEXT_STATUS[status])
            low, high = _PROGRESS.get(status, (progress, progress))
            progress = rng.randint(max(low, min(progress, high)), high)
            effective = summit.start_date + datetime.timedelta(days=offset)
            precision = DatePrecision.DAY
            roll = rng.random()
            if roll < 0.1 and effective.replace(day=1) >= summit.start_date:
                effective, precision = effective.replace(day=1), DatePrecision.MONTH
            elif roll < 0.15:
                precision = DatePrecision.ON_OR_BEFORE
            recorded = _at(
                min(effective + datetime.timedelta(days=rng.randint(0, 20)), self.last_day), rng
            )
            entries.append(
                StatusUpdate(
                    outcome=outcome,
                    status=status,
                    effective_date=effective,
                    effective_date_precision=precision,
                    summary=f"{status.label}: reported in the synthetic dataset; not real.",
                    progress=None if status not in _PROGRESS else progress,
                    recorded_at=recorded,
                    published_at=recorded + datetime.timedelta(hours=rng.randint(1, 48)),
                )
            )
        if correcting:
            wrong, fix = entries[-2], entries[-1]
            fix.corrects = wrong
            fix.effective_date = wrong.effective_date
            fix.effective_date_precision = wrong.effective_date_precision
            fix.status = rng.choice([s for s in Status if s != wrong.status])
            fix.progress = None
            fix.summary = f"Correction: {fix.status.label}; the earlier entry misread the source."
            fix.recorded_at = max(fix.recorded_at, wrong.recorded_at) + datetime.timedelta(hours=1)
            fix.published_at = fix.recorded_at + datetime.timedelta(hours=1)
            chunk.corrections.append(entries.pop())
        chunk.updates.extend(entries)
        return entries

    def assessments(self, chunk, outcome, parties, rulings) -> None:
        """For about half the responsible parties, an assessment of their side beside some
        of the outcome's own entries: on the same day or up to ten days later, in the same
        status or the next one _NEXT_STATUS makes likely."""
        rng = self.party_rng
        for party in (p for p in parties if p.role == PartyRole.RESPONSIBLE):
            if not rulings or rng.random() < 0.5:
                continue
            for ruling in rulings:
                if rng.random() < 0.5:
                    continue
                status = (
                    ruling.status if rng.random() < 0.6 else _pick(rng, _NEXT_STATUS[ruling.status])
                )
                effective = min(
                    ruling.effective_date + datetime.timedelta(days=rng.randint(0, 10)),
                    self.last_day,
                )
                recorded = max(ruling.recorded_at, _at(effective, rng))
                chunk.assessments.append(
                    StatusUpdate(
                        outcome=outcome,
                        party=party,
                        status=status,
                        effective_date=effective,
                        effective_date_precision=DatePrecision.DAY,
                        summary=f"{status.label} for this party: synthetic dataset; not real.",
                        recorded_at=recorded,
                        published_at=recorded + datetime.timedelta(hours=rng.randint(1, 48)),
                    )
                )

    def follow_up(self, chunk, outcome, summit) -> None:
        """A follow-up due within two years of the summit, in a state its date makes likely;
        every change from "scheduled" is kept as a FollowUpChange, as record_change() does."""
        rng = self.rng
        due = summit.start_date + datetime.timedelta(days=rng.randint(60, 730))
        kind = rng.choice(list(FollowUpKind))
        follow_up = FollowUp(
            outcome=outcome,
            kind=kind,
            title=f"{kind.label} on “{outcome.title.removesuffix(f' {MARK}')[:120]}” {MARK}",
            location=rng.choice(_CITIES),
            due_date=due,
            due_date_precision=DatePrecision.DAY,
            published_at=outcome.published_at,
        )
        if due >= self.today:
            states = {FollowUpStatus.SCHEDULED: 80, FollowUpStatus.CANCELLED: 10}
        else:
            states = {
                FollowUpStatus.HELD: 50,
                FollowUpStatus.SCHEDULED: 20,  # overdue
                FollowUpStatus.MISSED: 15,
                FollowUpStatus.POSTPONED: 10,
                FollowUpStatus.CANCELLED: 5,
            }
        status = _pick(rng, states)
        change = FollowUpChange(
            follow_up=follow_up,
            status=status,
            previous_status=FollowUpStatus.SCHEDULED,
            previous_due_date=due,
            previous_due_date_precision=DatePrecision.DAY,
            note="Invented for synthetic data; not real.",
            recorded_at=_at(min(due, self.last_day), rng),
        )
        change.published_at = change.recorded_at + datetime.timedelta(hours=1)
        if status == FollowUpStatus.HELD:
            held = min(due + datetime.timedelta(days=rng.randint(-10, 10)), self.last_day)
            follow_up.held_on = change.date = max(held, summit.start_date)
            change.date_precision = DatePrecision.DAY
        elif status == FollowUpStatus.POSTPONED:
            # Postponed to a date after today: the old one stays in the change.
            follow_up.due_date = change.date = self.today + datetime.timedelta(
                days=rng.randint(1, 365)
            )
            change.date_precision = DatePrecision.DAY
        follow_up.status = status
        chunk.follow_ups.append(follow_up)
        if status != FollowUpStatus.SCHEDULED:
            chunk.changes.append(change)

    def flush(self, chunk: "_Chunk", source: Source) -> None:
        write = self.write
        write.create(Outcome, chunk.top_level)
        write.create(Outcome, chunk.children)
        outcomes = chunk.top_level + chunk.children
        write.cite(Outcome.sources, outcomes, source)
        write.create(OutcomeParty, chunk.parties)
        write.create(OutcomeOrigin, chunk.origins)
        write.create(StatusUpdate, chunk.updates)
        write.create(StatusUpdate, chunk.corrections)  # after the entries they correct
        write.create(StatusUpdate, chunk.assessments)  # after the parties they assess
        entries = chunk.updates + chunk.corrections + chunk.assessments
        write.cite(StatusUpdate.sources, entries, source)
        write.create(FollowUp, chunk.follow_ups)
        write.create(FollowUpChange, chunk.changes)
        # The stored status by the model's own rule: one UPDATE for the chunk.
        Outcome.objects.filter(pk__in=[o.pk for o in outcomes]).refresh_status()


class _Chunk:
    """The rows of one round of outcomes, in the order they are written."""

    def __init__(self):
        self.top_level: list[Outcome] = []
        self.children: list[Outcome] = []
        self.parties: list[OutcomeParty] = []
        self.origins: list[OutcomeOrigin] = []
        self.updates: list[StatusUpdate] = []
        self.corrections: list[StatusUpdate] = []
        self.assessments: list[StatusUpdate] = []
        self.follow_ups: list[FollowUp] = []
        self.changes: list[FollowUpChange] = []

    def __len__(self):
        return len(self.top_level) + len(self.children)


def generate(
    *,
    outcomes: int,
    updates_per_outcome: int = 10,
    seed: int = 1,
    today: datetime.date | None = None,
    log: Log = print,
) -> Counter:
    """Create the synthetic dataset in one transaction; return the rows created per model.
    Raises AlreadyLoaded if synthetic data is already there."""
    if is_loaded():
        raise AlreadyLoaded(
            "Synthetic data is already loaded; remove it first with "
            "`manage.py generate_synthetic --remove`."
        )
    today = today or timezone.localdate()
    generator = _Generator(random.Random(seed), today, log)
    with changes():
        source = Source(
            title=SOURCE_TITLE,
            slug=SOURCE_SLUG,
            kind=SourceKind.OTHER,
            published_on=today,
            note="Every record citing this source was invented by generate_synthetic for "
            "load tests. None of it is real.",
        )
        generator.write.create(Source, [source])
        attending, people = generator.actors(max(30, min(600, outcomes // 200)))
        plans = generator.summits(max(3, outcomes // 20), attending, people)
        generator.write.cite(Summit.sources, [plan[0] for plan in plans], source)
        generator.write.cite(Proposal.sources, [p for plan in plans for p in plan[2]], source)
        generator.outcomes(outcomes, plans, updates_per_outcome, source)
        changed()  # bulk_create sends no signals: cached figures must go stale
    _analyze()
    generator.log(f"done ({time.monotonic() - generator.started:.0f} s)")
    return generator.write.created


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as an operator would: without
    them PostgreSQL plans the first queries for empty tables until autovacuum catches up."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Removal -----------------------------------------------------------------------------


def _removal_steps() -> list[tuple[str, models.QuerySet]]:
    """What remove() deletes, dependants before what they depend on (the foreign keys
    protect): everything owned by a synthetic outcome, summit or actor, then those."""
    outcomes = synthetic_outcomes()
    summits = synthetic_summits()
    actors = synthetic_actors()
    updates = StatusUpdate.objects.filter(outcome__in=outcomes)
    follow_ups = FollowUp.objects.filter(outcome__in=outcomes)
    changes = FollowUpChange.objects.filter(follow_up__in=follow_ups)
    proposals = Proposal.objects.filter(summit__in=summits, title__endswith=MARK)
    return [
        (
            "follow-up change sources",
            FollowUpChange.sources.through.objects.filter(followupchange__in=changes),
        ),
        ("follow-up changes", changes),
        ("follow-up sources", FollowUp.sources.through.objects.filter(followup__in=follow_ups)),
        ("follow-ups", follow_ups),
        (
            "status update sources",
            StatusUpdate.sources.through.objects.filter(statusupdate__in=updates),
        ),
        ("status update corrections", updates.filter(corrects__isnull=False)),
        ("status updates", updates),
        ("outcome parties", OutcomeParty.objects.filter(outcome__in=outcomes)),
        ("outcome origins", OutcomeOrigin.objects.filter(outcome__in=outcomes)),
        ("outcome sources", Outcome.sources.through.objects.filter(outcome__in=outcomes)),
        ("sub-commitments", outcomes.filter(parent__isnull=False)),
        ("outcomes", outcomes),
        ("proposal sources", Proposal.sources.through.objects.filter(proposal__in=proposals)),
        ("proposals", proposals),
        ("participants", Participation.objects.filter(summit__in=summits)),
        ("summit sources", Summit.sources.through.objects.filter(summit__in=summits)),
        ("summits", summits),
        ("people", actors.filter(country__isnull=False)),
        ("actors", actors),
        ("the synthetic source", Source.objects.filter(slug=SOURCE_SLUG)),
    ]


def remove(log: Log = print) -> Counter:
    """Delete every synthetic record, and their audit trail if anyone edited one, in one
    transaction; return the rows deleted per step.

    Plain DELETE statements (QuerySet._raw_delete): QuerySet.delete() would load every row
    to send signals and write a "deleted" entry per row to the audit trail, hours for a
    million status updates. A real record that points to a synthetic one makes the database
    refuse, and nothing is deleted."""
    started = time.monotonic()
    deleted: Counter = Counter()
    with changes():
        for label, queryset in _removal_steps():
            model = queryset.model
            history = getattr(model, "history", None)
            if history is not None:
                trail = history.filter(id__in=queryset.values("pk"))
                trail._raw_delete(trail.db)
            if issubclass(model, Publishable):
                # The one exception to an append-only log: invented records leave with
                # their events, so that the log holds only what real records went through.
                events = PublicationEvent.objects.filter(
                    content_type=ContentType.objects.get_for_model(model),
                    object_id__in=queryset.values("pk"),
                )
                events._raw_delete(events.db)
            deleted[label] = queryset._raw_delete(queryset.db)
            log(f"{label}: {deleted[label]:,} deleted ({time.monotonic() - started:.0f} s)")
        # The foreign keys are checked at commit (Django declares them deferred): check
        # them now, so that the refusal surfaces here, inside the transaction, as well.
        log("checking that nothing else refers to what was deleted")
        connection.check_constraints()
        log(f"checked ({time.monotonic() - started:.0f} s)")
        changed()  # plain DELETEs send no signals
    return deleted
