"""Synthetic data for load tests and the benchmark (bench/): a deterministic, realistic dataset
that can never be mistaken for real data and is removed with one command.

Everything it creates is marked three ways: slugs start with "synthetic-", names and titles
end with "(synthetic)", and every summit, proposal, outcome and status update cites the one
source "Synthetic data — not real" (slug "synthetic-data"). Records with neither slug nor
name (claims, conditions, links across summits) cite that source, say so in their words, and
belong to synthetic outcomes. remove() deletes exactly those records, and nothing a person
entered.

Beyond outcomes and their histories (issue 14): summits form series (follows_up chains),
each series in a process; some outcomes carry claims of their status by parties or state
media; some wait on an outcome of an earlier summit of their process (conditions), a few on
each other (reciprocal pairs); some outcomes of a follow-up summit reaffirm or implement one
of the summit it follows up, and every outcome given the status "superseded" is superseded
by an outcome of a later summit. For the benchmark there is always one 10-step lineage
(11 outcomes across 11 summits of one series) and one chain of conditions 5 deep, given at
least 11 summits with outcomes (about 250 outcomes). Conditions are written in bulk, past
the cycle check of Condition.save(): they are acyclic by construction, every "requires"
pointing to an outcome of an earlier summit (by date, then generation order), and each
reciprocal pair joining two outcomes that no other condition names.

The same seed and the same `today` give the same records (their primary keys aside): every
random choice comes from random generators seeded from the seed alone, drawn in a fixed order.

Rows are written with bulk_create, which skips save() and signals: relative deadlines are
computed here with add_period(), the stored current status is set afterwards with
refresh_status() (the model's one rule), and the audit trail (django-simple-history) records
nothing, which is what synthetic data wants. Every record is written published, a few days
after its summit or its entry, with the publication log's event for it, so that pages read
"as the tracker showed it on day D" do the work they do on real data.
"""

import bisect
import datetime
import random
import time
from collections import Counter, defaultdict
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
    Claim,
    Condition,
    ConditionKind,
    FollowUp,
    FollowUpChange,
    FollowUpKind,
    FollowUpStatus,
    LinkKind,
    Outcome,
    OutcomeLink,
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
    Process,
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

# Issue 14's records, and how often. Most summits of a real tracker continue a series (the
# rounds of talks, the yearly summits); a minority stand alone.
STANDALONE = 0.3  # summits in no series and no process
TWO_SERIES = 0.1  # processes with two series (a leaders' and a ministers' track)
CLAIMED = 0.08  # outcomes with 1-3 claims of their status
DISPUTED = 0.5  # claims naming another status than the ruling of their day
WITHDRAWN = 0.1  # claimants who later withdraw their claim
REQUIRES = 0.03  # outcomes waiting on one of an earlier summit of their process
RECIPROCAL = 0.01  # outcomes in a reciprocal pair, as the side recorded as waiting
TAKEN_UP = 0.1  # a follow-up summit's outcomes that reaffirm or implement an earlier one
LINEAGE_STEPS = 10  # the benchmark's lineage: links, across LINEAGE_STEPS + 1 summits
CHAIN_DEPTH = 5  # the benchmark's chain of conditions

Log = Callable[[str], None]


class AlreadyLoaded(Exception):
    """Synthetic data is already in the database: remove it before generating again."""


def synthetic_outcomes():
    return Outcome.objects.filter(slug__startswith=SLUG_PREFIX, title__endswith=MARK)


def synthetic_summits():
    return Summit.objects.filter(slug__startswith=SLUG_PREFIX, name__endswith=MARK)


def synthetic_actors():
    return Actor.objects.filter(slug__startswith=SLUG_PREFIX, name__endswith=MARK)


def synthetic_processes():
    return Process.objects.filter(slug__startswith=SLUG_PREFIX, name__endswith=MARK)


