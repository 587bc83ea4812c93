"""Writing the demo's records (tracker/demo/records/*.toml, read and checked by
tracker.demo.records.reader) to the database, idempotently: every record is found again by
its natural key and saved only if it changed."""

from collections import Counter
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from actors.models import Actor, ActorName, Membership, Relationship, Source
from core.changes import changes
from core.publishing import Publishable, publish
from outcomes.models import (
    Claim,
    Condition,
    FollowUp,
    Outcome,
    OutcomeLink,
    OutcomeOrigin,
    OutcomeParty,
    Status,
    StatusUpdate,
)
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

from .records.reader import Records, RecordsError, read

Log = Callable[[str], None]


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Loader:
    """Writes the records, counting what it creates, and resolves slugs to records."""

    def __init__(self, records: Records, log: Log):
        self.records = records
        self.log = log
        self.created: Counter[str] = Counter()
        self.sources: dict[str, Source] = {}
        self.actors: dict[str, Actor] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.process_of: dict[str, Process] = {}  # summit slug: its process
        self.processes: dict[str, Process] = {}
        # What the demo holds is reviewed work: published at the end, all together.
        self.to_publish: list[Publishable] = []
        self.where = ""  # the file entry being written, for the loader's messages

    def refused(self, error: ValidationError):
        """What the models refuse of an entry stops the load (nothing is written), naming
        the entry, as the file checks do."""
        messages = "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in error.message_dict.items()
        )
        raise RecordsError([f"{self.where}: {messages}"]) from None

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
            try:
                obj.full_clean()
            except ValidationError as error:
                self.refused(error)
            obj.save()
        if isinstance(obj, Publishable):
            self.to_publish.append(obj)
        return obj

    def cited(self, obj, data: dict) -> None:
        obj.sources.set([self.sources[slug] for slug in data.get("sources", [])])

    def new(self, *models_: type[models.Model]) -> int:
        return sum(self.created[m.__name__] for m in models_)

    def actor(self, slug: str | None) -> Actor | None:
        return self.actors[slug] if slug else None

    def party(self, outcome: Outcome, actor_slug: str | None) -> OutcomeParty | None:
        if not actor_slug:
            return None
        return outcome.parties.get(actor=self.actors[actor_slug])

    # -- sections -----------------------------------------------------------------------

    def load_sources(self) -> None:
        fields = ("title", "kind", "publisher", "authors", "citation", "url", "no_url_reason",
                  "date_note", "language", "note")  # fmt: skip
        for data in self.records["source"]:
            self.where = data["_where"]
            values = {name: data.get(name, "") for name in fields}
            values["language"] = values["language"] or "en"
            values["published_on"] = data.get("published_on")
            values["published_on_precision"] = data.get(
                "published_on_precision", "day" if data.get("published_on") else "unknown"
            )
            self.sources[data["slug"]] = self.upsert(Source, {"slug": data["slug"]}, **values)
        for data in self.records["source"]:  # once all exist
            self.where = data["_where"]
            if data.get("listed_in"):
                source = self.sources[data["slug"]]
                self.upsert(Source, {"pk": source.pk}, listed_in=self.sources[data["listed_in"]])
        count = len(self.records["source"])
        self.log(f"Sources: {count} ({self.new(Source)} new)")

    def load_actors(self) -> None:
        names = 0
        fields = ("name", "short_name", "kind", "iso3", "description", "reference_note")
        for data in self.records["actor"]:  # states first: the others name them as country
            self.where = data["_where"]
            values = {name: data.get(name, "") for name in fields}
            values["country"] = self.actor(data.get("country"))
            actor = self.upsert(Actor, {"slug": data["slug"]}, **values)
            self.cited(actor, data)
            self.actors[data["slug"]] = actor
            for name in data.get("names", []):
                self.upsert(
                    ActorName,
                    {"actor": actor, "name": name["name"], "language": name["language"]},
                    note=name.get("note", ""),
                )
                names += 1
        self.log(
            f"Actors: {len(self.records['actor'])} ({self.new(Actor)} new), "
            f"other names: {names} ({self.new(ActorName)} new)"
        )

    def load_memberships(self) -> None:
        for data in self.records["membership"]:
            self.where = data["_where"]
            membership = self.upsert(
                Membership,
                {
                    "member": self.actor(data["member"]),
                    "organisation": self.actor(data["organisation"]),
                    "kind": data["kind"],
                },
                title=data.get("title", ""),
                evidence=data.get("evidence", "stated"),
                note=data.get("note", ""),
            )
            self.cited(membership, data)
        for data in self.records["relationship"]:
            self.where = data["_where"]
            relationship = self.upsert(
                Relationship,
                {
                    "actor": self.actor(data["actor"]),
                    "other": self.actor(data["other"]),
                    "kind": data["kind"],
                },
                description=data["description"],
            )
            self.cited(relationship, data)
        self.log(
            f"Memberships: {len(self.records['membership'])} ({self.new(Membership)} new), "
            f"relationships: {len(self.records['relationship'])} ({self.new(Relationship)} new)"
        )

    def load_processes(self) -> None:
        for data in self.records["process"]:
            self.where = data["_where"]
            process = self.upsert(
                Process,
                {"slug": data["slug"]},
                name=data["name"],
                evidence=data.get("evidence", "stated"),
                description=data["description"],
                note=data.get("note", ""),
            )
            self.cited(process, data)
            self.processes[data["slug"]] = process
            self.process_of.update(dict.fromkeys(data.get("summits", []), process))

    def load_summit(self, data: dict) -> None:
        before = self.created.copy()
        self.where = data["_where"]
        sources = [self.sources[slug] for slug in data["sources"]]
        summit = self.upsert(
            Summit,
            {"slug": data["slug"]},
            name=data["name"],
            kind=data["kind"],
            status=data.get("status", "held"),
            start_date=data.get("start_date"),
            start_date_precision=data["start_date_precision"],
            end_date=data.get("end_date"),
            date_note=data.get("date_note", ""),
            city=data.get("city", ""),
            country=self.actor(data.get("country")),
            host=self.actor(data.get("host")),
            venue_note=data.get("venue_note", ""),
            summary=data["summary"],
            process=self.process_of.get(data["slug"])
            or (self.processes[data["process"]] if data.get("process") else None),
        )
        summit.sources.set(sources)

        for order, text in enumerate(data.get("objectives", []), start=1):
            self.upsert(SummitObjective, {"summit": summit, "order": order}, text=text)

        for item in data.get("participation", []):
            self.where = f"{data['_where']}, participation {item.get('slug') or item['actor']}"
            self.upsert(
                Participation,
                {"summit": summit, "actor": self.actor(item["actor"])},
                role=item["role"],
                delegation_head=self.actor(item.get("delegation_head")),
                delegation_head_title=item.get("delegation_head_title", ""),
                delegation_head_evidence=item.get("delegation_head_evidence", "stated"),
                note=item.get("note", ""),
            )

        proposals = self.load_proposals(data.get("proposal", []), summit, sources)
        for item in data.get("stance", []):
            self.where = f"{data['_where']}, stance {item.get('slug') or item['actor']}"
            stance = self.upsert(
                Stance,
                {"proposal": proposals[item["proposal"]], "actor": self.actor(item["actor"])},
                stance=item["stance"],
                evidence=item["evidence"],
                note=item["note"],
            )
            stance.sources.set(sources)

        orders: Counter[str] = Counter()
        outcomes = []
        for item in data.get("outcome", []):
            self.where = f"{data['_where']}, outcome {item.get('slug') or item['actor']}"
            parent = self.outcomes[item["parent"]] if item.get("parent") else None
            orders[item.get("parent", "")] += 1
            outcomes.append(self.load_outcome(item, summit, sources, proposals, parent, orders))
        for outcome, item in zip(outcomes, data.get("outcome", []), strict=True):
            self.load_initial_status(outcome, data, item, sources)

        for item in data.get("reaction", []):
            self.where = f"{data['_where']}, reaction {item.get('slug') or item['actor']}"
            self.upsert(
                Reaction,
                {"summit": summit, "actor": self.actor(item["actor"]), "source": sources[0]},
                tone=item["tone"],
                tone_evidence=item.get("tone_evidence", "stated"),
                summary=item["summary"],
                quote=item.get("quote", ""),
            )

        for order, item in enumerate(data.get("challenge", []), start=1):
            challenge = self.upsert(
                Challenge,
                {"summit": summit, "order": order},
                title=item["title"],
                description=item["description"],
            )
            challenge.sources.set(sources)

        top_level = sum(1 for o in outcomes if o.parent_id is None)
        counts = [
            (len(data.get("objectives", [])), "objective"),
            (len(data.get("participation", [])), "participant"),
            (len(data.get("proposal", [])), "proposal"),
            (len(data.get("stance", [])), "stance"),
            (top_level, "outcome"),
            (len(outcomes) - top_level, "sub-commitment"),
            (sum(len(o.get("follow_ups", [])) for o in data.get("outcome", [])), "follow-up"),
            (len(data.get("reaction", [])), "reaction"),
            (len(data.get("challenge", [])), "challenge"),
        ]
        parts = ", ".join(plural(n, word) for n, word in counts if n)
        new = sum((self.created - before).values())
        self.log(f"{summit.name}: {parts or 'no outcomes'} ({new} new records)")

    def load_proposals(self, items: list[dict], summit: Summit | None, sources) -> dict:
        """Proposals by their "ref" (for stances and origins)."""
        proposals, counters = {}, Counter()
        for item in items:
            key = (item.get("actor"), item["kind"])
            counters[key] += 1
            proposal = self.upsert(
                Proposal,
                {
                    "summit": summit,
                    "actor": self.actor(item.get("actor")),
                    "addressed_to": self.actor(item.get("addressed_to")),
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

    def load_outcome(self, item, summit, sources, proposals, parent, orders) -> Outcome:
        outcome = self.upsert(
            Outcome,
            {"slug": item["slug"]},
            summit=summit,
            parent=parent,
            order=orders[item.get("parent", "")],
            title=item["title"],
            type=item["type"],
            description=item["description"],
            due_within=item.get("due_within"),
            due_within_unit=item.get("due_within_unit", ""),
            deadline_text=item.get("deadline_text", ""),
        )
        outcome.sources.set(
            [self.sources[s] for s in item["sources"]] if "sources" in item else sources
        )
        self.outcomes[item["slug"]] = outcome
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
        return outcome

    def load_initial_status(self, outcome: Outcome, summit: dict, item: dict, sources) -> None:
        """The first entry of the outcome's history: agreed, nothing observed yet (or the
        status the outcome's "initial_status" gives, where the source reports more).

        Found again as the outcome's earliest uncorrected whole-outcome entry. An undated
        one keeps the day it was first recorded: moving it would rewrite history. If the
        file now gives another first status, a correcting entry says so and the first one
        stays in the history, no longer counting.
        """
        status = item.get("initial_status", Status.NOT_STARTED)
        first = (
            outcome.status_updates.filter(party=None, corrected_by=None)
            .order_by("effective_date", "pk")
            .first()
        )
        date = summit.get("initial_date", summit.get("start_date"))
        values = {
            "effective_date_precision": summit.get(
                "initial_precision", summit["start_date_precision"] if date else "on_or_before"
            ),
            "undated": date is None,
            "summary": item.get("initial_summary", summit["initial_summary"]),
        }
        if first is not None and first.status == status:
            update = first
            if date is not None:
                values["effective_date"] = date
        else:
            update = StatusUpdate(outcome=outcome, status=status, corrects=first)
            values["effective_date"] = first.effective_date if first else date
            values["effective_date"] = values["effective_date"] or timezone.localdate()
            self.created["StatusUpdate"] += 1
        self.save_entry(update, values, sources)

    def save_entry(self, update: StatusUpdate, values: dict, sources) -> None:
        if update._state.adding or any(getattr(update, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(update, name, value)
            try:
                update.full_clean()
            except ValidationError as error:
                self.refused(error)
            # Saved as a draft: publishing them all at the end refreshes each outcome's
            # status once (StatusUpdate.after_publication), not once per entry.
            update.save()
            update.sources.set(sources)
        else:
            update.sources.set(sources)
        self.to_publish.append(update)

    # -- histories ------------------------------------------------------------------------

    def load_links(self) -> None:
        for data in self.records["link"]:
            self.where = data["_where"]
            link = self.upsert(
                OutcomeLink,
                {
                    "earlier": self.outcomes[data["earlier"]],
                    "later": self.outcomes[data["later"]],
                    "kind": data["kind"],
                },
                date=data["date"],
                date_precision=data.get("precision", "day"),
                evidence=data.get("evidence", "stated"),
                note=data.get("note", ""),
            )
            self.cited(link, data)

    def load_statuses(self) -> None:
        for data in self.records["status"]:
            self.where = data["_where"]
            outcome = self.outcomes[data["outcome"]]
            party = self.party(outcome, data.get("party"))
            lookup = {
                "outcome": outcome,
                "party": party,
                "status": data["status"],
                "effective_date": data["date"],
                "corrects": None,
            }
            update = StatusUpdate.objects.filter(**lookup).order_by("pk").first()
            if update is None:
                update = StatusUpdate(**lookup)
                self.created["StatusUpdate"] += 1
            values = {
                "effective_date_precision": data.get("precision", "day"),
                "summary": data["summary"],
            }
            self.save_entry(update, values, [self.sources[s] for s in data["sources"]])

    def load_claims(self) -> None:
        for data in self.records["claim"]:
            self.where = data["_where"]
            outcome = self.outcomes[data["outcome"]]
            claim = self.upsert(
                Claim,
                {
                    "outcome": outcome,
                    "party": self.party(outcome, data.get("party")),
                    "claimant": self.actors[data["claimant"]],
                    "claimed_on": data["date"],
                    "status": data.get("status", ""),
                    "withdrawal": data.get("withdrawal", False),
                },
                claimed_on_precision=data.get("precision", "day"),
                words=data["words"],
            )
            self.cited(claim, data)

    def load_conditions(self) -> None:
        for data in self.records["condition"]:
            self.where = data["_where"]
            required = self.outcomes[data["required"]]
            condition = self.upsert(
                Condition,
                {
                    "outcome": self.outcomes[data["outcome"]],
                    "required": required,
                    "required_party": self.party(required, data.get("required_party")),
                },
                kind=data.get("kind", "requires"),
                wording=data["wording"],
                evidence=data.get("evidence", "stated"),
                met_when=data.get("met_when", ""),
            )
            self.cited(condition, data)

    def load_recommendations(self) -> None:
        before = self.new(Proposal)
        for data in self.records["recommendation"]:
            self.where = data["_where"]
            sources = [self.sources[slug] for slug in data["sources"]]
            item = {"kind": "recommendation", **data}
            self.load_proposals([item], None, sources)
        count = len(self.records["recommendation"])
        self.log(f"Recommendations to Indonesia: {count} ({self.new(Proposal) - before} new)")

    def load_histories(self) -> None:
        before = self.new(StatusUpdate, Claim, Condition, OutcomeLink)
        self.load_links()  # first: a superseded entry needs its successor
        self.load_statuses()
        self.load_claims()
        self.load_conditions()
        counts = ", ".join(
            plural(len(self.records[table]), word)
            for table, word in [
                ("status", "status entry"),
                ("claim", "claim"),
                ("condition", "condition"),
                ("link", "link"),
            ]  # fmt: skip
        )
        new = self.new(StatusUpdate, Claim, Condition, OutcomeLink) - before
        self.log(f"Histories: {counts} ({new} new)".replace("entrys", "entries"))


def load_demo(log: Log = lambda message: None, records: Records | None = None) -> Counter[str]:
    """Load the demo records; safe to run again. Returns how many records were new.
    One change of the data (core.changes): all of it or nothing, one new data version.
    The files are checked first (RecordsError): nothing is written from a faulty file."""
    records = records or read()
    loader = Loader(records, log)
    with changes():
        loader.load_sources()
        loader.load_actors()
        loader.load_memberships()
        loader.load_processes()
        for summit in records["summit"]:
            loader.load_summit(summit)
        loader.load_histories()
        loader.load_recommendations()
        # Published once (a re-run keeps the dates), each after what it belongs to.
        published = publish(loader.to_publish, None, with_parents=True)
        if published:
            log(f"Published {len(published)} records.")
        # Entries edited in place since an earlier load count too (new ones already do).
        Outcome.objects.filter(pk__in=[o.pk for o in loader.outcomes.values()]).refresh_status()
    return loader.created
