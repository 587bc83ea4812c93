"""What each resource of the API gives, field by field: the schema is generated from these.

Identifiers are the permanent ones: a slug where the record has a page of its own (summits,
actors, sources, outcomes, processes), else its id, which never changes. References to other
records are by the same identifiers. Dates are YYYY-MM-DD, each with the precision its
source gives (a month-precision date is stored as the 1st of the month); no value is
invented, so a field the record has no value for is null.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actors.models import ActorKind, Language, SourceKind
from core.dates import DatePrecision
from outcomes.models import OutcomeType, PartyRole, Status
from outcomes.models.follow_up import FollowUpKind, FollowUpStatus
from outcomes.models.link import LinkKind
from summits.models import ParticipantRole, ProposalKind, SummitKind, SummitStatus, Theme

from ..views.exports import CLAIMS as CLAIM_TABLE
from ..views.exports import COLUMN_NAMES, COLUMNS, CONDITIONS, LINKS


def precision_field(**options) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=DatePrecision.choices, **options)


@extend_schema_field(OpenApiTypes.STR)
class SlugOf(serializers.Field):
    """Another record, by its slug (null if there is none)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, record):
        return record.slug


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class SlugsOf(serializers.Field):
    """Records of a relation (prefetched, in their order), by their slugs."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, related):
        records = related.all() if hasattr(related, "all") else related  # a manager, or to_attr
        return [record.slug for record in records]


def slug_of(**options) -> SlugOf:
    return SlugOf(**options)


def slugs_of(**options) -> SlugsOf:
    return SlugsOf(**options)


class PageUrl(serializers.Field):
    """The record's public page, absolute."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        return self.context["request"].build_absolute_uri(record.get_absolute_url())


extend_schema_field({"type": "string", "format": "uri"})(PageUrl)


def _meanings(columns) -> dict[str, str]:
    return dict(columns)


# --- Actors and sources ------------------------------------------------------------------


class ActorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    slug = serializers.SlugField()
    name = serializers.CharField()
    short_name = serializers.CharField(help_text="Empty if the actor has none.")
    kind = serializers.ChoiceField(choices=ActorKind.choices)
    country = slug_of(allow_null=True, help_text="The state it belongs to, for a person or body.")
    description = serializers.CharField()
    url = PageUrl()


class SourceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    slug = serializers.SlugField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=SourceKind.choices)
    authors = serializers.CharField()
    publisher = serializers.CharField()
    citation = serializers.CharField()
    source_url = serializers.CharField(
        source="url", help_text="Where it was published; empty: see no_url_reason."
    )
    no_url_reason = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    published_on_precision = precision_field()
    language = serializers.ChoiceField(choices=Language.choices)
    listed_in = slug_of(allow_null=True, help_text="The source whose references list it.")
    url = PageUrl()


# --- Summits and processes ---------------------------------------------------------------


class ParticipantSerializer(serializers.Serializer):
    actor = slug_of()
    role = serializers.ChoiceField(choices=ParticipantRole.choices)
    delegation_head = slug_of(allow_null=True)
    delegation_head_title = serializers.CharField()


class SummitSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=SummitKind.choices)
    status = serializers.ChoiceField(choices=SummitStatus.choices)
    start_date = serializers.DateField(allow_null=True)
    start_date_precision = precision_field()
    end_date = serializers.DateField(allow_null=True)
    city = serializers.CharField()
    country = slug_of(allow_null=True)
    host = slug_of(allow_null=True)
    process = serializers.SerializerMethodField(help_text="The slug of its (public) process.")
    summary = serializers.CharField()
    sources = slugs_of()
    url = PageUrl()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_process(self, summit):
        shown = summit.process_id in self.context["processes"]  # a draft process is unnamed
        return summit.process.slug if shown else None


class SummitDetailSerializer(SummitSerializer):
    participants = ParticipantSerializer(many=True, source="participant_list")
    outcomes = SlugsOf(source="outcome_list", help_text="Its outcomes, in their order.")


class ProcessSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    evidence = serializers.CharField(help_text="stated, or inferred (the analyst’s reading).")
    note = serializers.CharField()
    sources = slugs_of()
    summits = SlugsOf(source="summit_list", help_text="Its summits in date order.")
    url = PageUrl()


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    summit = slug_of(allow_null=True, help_text="Empty for a proposal made outside any summit.")
    actor = slug_of(allow_null=True, help_text="Who made it; null for an unsigned source.")
    addressed_to = slug_of(allow_null=True)
    kind = serializers.ChoiceField(choices=ProposalKind.choices)
    theme = serializers.ChoiceField(choices=Theme.choices)
    title = serializers.CharField()
    text = serializers.CharField()
    order = serializers.IntegerField()
    sources = slugs_of()


# --- Outcomes ----------------------------------------------------------------------------


class PartyPair(serializers.Serializer):
    actor = serializers.SlugField()
    role = serializers.ChoiceField(choices=PartyRole.choices)


class LinkPair(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LinkKind.choices)
    outcome = serializers.SlugField()


_COLUMN = {column.name: column.meaning for column in COLUMNS}


def _text(name, **options):
    return serializers.CharField(help_text=_COLUMN[name], **options)


class OutcomeSerializer(serializers.Serializer):
    """An outcome as a row of the JSON export (tracker.views.exports.COLUMNS): the same
    fields, in the same order, with the same meanings."""

    id = _text("id")
    title = _text("title")
    summit = _text("summit")
    summit_name = _text("summit_name")
    type = serializers.ChoiceField(choices=OutcomeType.choices, help_text=_COLUMN["type"])
    parent = _text("parent", allow_null=True)
    status = serializers.ChoiceField(
        choices=Status.choices, allow_null=True, help_text=_COLUMN["status"]
    )
    status_since = serializers.DateField(allow_null=True, help_text=_COLUMN["status_since"])
    status_since_precision = serializers.ChoiceField(
        choices=DatePrecision.choices, allow_null=True, help_text=_COLUMN["status_since_precision"]
    )
    due_date = serializers.DateField(allow_null=True, help_text=_COLUMN["due_date"])
    due_date_precision = serializers.ChoiceField(
        choices=DatePrecision.choices, help_text=_COLUMN["due_date_precision"]
    )
    deadline_text = _text("deadline_text", allow_null=True)
    overdue = serializers.BooleanField(help_text=_COLUMN["overdue"])
    parties = PartyPair(many=True, help_text=_COLUMN["parties"])
    sources = serializers.ListField(child=serializers.SlugField(), help_text=_COLUMN["sources"])
    url = serializers.URLField(help_text=_COLUMN["url"])
    process = _text("process", allow_null=True)
    current_claims = serializers.IntegerField(help_text=_COLUMN["current_claims"])
    disputed = serializers.BooleanField(help_text=_COLUMN["disputed"])
    waiting = serializers.BooleanField(help_text=_COLUMN["waiting"])
    links_back = LinkPair(many=True, help_text=_COLUMN["links_back"])
    links_forward = LinkPair(many=True, help_text=_COLUMN["links_forward"])
    parties_inferred = PartyPair(many=True, help_text=_COLUMN["parties_inferred"])
    single_source = serializers.BooleanField(help_text=_COLUMN["single_source"])


assert list(OutcomeSerializer().fields) == COLUMN_NAMES, "the API's outcome is the export's row"


class EntryRef(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Status.choices)
    since = serializers.DateField()
    precision = precision_field()


class PartySideSerializer(serializers.Serializer):
    actor = serializers.SlugField()
    role = serializers.ChoiceField(choices=PartyRole.choices)
    evidence = serializers.CharField(help_text="stated, or inferred (the analyst’s reading).")
    note = serializers.CharField()
    status = serializers.ChoiceField(
        choices=Status.choices,
        allow_null=True,
        help_text="Its side’s status on the date (its latest assessment in force), null if it "
        "has no assessment of its own (the outcome’s ruling then stands for it, unscored).",
    )
    assessment = EntryRef(allow_null=True, help_text="The entry that sets it.")


def _table_serializer(name, table, types):
    """A serializer for one row of a table export (claims, conditions, links): its columns,
    with their meanings, typed."""
    meanings = _meanings(table.columns)
    fields = {column: types[column](help_text=meanings[column]) for column in table.names}
    return type(name, (serializers.Serializer,), fields)


def _nullable_text(**options):
    return serializers.CharField(allow_null=True, **options)


def _slugs(**options):
    return serializers.ListField(child=serializers.SlugField(), **options)


