"""One record of every kind a visitor can see, as a draft, in a small published world: what
the publishing tests (tests/site/test_publishing_every_kind.py, tests/desk/test_review.py)
run for each kind.

The world: a published summit in Tokyo (Korea attends, Japan does not yet), Korea's proposal
of a hotline there, the outcome "Hotline agreed" with Korea as a party, a status entry and a
follow-up meeting. Each case adds one draft whose text carries MARK, a word found nowhere
else, and names the pages that show it once it is public.
"""

from actors.models import ActorKind, Membership, Relationship
from outcomes.models import (
    Claim,
    Condition,
    FollowUp,
    FollowUpChange,
    FollowUpStatus,
    LinkKind,
    Outcome,
    OutcomeLink,
    OutcomeOrigin,
    OutcomeParty,
    PartyRole,
    Status,
    StatusUpdate,
)
from outcomes.services import record_follow_up_change
from summits.models import (
    Challenge,
    Participation,
    Process,
    Proposal,
    ProposalKind,
    Reaction,
    Stance,
    Summit,
    SummitObjective,
    Theme,
)
from tests.factories import (
    days,
    make,
    make_actor,
    make_follow_up,
    make_outcome,
    make_source,
    make_summit,
    make_update,
)

MARK = "Quokka"  # in every draft's text, and nowhere else
SEARCHED = "Wombat"  # also in the text of those search finds (the page repeats what is asked)


def make_world() -> dict:
    korea = make_actor(name="Korea", slug="korea", kind=ActorKind.STATE)
    japan = make_actor(name="Japan", slug="japan", kind=ActorKind.STATE)
    source = make_source(title="Tokyo communiqué")
    tokyo = make_summit(name="Tokyo summit", slug="tokyo", start_date=days(-40))
    make(Participation, summit=tokyo, actor=korea, role="party")
    proposal = make(
        Proposal,
        actor=korea,
        summit=tokyo,
        kind=ProposalKind.PROPOSAL,
        theme=Theme.COMMUNICATION,
        title="A direct line",
        text="Set up a direct line between the leaders.",
    )
    hotline = make_outcome(summit=tokyo, slug="hotline", title="Hotline agreed", due_date=days(60))
    make(OutcomeParty, outcome=hotline, actor=korea, role=PartyRole.RESPONSIBLE)
    make_update(hotline, effective_date=days(-30), summary="Engineers began the work.")
    meeting = make_follow_up(hotline, title="Ministerial meeting", due_date=days(30))
    return {
        "korea": korea,
        "japan": japan,
        "source": source,
        "tokyo": tokyo,
        "proposal": proposal,
        "hotline": hotline,
        "meeting": meeting,
    }


def sourced(record):
    record.sources.add(make_source(title="A report"))
    return record


# Each case makes one draft in the world; returns it and the pages that show it once public.
def summit(w):
    record = make_summit(
        name=f"{MARK} {SEARCHED} summit", slug="osaka", start_date=days(-3), published=False
    )
    return record, ["summits", "search"]


def objective(w):
    record = make(SummitObjective, summit=w["tokyo"], text=f"{MARK} objective", published=False)
    return record, ["summit"]


def participant(w):
    record = make(
        Participation,
        summit=w["tokyo"],
        actor=w["japan"],
        role="observer",
        note=f"{MARK} observer",
        published=False,
    )
    return record, ["summit"]


def proposal(w):
    record = make(
        Proposal,
        actor=w["japan"],
        summit=w["tokyo"],
        kind=ProposalKind.DEMAND,
        theme=Theme.COMMUNICATION,
        title=f"{MARK} {SEARCHED} proposal",
        text="A second line.",
        published=False,
    )
    return record, ["summit", "japan", "search"]


def stance(w):
    record = make(
        Stance,
        proposal=w["proposal"],
        actor=w["japan"],
        stance="support",
        note=f"{MARK} support",
        published=False,
    )
    return record, ["summit"]