def is_loaded() -> bool:
    return (
        Source.objects.filter(slug=SOURCE_SLUG).exists()
        or synthetic_outcomes().exists()
        or synthetic_summits().exists()
        or synthetic_actors().exists()
        or synthetic_processes().exists()
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

# What a claimant claims when it is not the ruling: mostly more progress than the tracker
# finds (a party on its own record), sometimes that the other side went back on its word.
_CLAIMED = {
    Status.IMPLEMENTED: 4,
    Status.PARTIALLY_IMPLEMENTED: 3,
    Status.IN_PROGRESS: 2,
    Status.NOT_STARTED: 1,
    Status.STALLED: 1,
    Status.REVERSED: 1,
}
_CLAIM_WORDS = {
    Status.NOT_STARTED: "Nothing has been done yet",
    Status.IN_PROGRESS: "The work is under way",
    Status.PARTIALLY_IMPLEMENTED: "Much of what was agreed has been done",
    Status.IMPLEMENTED: "We have carried out all that was agreed",
    Status.STALLED: "The process has come to a halt",
    Status.REVERSED: "The other side has gone back on its word",
    Status.SUPERSEDED: "This has been overtaken by the new agreement",
}
_CONDITION_WORDS = [
    "“once the other side has taken corresponding measures”",
    "“subject to the full implementation of the earlier agreement”",
    "“in step with the dismantling agreed before”",
    "“after the verification provided for earlier”",
]
_RECIPROCAL_WORDS = [
    "“action for action, each side in step with the other”",
    "“simultaneously, on the principle of reciprocity”",
]
_PROCESS_WORDS = ["peace process", "talks", "dialogue", "process", "framework talks"]


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _at(date: datetime.date, rng: random.Random) -> datetime.datetime:
    """A working-hours moment on date, in UTC."""
    moment = datetime.time(rng.randint(7, 18), rng.randint(0, 59))
    return datetime.datetime.combine(date, moment, tzinfo=datetime.UTC)


def _status_on(entries: list[StatusUpdate], day: datetime.date) -> str:
    """The status of the latest of these entries dated on or before day ("" if none)."""
    dated = (entry for entry in entries if entry.effective_date <= day)
    latest = max(dated, key=lambda entry: (entry.effective_date, entry.recorded_at), default=None)
    return latest.status if latest else ""


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
    def __init__(self, seed: int, today: datetime.date, log: Log):
        self.rng = rng = random.Random(seed)
        # The parties' assessments draw from a generator of their own, so that adding them
        # left every other record of a seed as it was.
        self.party_rng = random.Random(rng.random())
        # So do processes, claims, conditions and links (issue 14), seeded from the seed
        # alone: adding them changed no other record of a seed, but for the few "superseded"
        # entries that no later summit could have replaced (they keep the status before).
        self.added_rng = random.Random(f"{seed}:issue-14")
        self.today = today
        # No date after yesterday: effective dates may not lie in the future, and every
        # timestamp (a working hour of that day at the latest) is then in the past.
        self.last_day = today - datetime.timedelta(days=1)
        self.log = log
        self.write = _Writer()
        self.started = time.monotonic()
        # Kept from the outcomes written, for links and conditions across summits: each
        # summit's top-level outcomes (pks, in generation order), each outcome's first
        # (responsible) party, and the superseded outcomes with the summit that replaced them.
        self.top_level_of: dict[int, list[int]] = defaultdict(list)
        self.first_party: dict[int, int] = {}
        self.replaced_by: list[tuple[int, Summit]] = []

    def progress(self, what: str, done: int, total: int | None = None) -> None:
        count = f"{done:,}/{total:,}" if total is not None else f"{done:,}"
        self.log(f"{what} {count} ({time.monotonic() - self.started:.0f} s)")

    # --- Actors, summits, participants, proposals ------------------------------------------

    def name(self, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        return "".join(rng.sample(_SYLLABLES, rng.randint(2, 3))).capitalize()

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
        # Collective voices ("... media") claim outcomes' statuses, as state media do.
        self.voices = [a for a in attending if a.kind == ActorKind.COLLECTIVE]
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

    # --- Series and processes (issue 14) ----------------------------------------------------

    def processes(self, plans, per_summit: Counter, source: Source) -> None:
        """Summits into series, each summit following up the one before it in date order,
        and each series into a process (TWO_SERIES of them share one with another series).
        First one long series for the benchmark's lineage: LINEAGE_STEPS + 1 summits with
        outcomes or more, spread over the years; then the others, STANDALONE of them in no
        series, the rest in series of two to eight. One bulk UPDATE sets the summits'
        follows_up and process."""
        rng = self.added_rng
        self.summit_list = summits = [plan[0] for plan in plans]
        # Every order across summits is by this key: the date, then the generation order.
        self.key = {summit.pk: (summit.start_date, i) for i, summit in enumerate(summits)}
        by_key = sorted(summits, key=lambda summit: self.key[summit.pk])
        agreeing = [summit for summit in by_key if per_summit[self.key[summit.pk][1]]]
        length = min(len(agreeing), max(LINEAGE_STEPS + 1, len(summits) // 150))
        step = (len(agreeing) - 1) / max(1, length - 1)  # at least 1: no summit twice
        self.long_series = [agreeing[round(k * step)] for k in range(length)]
        series = [self.long_series] if length > 1 else []
        taken = {summit.pk for summit in self.long_series}
        grouped = [s for s in summits if s.pk not in taken and rng.random() >= STANDALONE]
        rng.shuffle(grouped)
        start = 0
        while start < len(grouped):
            size = _pick(rng, {2: 30, 3: 25, 4: 15, 5: 12, 6: 8, 7: 5, 8: 5})
            group = grouped[start : start + size]
            start += size
            if len(group) > 1:  # a last one left over stands alone
                series.append(sorted(group, key=lambda summit: self.key[summit.pk]))
        members: list[list[list[Summit]]] = []
        for group in series:
            if members and len(members[-1]) == 1 and rng.random() < TWO_SERIES:
                members[-1].append(group)
            else:
                members.append([group])

        processes, names = [], set()
        for number, groups in enumerate(members, start=1):
            base = f"{self.name(rng)} {rng.choice(_PROCESS_WORDS)}"
            name, again = base, 1
            while name in names:
                again += 1
                name = f"{base} {again}"
            names.add(name)
            count = sum(len(group) for group in groups)
            processes.append(
                Process(
                    name=f"{name} {MARK}",
                    slug=f"{SLUG_PREFIX}process-{number}",
                    description=f"An invented process of {count} summits, for synthetic data; "
                    "it never took place.",
                    evidence=Evidence.INFERRED if rng.random() < 0.3 else Evidence.STATED,
                    note="Grouped by generate_synthetic; not real.",
                    # Public with its first summit.
                    published_at=min(s.published_at for group in groups for s in group),
                )
            )
        self.write.create(Process, processes)
        self.write.cite(Process.sources, processes, source)
        self.previous: dict[int, Summit] = {}  # a summit's pk -> the summit it follows up
        in_process = []
        for process, groups in zip(processes, members, strict=True):
            for group in groups:
                for before, summit in zip([None, *group], group, strict=False):
                    summit.process, summit.follows_up = process, before
                    if before is not None:
                        self.previous[summit.pk] = before
                    in_process.append(summit)
        Summit.objects.bulk_update(in_process, ["process", "follows_up"], batch_size=BATCH_SIZE)

        # The summits with outcomes in key order, all and per process: where successors and
        # the outcomes conditions wait on are found.
        self.agreeing = agreeing
        self.agreeing_keys = [self.key[summit.pk] for summit in agreeing]
        self.process_agreeing: dict[int, list[Summit]] = defaultdict(list)
        for summit in agreeing:
            if summit.process_id:
                self.process_agreeing[summit.process_id].append(summit)
        self.process_keys = {
            process: [self.key[summit.pk] for summit in summits_of]
            for process, summits_of in self.process_agreeing.items()
        }
        self.progress("processes", len(processes))
        self.progress("summits in a process", len(in_process), len(summits))

    def successor(self, summit: Summit, on: datetime.date) -> Summit | None:
        """A summit with outcomes after `summit` (by key) and on or before `on`, one of whose
        outcomes could have replaced one of summit's: of the same process where one can,
        else any; None if none can."""
        key, end = self.key[summit.pk], (on, len(self.key))
        places = [(self.agreeing_keys, self.agreeing)]
        if summit.process_id:
            process = summit.process_id
            places.insert(0, (self.process_keys[process], self.process_agreeing[process]))
        for keys, summits in places:
            low, high = bisect.bisect_right(keys, key), bisect.bisect_right(keys, end)
            if low < high:
                return summits[self.added_rng.randrange(low, high)]
        return None

    def replaced(self, chunk, outcome, summit, on: datetime.date) -> bool:
        """Whether outcome may be superseded on `on`: a later summit replaces it already, or
        one can (kept for links(), which writes the successor link)."""
        if id(outcome) in chunk.successors:
            return True
        later = self.successor(summit, on)
        if later is not None:
            chunk.successors[id(outcome)] = (outcome, later)
        return later is not None

    def published(self, summit: Summit) -> datetime.datetime:
        """When a record about summit's outcomes was published: days after it, never after
        yesterday."""
        rng = self.added_rng
        day = summit.end_date + datetime.timedelta(days=rng.randint(2, 30))
        return _at(min(day, self.last_day), rng)

    # --- Outcomes and what they own ----------------------------------------------------------

    def spread(self, total: int, plans) -> Counter:
        """How many of total outcomes each summit agrees (by its index in plans): a few
        summits agree many."""
        rng = self.rng
        weights = [rng.lognormvariate(0, 0.7) for _ in plans]
        return Counter(rng.choices(range(len(plans)), weights=weights, k=total))

    def outcomes(self, total, plans, per_summit: Counter, updates_per_outcome, source) -> None:
        """Write the outcomes per_summit spreads, a chunk of summits at a time, so that
        memory stays flat whatever the total."""
        rng = self.rng
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
                assessed = len(chunk.assessments)
                self.assessments(chunk, outcome, parties, rulings)
                sides = chunk.assessments[assessed:]
                self.claims(chunk, outcome, summit, actors, parties, rulings, sides)
                if parent is None and rng.random() < 0.25:
                    self.follow_up(chunk, outcome, summit)
            # A summit's outcomes are written together: children need their parent's pk.
            if len(chunk) >= OUTCOMES_PER_CHUNK or index == len(plans) - 1:
                done += len(chunk)
                self.flush(chunk, source)
                self.progress("outcomes", done, total)
                chunk = _Chunk()
        self.progress("claims", self.write.created[Claim._meta.label])

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
            if status == Status.SUPERSEDED and not self.replaced(chunk, outcome, summit, effective):
                # Nothing later could have replaced it (the rule: a superseded outcome links
                # to its successor): it stays as it was. Its progress is the one before too.
                status = entries[-1].status
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
            if fix.status == Status.SUPERSEDED and not self.replaced(
                chunk, outcome, summit, fix.effective_date
            ):
                fix.status = self.added_rng.choice(
                    [s for s in Status if s not in (wrong.status, Status.SUPERSEDED)]
                )
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
                if status == Status.SUPERSEDED and id(outcome) not in chunk.successors:
                    status = ruling.status  # nothing replaced the outcome, nor a side of it
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

    def claims(self, chunk, outcome, summit, actors, parties, rulings, sides) -> None:
        """For CLAIMED of the outcomes, one to three claims of its status by one of its
        parties, a collective voice (state media) or another participant, about the whole
        outcome or one party's side; DISPUTED of them claim another status than the ruling
        of their day (the side's assessment where one is in force). WITHDRAWN of the
        claimants take their claim back later."""
        rng = self.added_rng
        if rng.random() >= CLAIMED:
            return
        # Claims come once there is something to claim: after the first ruling, if any.
        first = rulings[0].effective_date if rulings else summit.start_date
        span = (self.last_day - first).days
        made: dict[tuple, list[Claim]] = {}
        for _ in range(_pick(rng, {1: 6, 2: 3, 3: 1})):
            party = rng.choice(parties)
            roll = rng.random()
            if roll < 0.6:
                claimant = party.actor  # a party on its own record, often its own side
                side = party if rng.random() < 0.6 else None
            else:
                voices = self.voices if roll < 0.85 and self.voices else actors
                claimant = rng.choice(voices)
                side = party if rng.random() < 0.3 else None
            claimed_on = first + datetime.timedelta(days=rng.randint(0, span))
            entries = [e for e in sides if e.party is side] if side else []
            ruling = _status_on(entries, claimed_on) or _status_on(rulings, claimed_on)
            if ruling and rng.random() >= DISPUTED:
                status = ruling
            else:
                status = _pick(rng, {s: w for s, w in _CLAIMED.items() if s != ruling})
            recorded = _at(
                min(claimed_on + datetime.timedelta(days=rng.randint(0, 10)), self.last_day), rng
            )
            claim = Claim(
                outcome=outcome,
                party=side,
                claimant=claimant,
                status=status,
                claimed_on=claimed_on,
                claimed_on_precision=DatePrecision.DAY,
                words=f"“{_CLAIM_WORDS[status]}.” Said in the synthetic dataset; not real.",
                recorded_at=recorded,
                published_at=recorded + datetime.timedelta(hours=rng.randint(1, 48)),
            )
            made.setdefault((claimant.pk, id(side)), []).append(claim)
            chunk.claims.append(claim)
        for claims in made.values():
            if rng.random() >= WITHDRAWN:
                continue
            last = max(claims, key=lambda claim: (claim.claimed_on, claim.recorded_at))
            on = last.claimed_on + datetime.timedelta(
                days=rng.randint(0, (self.last_day - last.claimed_on).days)
            )
            recorded = max(_at(on, rng), last.recorded_at + datetime.timedelta(hours=1))
            chunk.claims.append(
                Claim(
                    outcome=outcome,
                    party=last.party,
                    claimant=last.claimant,
                    status="",
                    withdrawal=True,
                    claimed_on=on,
                    claimed_on_precision=DatePrecision.DAY,
                    words="“We withdraw our earlier statement.” Synthetic dataset; not real.",
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

    # --- Across summits: links and conditions (issue 14) ----------------------------------

    def links(self, source: Source) -> None:
        """Links across summits, each from an outcome of an earlier summit (by key) to one
        of a later: first what replaced every superseded outcome (the rule), then the
        benchmark's lineage along the long series, then TAKEN_UP of each follow-up summit's
        outcomes reaffirming or implementing one of the summit it follows up."""
        rng = self.added_rng
        links: list[OutcomeLink] = []
        pairs: set[tuple[int, int]] = set()

        def link(earlier: int, later: int, summit: Summit, kind: str) -> None:
            if (earlier, later) in pairs:
                return
            pairs.add((earlier, later))
            links.append(
                OutcomeLink(
                    earlier_id=earlier,
                    later_id=later,
                    kind=kind,
                    date=summit.start_date,  # taken up by the later summit
                    date_precision=DatePrecision.DAY,
                    evidence=Evidence.STATED if rng.random() < 0.8 else Evidence.INFERRED,
                    note="Invented for synthetic data; not real.",
                    published_at=self.published(summit),
                )
            )

        successor_kinds = {LinkKind.SUPERSEDES: 8, LinkKind.SPLITS_INTO: 1, LinkKind.MERGES_INTO: 1}
        for earlier, summit in self.replaced_by:
            link(
                earlier,
                rng.choice(self.top_level_of[summit.pk]),
                summit,
                _pick(rng, successor_kinds),
            )
        taken_up = {LinkKind.REAFFIRMS: 6, LinkKind.IMPLEMENTS: 4}
        steps = self.long_series[-(LINEAGE_STEPS + 1) :]
        self.lineage = [rng.choice(self.top_level_of[summit.pk]) for summit in steps]
        for earlier, later, summit in zip(self.lineage, self.lineage[1:], steps[1:], strict=False):
            link(earlier, later, summit, _pick(rng, taken_up))
        for summit in self.summit_list:
            before = self.previous.get(summit.pk)
            if before is None or not self.top_level_of[before.pk]:
                continue
            for later in self.top_level_of[summit.pk]:
                if rng.random() < TAKEN_UP:
                    earlier = rng.choice(self.top_level_of[before.pk])
                    link(earlier, later, summit, _pick(rng, taken_up))
        self.write.create(OutcomeLink, links)
        self.write.cite(OutcomeLink.sources, links, source)
        self.progress(
            f"links across summits (a lineage of {max(0, len(self.lineage) - 1)} steps)", len(links)
        )

    def conditions(self, total: int, source: Source) -> None:
        """Conditions, acyclic by construction (module docstring): the benchmark's chain,
        CHAIN_DEPTH deep; REQUIRES of the outcomes waiting on one of an earlier summit of
        their process; RECIPROCAL of them in a pair with another of their summit or of the
        summit before in their series, two outcomes no other condition names."""
        rng = self.added_rng
        summit_of = {pk: s for s in self.summit_list for pk in self.top_level_of[s.pk]}
        conditions: list[Condition] = []
        pairs: set[tuple[int, int]] = set()
        named: set[int] = set()

        def condition(waiting: int, required: int, kind=ConditionKind.REQUIRES, **met) -> None:
            pairs.add((waiting, required))
            named.update((waiting, required))
            words = _RECIPROCAL_WORDS if kind == ConditionKind.RECIPROCAL else _CONDITION_WORDS
            conditions.append(
                Condition(
                    outcome_id=waiting,
                    required_id=required,
                    kind=kind,
                    wording=f"{rng.choice(words)} (synthetic data; not real)",
                    evidence=Evidence.STATED if rng.random() < 0.75 else Evidence.INFERRED,
                    published_at=self.published(summit_of[waiting]),
                    **met,
                )
            )

        # The chain: each waits on the one before, none met, so that it reads 5 deep.
        self.chain = self.chain_outcomes()
        for required, waiting in zip(self.chain, self.chain[1:], strict=False):
            condition(waiting, required)

        eligible = [
            (pk, process, at)
            for process, summits in self.process_agreeing.items()
            for at, summit in enumerate(summits)
            if at
            for pk in self.top_level_of[summit.pk]
        ]
        for waiting, process, at in rng.sample(
            eligible, min(len(eligible), round(REQUIRES * total))
        ):
            earlier = self.process_agreeing[process]
            summit = earlier[at - 1] if rng.random() < 0.6 else earlier[rng.randrange(at)]
            required = rng.choice(self.top_level_of[summit.pk])
            if (waiting, required) not in pairs:
                condition(waiting, required, **self.met(summit_of[waiting], required, source))

        same = [s for s in self.summit_list if len(self.top_level_of[s.pk]) >= 2]
        adjacent = [
            (before, s)
            for s in self.summit_list
            if (before := self.previous.get(s.pk)) and self.top_level_of[before.pk]
            if self.top_level_of[s.pk]
        ]
        wanted, made, tries = round(RECIPROCAL * total), 0, 0
        while made < wanted and tries < 20 * wanted and (same or adjacent):
            tries += 1
            if same and (not adjacent or rng.random() < 0.6):
                required, waiting = sorted(rng.sample(self.top_level_of[rng.choice(same).pk], 2))
            else:
                before, summit = rng.choice(adjacent)
                required = rng.choice(self.top_level_of[before.pk])
                waiting = rng.choice(self.top_level_of[summit.pk])
            if required in named or waiting in named:
                continue
            met = {}
            if rng.random() < 0.2:
                met["met_when"] = _pick(rng, {Status.IN_PROGRESS: 1, Status.IMPLEMENTED: 1})
            condition(waiting, required, ConditionKind.RECIPROCAL, **met)
            made += 1
        self.write.create(Condition, conditions)
        self.write.cite(Condition.sources, conditions, source)
        self.progress(f"conditions (a chain {max(0, len(self.chain) - 1)} deep)", len(conditions))

    def chain_outcomes(self) -> list[int]:
        """CHAIN_DEPTH + 1 outcomes in key order: one from each of the latest summits of the
        long series (not the lineage's where a summit has others); in a dataset too small
        for that, the latest outcomes generated, [] if there are not enough."""
        needed = CHAIN_DEPTH + 1
        if len(self.long_series) >= needed:
            lineage, chain = set(self.lineage), []
            for summit in self.long_series[-needed:]:
                outcomes = self.top_level_of[summit.pk]
                chain.append(
                    self.added_rng.choice([o for o in outcomes if o not in lineage] or outcomes)
                )
            return chain
        ordered = [pk for summit in self.agreeing for pk in self.top_level_of[summit.pk]]
        return ordered[-needed:] if len(ordered) >= needed else []

    def met(self, waiting: Summit, required: int, source: Source) -> dict:
        """How a "requires" condition is met, if at all: some once the other (or its first
        party's side) reaches a status, some by an event a source reports; most not yet."""
        rng = self.added_rng
        fields = {}
        if rng.random() < 0.25:
            fields["required_party_id"] = self.first_party[required]
        roll = rng.random()
        if roll < 0.3:
            ladder = {Status.IMPLEMENTED: 5, Status.PARTIALLY_IMPLEMENTED: 3, Status.IN_PROGRESS: 2}
            fields["met_when"] = _pick(rng, ladder)
        elif roll < 0.45:
            span = (self.last_day - waiting.start_date).days
            met_on = waiting.start_date + datetime.timedelta(days=rng.randint(0, span))
            fields.update(
                met_on=met_on,
                met_on_precision=DatePrecision.DAY,
                met_source=source,
                met_note="Reported met in the synthetic dataset; not real.",
                met_recorded_at=_at(
                    min(met_on + datetime.timedelta(days=rng.randint(0, 14)), self.last_day), rng
                ),
            )
        return fields

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
        write.create(Claim, chunk.claims)  # after the parties whose side they are about
        write.cite(Claim.sources, chunk.claims, source)
        # The stored status by the model's own rule: one UPDATE for the chunk.
        Outcome.objects.filter(pk__in=[o.pk for o in outcomes]).refresh_status()
        # What links and conditions across summits draw on, now that the rows have keys.
        for outcome in chunk.top_level:
            self.top_level_of[outcome.summit_id].append(outcome.pk)
        for party in chunk.parties:
            self.first_party.setdefault(party.outcome_id, party.pk)
        self.replaced_by += [(o.pk, later) for o, later in chunk.successors.values()]


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
        self.claims: list[Claim] = []
        # id(outcome) -> (outcome, the later summit one of whose outcomes supersedes it)
        self.successors: dict[int, tuple[Outcome, Summit]] = {}

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
    generator = _Generator(seed, today, log)
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
        per_summit = generator.spread(outcomes, plans)
        generator.processes(plans, per_summit, source)
        generator.outcomes(outcomes, plans, per_summit, updates_per_outcome, source)
        generator.links(source)
        generator.conditions(outcomes, source)
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
    processes = synthetic_processes()
    updates = StatusUpdate.objects.filter(outcome__in=outcomes)
    follow_ups = FollowUp.objects.filter(outcome__in=outcomes)
    changes = FollowUpChange.objects.filter(follow_up__in=follow_ups)
    proposals = Proposal.objects.filter(summit__in=summits, title__endswith=MARK)
    # Owned as their foreign keys cascade: a claim and a condition by the outcome they are
    # about (the one that waits), a link by its later outcome. One from a real record to a
    # synthetic one (a real outcome waiting on a synthetic one) makes the removal refuse.
    claims = Claim.objects.filter(outcome__in=outcomes)
    conditions = Condition.objects.filter(outcome__in=outcomes)
    links = OutcomeLink.objects.filter(later__in=outcomes)
    return [
        ("claim sources", Claim.sources.through.objects.filter(claim__in=claims)),
        ("claims", claims),
        ("condition sources", Condition.sources.through.objects.filter(condition__in=conditions)),
        ("conditions", conditions),
        ("link sources", OutcomeLink.sources.through.objects.filter(outcomelink__in=links)),
        ("links across summits", links),
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
        ("process sources", Process.sources.through.objects.filter(process__in=processes)),
        ("processes", processes),
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
