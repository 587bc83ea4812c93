"""Writing the demo data (tracker.demo.data) to the database, idempotently."""

from collections import Counter
from collections.abc import Callable

from django.db import models
from django.utils import timezone

from actors.models import Actor, ActorName, Membership, Relationship, Source
from core.changes import changes
from core.publishing import Publishable, publish
from outcomes.models import FollowUp, Outcome, OutcomeOrigin, OutcomeParty, Status, StatusUpdate
from outcomes.services import save_status_update
from summits.models import (
    Challenge,
    Participation,
    Process,
    Proposal,
    Reaction,
    Stance,
    Summit,
    SummitObjective,
)

from .data import (
    ACTORS,
    MEMBERSHIPS,
    PROCESSES,
    RECOMMENDATIONS,
    RELATIONSHIPS,
    SOURCES,
    SUMMITS,
)

Log = Callable[[str], None]


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Loader:
    """Writes the data above, counting what it creates, and resolves slugs to records."""

    def __init__(self, log: Log):
        self.log = log
        self.created: Counter[str] = Counter()
        self.sources: dict[str, Source] = {}
        self.process_of: dict[str, Process] = {}  # summit slug: its process
        self.actors: dict[str, Actor] = {}
        # What the demo holds is reviewed work: published at the end, all together.
        self.to_publish: list[Publishable] = []

    def upsert(self, model: type[models.Model], lookup: dict, **values) -> models.Model:
        """update_or_create(), but validated with full_clean() before saving, so the demo
        passes the same checks as the admin (update_or_create saves first)."""
        try:
            obj = model.objects.get(**lookup)
        except model.DoesNotExist:
            obj = model(**lookup)
            self.created[model.__name__] += 1
        changed = obj._state.adding
        for name, value in values.items():
            if changed or getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        if changed:  # an unchanged record is not saved again, so its history stays quiet
            obj.full_clean()
            obj.save()
        if isinstance(obj, Publishable):
            self.to_publish.append(obj)
        return obj

    def new(self, *models_: type[models.Model]) -> int:
        return sum(self.created[m.__name__] for m in models_)

    def source_list(self, slugs: list[str]) -> list[Source]:
        return [self.sources[slug] for slug in slugs]

    def actor(self, slug: str | None) -> Actor | None:
        return self.actors[slug] if slug else None

    # -- sections -----------------------------------------------------------------------

    def load_sources(self) -> None:
        for data in SOURCES:
            data = dict(data)
            slug = data.pop("slug")
            self.sources[slug] = self.upsert(Source, {"slug": slug}, **data)
        self.log(f"Sources: {len(SOURCES)} ({self.new(Source)} new)")

    def load_actors(self) -> None:
        names = 0
        for data in ACTORS:
            data = dict(data)
            slug = data.pop("slug")
            other_names = data.pop("names", [])
            data["country"] = self.actor(data.get("country"))
            actor = self.upsert(Actor, {"slug": slug}, **data)
            self.actors[slug] = actor
            for name, language, note in other_names:
                self.upsert(
                    ActorName, {"actor": actor, "name": name, "language": language}, note=note
                )
            names += len(other_names)
        self.log(
            f"Actors: {len(ACTORS)} ({self.new(Actor)} new), "
            f"other names: {names} ({self.new(ActorName)} new)"
        )

    def load_memberships(self) -> None:
        for data in MEMBERSHIPS:
            membership = self.upsert(
                Membership,
                {
                    "member": self.actor(data["member"]),
                    "organisation": self.actor(data["organisation"]),
                    "kind": data["kind"],
                },
                title=data.get("title", ""),
                note=data.get("note", ""),
            )
            membership.sources.set(self.source_list(data["sources"]))
        for data in RELATIONSHIPS:
            relationship = self.upsert(
                Relationship,
                {
                    "actor": self.actor(data["actor"]),
                    "other": self.actor(data["other"]),
                    "kind": data["kind"],
                },
                description=data["description"],
            )
            relationship.sources.set(self.source_list(data["sources"]))
        self.log(
            f"Memberships: {len(MEMBERSHIPS)} ({self.new(Membership)} new), "
            f"relationships: {len(RELATIONSHIPS)} ({self.new(Relationship)} new)"
        )

    def load_summit(self, data: dict) -> None:
        before = self.created.copy()
        sources = self.source_list(data["sources"])
        summit = self.upsert(
            Summit,
            {"slug": data["slug"]},
            name=data["name"],
            kind=data["kind"],
            status=data["status"],
            start_date=data["start_date"],
            start_date_precision=data["start_date_precision"],
            date_note=data["date_note"],
            city=data.get("city", ""),
            country=self.actor(data.get("country")),
            host=self.actor(data.get("host")),
            venue_note=data.get("venue_note", ""),
            summary=data["summary"],
            process=self.process_of.get(data["slug"]),
        )
        summit.sources.set(sources)

        for order, text in enumerate(data.get("objectives", []), start=1):
            self.upsert(SummitObjective, {"summit": summit, "order": order}, text=text)

        for item in data["participations"]:
            self.upsert(
                Participation,
                {"summit": summit, "actor": self.actor(item["actor"])},
                role=item["role"],
                delegation_head=self.actor(item.get("delegation_head")),
                delegation_head_title=item.get("delegation_head_title", ""),
                note=item.get("note", ""),
            )

        proposals = self.load_proposals(data.get("proposals", []), summit, sources)

        for item in data.get("stances", []):
            stance = self.upsert(
                Stance,
                {"proposal": proposals[item["proposal"]], "actor": self.actor(item["actor"])},
                stance=item["stance"],
                evidence=item["evidence"],
                note=item["note"],
            )
            stance.sources.set(sources)

        outcomes = []
        for item in data["outcomes"]:
            outcomes += self.load_outcome(item, summit, sources, proposals)
        for outcome in outcomes:
            self.load_initial_status(outcome, data["initial_status"], sources)

        for item in data.get("reactions", []):
            self.upsert(
                Reaction,
                {"summit": summit, "actor": self.actor(item["actor"]), "source": sources[0]},
                tone=item["tone"],
                summary=item["summary"],
                quote=item.get("quote", ""),
            )

        for order, (title, description) in enumerate(data.get("challenges", []), start=1):
            challenge = self.upsert(
                Challenge,
                {"summit": summit, "order": order},
                title=title,
                description=description,
            )
            challenge.sources.set(sources)

        top_level = sum(1 for o in outcomes if o.parent_id is None)
        counts = [
            (len(data.get("objectives", [])), "objective"),
            (len(data["participations"]), "participant"),
            (len(data.get("proposals", [])), "proposal"),
            (len(data.get("stances", [])), "stance"),
            (top_level, "outcome"),
            (len(outcomes) - top_level, "sub-commitment"),
            (len(outcomes), "status update"),
            (sum(len(o.get("follow_ups", [])) for o in data["outcomes"]), "follow-up"),
            (len(data.get("reactions", [])), "reaction"),
            (len(data.get("challenges", [])), "challenge"),
        ]
        parts = ", ".join(plural(n, word) for n, word in counts if n)
        new = sum((self.created - before).values())
        self.log(f"{summit.name}: {parts} ({new} new records)")

    def load_proposals(self, items: list[dict], summit: Summit | None, sources) -> dict:
        """Proposals by their "ref" (for stances and origins)."""
        proposals, counters = {}, {}
        for item in items:
            actor, addressed_to = (
                self.actor(item.get("actor")),
                self.actor(item.get("addressed_to")),
            )
            key = (item.get("actor"), item["kind"])
            counters[key] = counters.get(key, 0) + 1
            proposal = self.upsert(
                Proposal,
                {
                    "summit": summit,
                    "actor": actor,
                    "addressed_to": addressed_to,
                    "kind": item["kind"],
                    "title": item["title"],
                },
                theme=item["theme"],
                text=item["text"],
                order=counters[key],
            )
            proposal.sources.set(sources)
            if "ref" in item:
                proposals[item["ref"]] = proposal
        return proposals

    def load_outcome(self, item: dict, summit: Summit, sources, proposals, parent=None) -> list:
        """The outcome and its sub-commitments, parent first."""
        outcome = self.upsert(
            Outcome,
            {"slug": item["slug"]},
            summit=summit,
            parent=parent,
            order=item["order"],
            title=item["title"],
            type=item["type"],
            description=item["description"],
            due_within=item.get("due_within"),
            due_within_unit=item.get("due_within_unit", ""),
            deadline_text=item.get("deadline_text", ""),
        )
        outcome.sources.set(sources)
        for party in item.get("parties", []):
            self.upsert(
                OutcomeParty,
                {"outcome": outcome, "actor": self.actor(party["actor"]), "role": party["role"]},
                evidence=party.get("evidence", "stated"),
                note=party.get("note", ""),
            )
        for origin in item.get("origins", []):
            self.upsert(
                OutcomeOrigin,
                {"outcome": outcome, "proposal": proposals[origin["proposal"]]},
                evidence=origin["evidence"],
                note=origin["note"],
            )
        for follow_up in item.get("follow_ups", []):
            follow_up = dict(follow_up)
            record = self.upsert(
                FollowUp,
                {
                    "outcome": outcome,
                    "kind": follow_up.pop("kind"),
                    "title": follow_up.pop("title"),
                },
                **follow_up,
            )
            record.sources.set(sources)
        loaded = [outcome]
        for child in item.get("children", []):
            loaded += self.load_outcome(child, summit, sources, proposals, parent=outcome)
        return loaded

    def load_initial_status(self, outcome: Outcome, data: dict, sources) -> None:
        """The first entry of the outcome's history: agreed, nothing observed yet.

        Found again as the outcome's earliest uncorrected "not started" entry. An undated
        one keeps the day it was first recorded: moving it would rewrite history.
        """
        update = (
            outcome.status_updates.filter(corrects=None, status=Status.NOT_STARTED)
            .order_by("pk")
            .first()
        )
        values = {
            "effective_date_precision": data["effective_date_precision"],
            "summary": data["summary"],
        }
        if update is None:
            update = StatusUpdate(outcome=outcome, status=Status.NOT_STARTED)
            values["effective_date"] = data["effective_date"] or timezone.localdate()
            self.created["StatusUpdate"] += 1
        elif data["effective_date"] is not None:
            values["effective_date"] = data["effective_date"]
        if update._state.adding or any(getattr(update, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(update, name, value)
            update.full_clean()
            save_status_update(update, user=None, sources=sources)
        else:
            update.sources.set(sources)
        self.to_publish.append(update)

    def load_processes(self) -> None:
        for data in PROCESSES:
            process = self.upsert(
                Process,
                {"slug": data["slug"]},
                name=data["name"],
                evidence=data["evidence"],
                description=data["description"],
                note=data["note"],
            )
            process.sources.set(self.source_list(data["sources"]))
            self.process_of.update(dict.fromkeys(data["summits"], process))

    def load_recommendations(self) -> None:
        items = [
            {"addressed_to": "indonesia", "kind": "recommendation", **item}
            for item in RECOMMENDATIONS
        ]
        before = self.new(Proposal)
        self.load_proposals(items, None, [self.sources["indonesia"]])
        self.log(f"Recommendations to Indonesia: {len(items)} ({self.new(Proposal) - before} new)")


def load_demo(log: Log = lambda message: None) -> Counter[str]:
    """Load both source documents; safe to run again. Returns how many records were new.
    One change of the data (core.changes): all of it or nothing, one new data version."""
    loader = Loader(log)
    with changes():
        loader.load_sources()
        loader.load_actors()
        loader.load_memberships()
        loader.load_processes()
        for summit in SUMMITS:
            loader.load_summit(summit)
        loader.load_recommendations()
        # Published once (a re-run keeps the dates), each after what it belongs to.
        published = publish(loader.to_publish, None, with_parents=True)
        if published:
            log(f"Published {len(published)} records.")
    return loader.created