ClaimSerializer = _table_serializer(
    "ClaimSerializer",
    CLAIM_TABLE,
    {
        "id": serializers.IntegerField,
        "outcome": serializers.SlugField,
        "side": _nullable_text,
        "claimant": serializers.SlugField,
        "status": _nullable_text,
        "withdrawal": serializers.BooleanField,
        "claimed_on": serializers.DateField,
        "claimed_on_precision": serializers.CharField,
        "words": serializers.CharField,
        "sources": _slugs,
        "current": serializers.BooleanField,
        "ruling": _nullable_text,
        "disputed": serializers.BooleanField,
    },
)
ConditionSerializer = _table_serializer(
    "ConditionSerializer",
    CONDITIONS,
    {
        "id": serializers.IntegerField,
        "outcome": serializers.SlugField,
        "kind": serializers.CharField,
        "required": serializers.SlugField,
        "required_side": _nullable_text,
        "wording": serializers.CharField,
        "evidence": serializers.CharField,
        "met_when": _nullable_text,
        "met_on": lambda **o: serializers.DateField(allow_null=True, **o),
        "met_on_precision": serializers.CharField,
        "met_source": _nullable_text,
        "sources": _slugs,
        "outcome_waiting": serializers.BooleanField,
        "required_waiting": lambda **o: serializers.BooleanField(allow_null=True, **o),
    },
)
LinkSerializer = _table_serializer(
    "LinkSerializer",
    LINKS,
    {
        "id": serializers.IntegerField,
        "earlier": serializers.SlugField,
        "earlier_summit": serializers.SlugField,
        "kind": serializers.CharField,
        "later": serializers.SlugField,
        "later_summit": serializers.SlugField,
        "date": serializers.DateField,
        "date_precision": serializers.CharField,
        "evidence": serializers.CharField,
        "note": _nullable_text,
        "sources": _slugs,
    },
)


class StatusEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="#update-<id> on the outcome page.")
    outcome = slug_of()
    party = serializers.SerializerMethodField(
        help_text="The actor slug of the party whose side it assesses; null: the whole outcome."
    )
    status = serializers.ChoiceField(choices=Status.choices)
    effective_date = serializers.DateField()
    effective_date_precision = precision_field()
    undated = serializers.BooleanField(
        help_text="true: no source dates it; effective_date is when it was recorded."
    )
    summary = serializers.CharField()
    progress = serializers.IntegerField(allow_null=True, help_text="Percent, if recorded.")
    sources = slugs_of()
    corrects = serializers.IntegerField(
        source="corrects_id", allow_null=True, help_text="The id of the entry it corrects."
    )
    in_force = serializers.BooleanField(
        help_text="false for a draft, or for an entry a published correction replaces."
    )
    recorded_at = serializers.DateTimeField()
    published = serializers.SerializerMethodField(help_text="false: a draft (staff only).")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_party(self, entry):
        return entry.party.actor.slug if entry.party_id else None

    @extend_schema_field(serializers.BooleanField())
    def get_published(self, entry):
        return entry.published_at is not None


class FollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    outcome = slug_of()
    kind = serializers.ChoiceField(choices=FollowUpKind.choices)
    title = serializers.CharField()
    location = serializers.CharField()
    status = serializers.ChoiceField(
        choices=FollowUpStatus.choices, source="status_then", help_text="On the date asked for."
    )
    due_date = serializers.DateField(source="due_date_then", allow_null=True)
    due_date_precision = serializers.ChoiceField(
        choices=DatePrecision.choices, source="due_date_precision_then"
    )
    overdue = serializers.BooleanField(source="overdue_then")
    held_on = serializers.DateField(allow_null=True)
    resulting_summit = slug_of(allow_null=True)
    note = serializers.CharField()
    sources = slugs_of()


class OutcomeDetailSerializer(OutcomeSerializer):
    """An outcome: its export row, and what its page shows beside it."""

    description = serializers.CharField()
    party_sides = PartySideSerializer(many=True, help_text="Each party, with its side’s status.")
    claims = ClaimSerializer(many=True)
    conditions = ConditionSerializer(many=True, help_text="Its conditions, on either side.")
    links = LinkSerializer(many=True, help_text="Its links across summits, at either end.")
    sub_commitments = serializers.ListField(child=serializers.SlugField())
    status_entries = StatusEntrySerializer(many=True, help_text="Its history, oldest first.")
    follow_ups = FollowUpSerializer(many=True)