def reaction(w):
    record = make(
        Reaction,
        summit=w["tokyo"],
        actor=w["japan"],
        tone="positive",
        summary=f"{MARK} welcomed it",
        source=w["source"],
        published=False,
    )
    return record, ["summit"]


def challenge(w):
    record = make(Challenge, summit=w["tokyo"], title=f"{MARK} challenge", published=False)
    return record, ["summit"]


def membership(w):
    record = make(
        Membership,
        member=w["japan"],
        organisation=w["korea"],
        kind="member",
        title=f"{MARK} member",
        published=False,
    )
    return sourced(record), ["japan", "korea"]


def relationship(w):
    record = make(
        Relationship,
        actor=w["japan"],
        other=w["korea"],
        kind="alliance",
        description=f"{MARK} alliance",
        published=False,
    )
    return sourced(record), ["japan", "korea"]


def outcome(w):
    record = make_outcome(
        summit=w["tokyo"],
        slug="liaison",
        title=f"{MARK} {SEARCHED} liaison office",
        due_date=days(90),
        published=False,
    )
    return record, ["summit", "outcomes", "search", "csv", "json", "calendar"]


def party(w):
    record = make(
        OutcomeParty,
        outcome=w["hotline"],
        actor=w["japan"],
        role=PartyRole.GUARANTOR,
        note=f"{MARK} guarantor",
        published=False,
    )
    return record, ["outcome"]


def origin(w):
    record = make(
        OutcomeOrigin,
        outcome=w["hotline"],
        proposal=w["proposal"],
        note=f"{MARK} origin",
        published=False,
    )
    return record, ["outcome"]


def status_update(w):
    record = make_update(
        w["hotline"], effective_date=days(-2), summary=f"{MARK} line tested", published=False
    )
    return record, ["outcome", "feed"]


def follow_up(w):
    record = make_follow_up(
        w["hotline"], title=f"{MARK} working group", due_date=days(20), published=False
    )
    return record, ["outcome", "summit", "calendar"]


def follow_up_change(w):
    record = record_follow_up_change(
        w["meeting"],
        status=FollowUpStatus.CANCELLED,
        note=f"{MARK} called off",
        sources=[make_source(title="The hosts' notice")],
    )
    return record, ["outcome"]


def process(w):
    record = make(Process, name=f"{MARK} process", slug="marked-process", published=False)
    Summit.objects.filter(pk=w["tokyo"].pk).update(process=record)
    return record, ["processes", "summit"]


def claim(w):
    record = make(
        Claim,
        outcome=w["hotline"],
        claimant=w["japan"],
        status=Status.IMPLEMENTED,
        claimed_on=days(-1),
        words=f"{MARK} the line is open",
        published=False,
    )
    return sourced(record), ["outcome", "claims_csv", "feed"]


def condition(w):
    office = make_outcome(summit=w["tokyo"], slug="office", title="Liaison office")
    record = make(
        Condition,
        outcome=w["hotline"],
        required=office,
        wording=f"{MARK} once the office opens",
        published=False,
    )
    return sourced(record), ["outcome", "conditions_csv"]


def link(w):
    seoul = make_summit(name="Seoul summit", slug="seoul", start_date=days(-10))
    later = make_outcome(summit=seoul, slug="seoul-hotline", title="Hotline kept")
    record = make(
        OutcomeLink,
        earlier=w["hotline"],
        later=later,
        kind=LinkKind.REAFFIRMS,
        date=days(-10),
        note=f"{MARK} reaffirmed",
        published=False,
    )
    return sourced(record), ["outcome", "links_csv"]


KINDS = {
    Process: process,
    Summit: summit,
    SummitObjective: objective,
    Participation: participant,
    Proposal: proposal,
    Stance: stance,
    Reaction: reaction,
    Challenge: challenge,
    Membership: membership,
    Relationship: relationship,
    Outcome: outcome,
    OutcomeParty: party,
    OutcomeOrigin: origin,
    StatusUpdate: status_update,
    FollowUp: follow_up,
    FollowUpChange: follow_up_change,
    Claim: claim,
    Condition: condition,
    OutcomeLink: link,
}
