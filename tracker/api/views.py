"""The API's views: one list and one record view per resource, on one base (ReadView).

Every view:
- reads as_of and known_at as the pages do (PageContext), and its filters with the FilterSet
  of the list page (outcomes, summits) or of tracker.filters (the rest); a value that is not
  valid gets a 400 with one sentence per problem, never a silently different answer;
- shows what the reader may see (visible_to: drafts for signed-in staff or a staff token,
  published records for everyone else; with known_at, what was public at the end of that day);
- answers with ETag and Last-Modified from the data version (DataVersion.stamp), and a 304 to
  a client whose If-None-Match or If-Modified-Since says it has the answer already;
- runs a fixed number of queries, whatever the number of records (tests/api pins them).

Collections are paged by cursor in the order of their ids (stable however the data grows):
follow `next` until it is null.
"""

import datetime
import hashlib

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe, quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers as drf
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from actors.models import Actor, ActorKind, Source, SourceKind
from core.db import joined_texts
from core.models import DataVersion
from core.params import BIGGEST_ID, BadValue, parse_id, parse_whole_number
from core.prepared import Prepared, Slot
from core.publishing import can_see_drafts
from outcomes.assessments import Window, party_entry_in_force
from outcomes.models import FollowUp, Outcome, OutcomeParty, StatusUpdate
from summits.models import Participation, Process, Proposal, Summit

from .. import filters as list_filters
from ..views.common import PageContext
from ..views.exports import (
    CLAIMS,
    CONDITIONS,
    LINKS,
    export_rows,
    row_maker,
)
from . import serializers

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


# --- Errors, throttling, paging -----------------------------------------------------------


class BadParameters(APIException):
    status_code = 400
    default_detail = "Some parameters are not valid."
    default_code = "bad_parameters"

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def errors_as_json(exc, context):
    """Every error as {"detail": one sentence, "errors": [each problem]}: DRF's own (404,
    405, 429, ...) and the parameters' (400). Anything else is a bug, left to Django's 500."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, BadParameters):
        problems = exc.problems
        detail = "Some parameters are not valid: nothing was selected."
    elif isinstance(exc, ValidationError):
        problems = [str(error) for error in _flatten(exc.detail)]
        detail = "Some parameters are not valid: nothing was selected."
    else:
        detail = str(exc.detail) if hasattr(exc, "detail") else str(exc)
        problems = [detail]
    response.data = {"detail": detail, "errors": problems}
    return response


def _flatten(detail):
    if isinstance(detail, dict):
        for name, value in detail.items():
            for error in _flatten(value):
                yield f"{name}: {error}"
    elif isinstance(detail, list):
        for value in detail:
            yield from _flatten(value)
    else:
        yield detail


INVALID_CURSOR = (
    "The cursor is not one this API gave: follow the next and previous links as given, or "
    "start again without a cursor."
)


class Cursor(CursorPagination):
    """Pages of PAGE_SIZE (?page_size= up to MAX_PAGE_SIZE) in the order of the ids, with
    next and previous links; the envelope also says the as_of and known_at of the answer."""

    ordering = "pk"
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get("page_size", "").strip()
        if not raw:
            return self.page_size
        try:
            what = f"a page size from 1 to {MAX_PAGE_SIZE}"
            return parse_whole_number(raw, what, low=1, high=MAX_PAGE_SIZE)
        except BadValue as error:
            raise BadParameters([f"page_size: {error}."]) from None

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise BadParameters([INVALID_CURSOR]) from None
        if cursor is not None and cursor.position is not None:
            try:
                parse_whole_number(cursor.position, "an id", low=0, high=BIGGEST_ID)
            except BadValue:
                raise BadParameters([INVALID_CURSOR]) from None
        return cursor

    def get_paginated_response(self, data):
        return Response(
            {
                **self.envelope,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Records per page ({PAGE_SIZE} if not given)."
                parameter["schema"].update(minimum=1, maximum=MAX_PAGE_SIZE)
            else:
                parameter["description"] = "The position given by a next or previous link."
        return parameters

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["as_of", "known_at", "next", "previous", "results"],
            "properties": {
                "as_of": {
                    "type": "string",
                    "format": "date",
                    "nullable": True,
                    "description": "The date of the statuses, if not today.",
                },
                "known_at": {
                    "type": "string",
                    "format": "date",
                    "nullable": True,
                    "description": "The day as of whose end the records are shown, if given.",
                },
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }


# --- The base ------------------------------------------------------------------------------

ERROR = inline_serializer(
    "Error",
    {
        "detail": drf.CharField(help_text="What went wrong, in a sentence."),
        "errors": drf.ListField(child=drf.CharField(), help_text="Each problem."),
    },
)
ERRORS = {
    400: OpenApiResponse(ERROR, "A parameter is not valid; nothing was selected."),
    404: OpenApiResponse(ERROR, "No such record (or not public on the known-at day)."),
    429: OpenApiResponse(ERROR, "Too many requests from this address: wait and retry."),
}
NOT_MODIFIED = {304: OpenApiResponse(description="Not modified since the ETag given.")}
DATES = [
    OpenApiParameter(
        "as_of",
        OpenApiTypes.DATE,
        description="YYYY-MM-DD: statuses as they stood on that day (not in the future).",
    ),
    OpenApiParameter(
        "known_at",
        OpenApiTypes.DATE,
        description="YYYY-MM-DD: the records as the tracker published them at the end of that "
        "day (from the publication log), with the statuses of that day unless as_of is given.",
    ),
]


def parameters_of(filterset) -> list[OpenApiParameter]:
    """The query parameters of a FilterSet, documented from its own filters: the values of
    a choice, a slug for a record, a date for a date."""
    documented = []
    for name, filter_ in filterset.base_filters.items():
        choices = filter_.extra.get("choices")
        enum = [value for value, _ in choices] if choices and not callable(choices) else None
        if hasattr(filter_, "queryset") or "to_field_name" in filter_.extra:
            kind, text = str, f"{filter_.label}: its slug."
        elif isinstance(filter_, list_filters.IsoDateFilter):
            kind, text = OpenApiTypes.DATE, f"{filter_.label}: YYYY-MM-DD."
        elif filter_.__class__.__name__ == "BooleanFilter":
            kind, text = bool, f"{filter_.label}: true or false."
        else:
            kind, text = str, f"{filter_.label}."
        documented.append(OpenApiParameter(name, kind, enum=enum, description=text))
    return documented


class ReadView(GenericAPIView):
    """GET only; the reader's dates (self.page), visibility, and the conditional answer."""

    pagination_class = None
    http_method_names = ["get", "head", "options"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.page = PageContext(request)

    @property
    def user(self):
        return self.request.user

    @property
    def known_at(self):
        return self.page.known_at

    def visible(self, model):
        return model.objects.visible_to(self.user, self.known_at)

    def refuse_bad_dates(self, extra: list[str] = ()) -> None:
        problems = [*self.page.problems, *extra]
        if problems:
            raise BadParameters(problems)

    @property
    def envelope(self) -> dict:
        return {
            "as_of": _iso(self.page.as_of),
            "known_at": _iso(self.page.known_on),
        }

    def get(self, request, *args, **kwargs):
        tag, modified = self.validators(request)
        if _not_modified(request, tag, modified):
            response = Response(status=304)
        else:
            response = self.read(request, *args, **kwargs)
        if response.status_code in (200, 304):
            response["ETag"] = tag
            response["Last-Modified"] = http_date(modified.timestamp())
        # Staff see drafts: their answers are theirs alone.
        response["Cache-Control"] = (
            "private, no-cache" if can_see_drafts(request.user) else "public, no-cache"
        )
        patch_vary_headers(response, ["Authorization", "Cookie"])
        return response

    def validators(self, request) -> tuple[str, datetime.datetime]:
        """The ETag and Last-Modified of the answer: a function of the data version, the
        address, whether the reader sees drafts and today's date ("overdue" changes with
        it), so that any change of any record, or midnight, makes a new one."""
        token, changed_at = DataVersion.stamp()
        today = timezone.localdate()
        drafts = can_see_drafts(request.user)
        key = f"{token}|{request.get_full_path()}|{drafts}|{today.isoformat()}"
        tag = quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])
        midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
        return tag, max(changed_at or midnight, midnight)

    def read(self, request, *args, **kwargs):
        raise NotImplementedError


def _not_modified(request, tag: str, modified: datetime.datetime) -> bool:
    """RFC 9110: If-None-Match, if sent, decides; else If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:
        tags = parse_etags(if_none_match)
        return "*" in tags or tag in tags or tag in [t.removeprefix("W/") for t in tags]
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and int(modified.timestamp()) <= since


def _iso(date) -> str | None:
    return date.isoformat() if date else None


class ListView(ReadView):
    """A collection: filtered, paged by cursor."""

    pagination_class = Cursor

    def read(self, request, *args, **kwargs):
        records = self.records()
        self.paginator.envelope = self.envelope
        page = self.paginate_queryset(records)
        return self.get_paginated_response(self.represent(page))

    def records(self):
        raise NotImplementedError

    def represent(self, records) -> list:
        return self.get_serializer(records, many=True).data

    def filtered(self, filterset_class, queryset, **options):
        """queryset filtered by the FilterSet, refusing the request if a value is not valid.
        A filter naming a record by its slug knows only those the reader may see: a draft's
        slug is as unknown as a mistyped one."""
        filters = filterset_class(self.request.GET, queryset=queryset, **options)
        for filter_ in filters.filters.values():
            model = getattr(getattr(filter_, "queryset", None), "model", None)
            if model is not None and hasattr(model.objects, "visible_to"):
                filter_.queryset = self.visible(model)
        self.refuse_bad_dates(filters.problems() if not filters.is_valid() else [])
        return filters.qs


class RecordView(ReadView):
    """One record, by its slug (or id)."""

    lookup = "slug"

    def read(self, request, *args, **kwargs):
        self.refuse_bad_dates()
        return Response(self.represent(self.record(kwargs[self.lookup])))

    def represent(self, record):
        return self.get_serializer(record).data

    def found(self, queryset, model, **lookup):
        record = queryset.filter(**lookup).first()
        if record is None:
            self.not_found(model, **lookup)
        return record

    def not_found(self, model, **lookup):
        kind = model._meta.verbose_name
        if self.known_at is not None and model.objects.filter(**lookup).exists():
            public = getattr(model.objects, "public", None)
            if public is not None and public().filter(**lookup).exists():
                raise NotFound(
                    f"This {kind} was not yet public at the end of {self.page.known_on}: ask "
                    "without known_at for it as it is published now."
                )
        raise NotFound(f"No {kind} is published at this address.")


def _by_id(raw: str) -> int:
    try:
        return parse_id(raw)
    except BadValue as error:
        raise NotFound(f"{error}.") from None


def sources_by_slug():
    return Prefetch("sources", queryset=Source.objects.order_by("slug"))


# --- The root --------------------------------------------------------------------------------


class Root(APIView):
    """What the API holds, and where its schema and documentation are."""

    http_method_names = ["get", "head", "options"]

    @extend_schema(
        responses=inline_serializer(
            "Root",
            {
                "resources": drf.DictField(child=drf.URLField()),
                "schema": drf.URLField(),
                "documentation": drf.URLField(),
            },
        )
    )
    def get(self, request):
        names = [
            "summits",
            "processes",
            "actors",
            "sources",
            "proposals",
            "outcomes",
            "status-entries",
            "follow-ups",
        ]
        absolute = request.build_absolute_uri
        return Response(
            {
                "resources": {name: absolute(reverse(f"api:{name}")) for name in names},
                "schema": absolute(reverse("api:schema")),
                "documentation": absolute(reverse("api:docs")),
            }
        )


# --- Actors and sources (always public) ------------------------------------------------------


@extend_schema(
    parameters=[
        OpenApiParameter("kind", str, enum=ActorKind.values, description="Kind of actor."),
    ],
    responses={200: serializers.ActorSerializer(many=True), **NOT_MODIFIED, **ERRORS},
)
class ActorList(ListView):
    serializer_class = serializers.ActorSerializer

    def records(self):
        self.refuse_bad_dates(_vocabulary(self.request, "kind", ActorKind, "a kind of actor"))
        actors = Actor.objects.select_related("country")
        kind = self.request.GET.get("kind", "").strip()
        return actors.filter(kind=kind) if kind else actors


def _vocabulary(request, name: str, choices, what: str) -> list[str]:
    value = request.GET.get(name, "").strip()
    if value and value not in choices.values:
        return [f"{name}: “{value[:40]}” is not {what} (one of {', '.join(choices.values)})."]
    return []


@extend_schema(responses={200: serializers.ActorSerializer, **NOT_MODIFIED, **ERRORS})
class ActorRecord(RecordView):
    serializer_class = serializers.ActorSerializer

    def record(self, slug):
        return self.found(Actor.objects.select_related("country"), Actor, slug=slug)


@extend_schema(
    parameters=[
        OpenApiParameter("kind", str, enum=SourceKind.values, description="Kind of source."),
    ],
    responses={200: serializers.SourceSerializer(many=True), **NOT_MODIFIED, **ERRORS},
)
class SourceList(ListView):
    serializer_class = serializers.SourceSerializer

    def records(self):
        self.refuse_bad_dates(_vocabulary(self.request, "kind", SourceKind, "a kind of source"))
        sources = Source.objects.select_related("listed_in")
        kind = self.request.GET.get("kind", "").strip()
        return sources.filter(kind=kind) if kind else sources


@extend_schema(responses={200: serializers.SourceSerializer, **NOT_MODIFIED, **ERRORS})
class SourceRecord(RecordView):
    serializer_class = serializers.SourceSerializer

    def record(self, slug):
        return self.found(Source.objects.select_related("listed_in"), Source, slug=slug)


# --- Summits, processes, proposals ---------------------------------------------------------


class SummitMixin:
    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["processes"] = self.visible_processes
        return context

    def summits(self):
        self.visible_processes = set(self.visible(Process).values_list("pk", flat=True))
        return (
            self.visible(Summit)
            .select_related("country", "host", "process")
            .prefetch_related(sources_by_slug())
        )


@extend_schema(
    parameters=[*parameters_of(list_filters.SummitFilter), *DATES],
    responses={200: serializers.SummitSerializer(many=True), **NOT_MODIFIED, **ERRORS},
)
class SummitList(SummitMixin, ListView):
    serializer_class = serializers.SummitSerializer

    def records(self):
        self.refuse_bad_dates()
        return self.filtered(
            list_filters.SummitFilter,
            self.summits(),
            participations=self.visible(Participation),
        )


@extend_schema(
    parameters=DATES,
    responses={200: serializers.SummitDetailSerializer, **NOT_MODIFIED, **ERRORS},
)
class SummitRecord(SummitMixin, RecordView):
    serializer_class = serializers.SummitDetailSerializer

    def record(self, slug):
        summits = self.summits().prefetch_related(
            Prefetch(
                "participations",
                queryset=self.visible(Participation)
                .select_related("actor", "delegation_head")
                .order_by("pk"),
                to_attr="participant_list",
            ),
            Prefetch(
                "outcomes",
                queryset=self.visible(Outcome).order_by("order", "title", "pk"),
                to_attr="outcome_list",
            ),
        )
        return self.found(summits, Summit, slug=slug)


class ProcessMixin:
    def processes(self):
        return self.visible(Process).prefetch_related(
            sources_by_slug(),
            Prefetch(
                "summits",
                queryset=self.visible(Summit).order_by("start_date", "name", "pk"),
                to_attr="summit_list",
            ),
        )


@extend_schema(
    parameters=[*DATES],
    responses={200: serializers.ProcessSerializer(many=True), **NOT_MODIFIED, **ERRORS},
)
class ProcessList(ProcessMixin, ListView):
    serializer_class = serializers.ProcessSerializer

    def records(self):
        self.refuse_bad_dates()
        return self.processes()


@extend_schema(
    parameters=DATES, responses={200: serializers.ProcessSerializer, **NOT_MODIFIED, **ERRORS}
)
class ProcessRecord(ProcessMixin, RecordView):
    serializer_class = serializers.ProcessSerializer

    def record(self, slug):
        return self.found(self.processes(), Process, slug=slug)


def _proposals(view):
    return (
        view.visible(Proposal)
        .select_related("summit", "actor", "addressed_to")
        .prefetch_related(sources_by_slug())
    )


@extend_schema(
    parameters=[*parameters_of(list_filters.ProposalFilter), *DATES],
    responses={200: serializers.ProposalSerializer(many=True), **NOT_MODIFIED, **ERRORS},
)
class ProposalList(ListView):
    serializer_class = serializers.ProposalSerializer

    def records(self):
        self.refuse_bad_dates()
        return self.filtered(list_filters.ProposalFilter, _proposals(self))


@extend_schema(
    parameters=DATES, responses={200: serializers.ProposalSerializer, **NOT_MODIFIED, **ERRORS}
)
class ProposalRecord(RecordView):
    serializer_class = serializers.ProposalSerializer
    lookup = "id"

    def record(self, raw):
        return self.found(_proposals(self), Proposal, pk=_by_id(raw))


# --- Outcomes --------------------------------------------------------------------------------

OUTCOME_PARAMETERS = [
    *(p for p in parameters_of(list_filters.OutcomeFilter) if p.name != "sort"),
    *DATES,
]


@extend_schema(
    parameters=OUTCOME_PARAMETERS,
    responses={200: serializers.OutcomeSerializer(many=True), **NOT_MODIFIED, **ERRORS},
)
class OutcomeList(ListView):
    """The outcome list's filters (OutcomeFilter, as on /outcomes/ and in its exports); each
    outcome as a row of the JSON export."""

    serializer_class = serializers.OutcomeSerializer

    def records(self):
        if "sort" in self.request.GET:
            raise BadParameters(
                [
                    "sort: the API lists outcomes in the order of their ids, so that a cursor "
                    "stays valid while records are added; sort the results yourself."
                ]
            )
        # In two steps, as the HTML list pages: the page's ids first, filtered with only the
        # statuses the filters read, then those rows with the export's columns (export_rows).
        # In one query the database decided "disputed" and "waiting" for every outcome,
        # and building and planning it took longer than the rest: 140 ms a page at 2,000.
        page = self.page
        outcomes = self.visible(Outcome).with_status(page.status_on, page.known_at)
        filters = list_filters.OutcomeFilter.from_request(self.request, page, outcomes)
        self.refuse_bad_dates(filters.problems())
        return filters.qs.values("pk")

    def represent(self, records) -> list:
        row_of = row_maker(self.request)
        return [row_of(row) for row in export_rows(self.page, [r["pk"] for r in records])]


@extend_schema(
    parameters=DATES,
    responses={200: serializers.OutcomeDetailSerializer, **NOT_MODIFIED, **ERRORS},
)
class OutcomeRecord(RecordView):
    """One outcome: its export row, its parties with their sides' status, claims,
    conditions, links, sub-commitments, history and follow-ups, as on its page."""

    serializer_class = serializers.OutcomeDetailSerializer
    # One instance for every request: it reads no context, and a new one deep-copies its
    # fields and those of each nested serializer, a fifth of the record's time.
    representer = serializers.OutcomeDetailSerializer()

    def represent(self, record):
        # The entries and follow-ups are written already (_entry_json, _follow_up_json).
        written = {name: record[name] for name in ("status_entries", "follow_ups")}
        data = self.representer.to_representation({**record, **dict.fromkeys(written, [])})
        data.update(written)
        return data

    def record(self, slug):
        page, known_at = self.page, self.known_at
        drafts = can_see_drafts(self.user)
        # Every query of the record is prepared (built and compiled once per process): built
        # afresh for each request, the parties' assessments and the small look-ups cost more
        # than the database's time to run them.
        found = RECORD_OUTCOME.rows((drafts, known_at), slugs=[slug])
        if not found:
            self.not_found(Outcome, slug=slug)
        pk = found[0]["pk"]
        # With whether it has claims, conditions and links at all (export_rows' detail):
        # most have none, and building each table's query costs more than reading it.
        [row] = export_rows(page, [pk], detail=True)
        record = {**row_maker(self.request)(row), "description": row["description"]}
        parties = RECORD_PARTIES.rows((drafts, known_at, page.status_date), ids=[pk])
        record["party_sides"] = [
            {
                "actor": party["actor__slug"],
                "role": party["role"],
                "evidence": party["evidence"],
                "note": party["note"],
                "status": party["assessment"] and party["assessment"]["status"],
                "assessment": party["assessment"],
            }
            for party in parties
        ]
        for name, table in [("claims", CLAIMS), ("conditions", CONDITIONS), ("links", LINKS)]:
            record[name] = list(table.rows(page, about=pk)) if row[f"has_{name}"] else []
        subs = RECORD_SUB_COMMITMENTS.rows((drafts, known_at), ids=[pk])
        record["sub_commitments"] = [sub["slug"] for sub in subs]
        # As the status-entry and follow-up collections give them, read as values by
        # prepared queries: as model instances with their sources, through the serializers,
        # they took a third of the record's time.
        today = timezone.localdate()
        entries = RECORD_ENTRIES.rows((drafts, known_at), ids=[pk])
        record["status_entries"] = [_entry_json(entry) for entry in entries]
        follow_ups = RECORD_FOLLOW_UPS.rows((drafts, known_at, page.status_on, today), ids=[pk])
        record["follow_ups"] = [_follow_up_json(follow_up) for follow_up in follow_ups]
        return record


def _source_slugs(row) -> list[str]:
    return sorted(row["source_list"].split(";")) if row["source_list"] else []


def _sources_joined(model, link: str):
    return joined_texts(model.sources.through.objects, link, "source__slug", ";")


RECORD_OUTCOME = Prepared(
    lambda drafts, known_at: (
        Outcome.objects.visible(drafts, known_at).filter(slug__any=Slot("slugs")).values("pk")
    )
)
RECORD_PARTIES = Prepared(
    lambda drafts, known_at, day: (
        OutcomeParty.objects.visible(drafts, known_at)
        .filter(outcome_id__any=Slot("ids"))
        .annotate(assessment=party_entry_in_force(Window(None, day), known_at))
        .order_by("pk")
        .values("actor__slug", "role", "evidence", "note", "assessment")
    )
)
RECORD_SUB_COMMITMENTS = Prepared(
    lambda drafts, known_at: (
        Outcome.objects.visible(drafts, known_at)
        .filter(parent_id__any=Slot("ids"))
        .order_by("order", "title", "pk")
        .values("slug")
    )
)
RECORD_ENTRIES = Prepared(
    lambda drafts, known_at: (
        StatusUpdate.objects.visible(drafts, known_at)
        .filter(outcome_id__any=Slot("ids"))
        .with_in_force(known_at)
        .annotate(source_list=_sources_joined(StatusUpdate, "statusupdate"))
        .order_by("effective_date", "recorded_at", "pk")
        .values(
            *("id", "outcome__slug", "party__actor__slug", "status", "effective_date"),
            *("effective_date_precision", "undated", "summary", "progress", "corrects_id"),
            *("in_force", "recorded_at", "published_at", "source_list"),
        )
    )
)
RECORD_FOLLOW_UPS = Prepared(
    lambda drafts, known_at, day, today: (
        FollowUp.objects.visible(drafts, known_at)
        .filter(outcome_id__any=Slot("ids"))
        .with_state_on(day, known_at)
        .annotate(source_list=_sources_joined(FollowUp, "followup"))
        .values(
            *("id", "outcome__slug", "kind", "title", "location", "status_then"),
            *("due_date_then", "due_date_precision_then", "overdue_then", "held_on"),
            *("resulting_summit__slug", "note", "source_list"),
        )
    )
)
_DATETIME = drf.DateTimeField()  # the serializers' own rendering of a moment


def _entry_json(row) -> dict:
    """A status entry as serializers.StatusEntrySerializer gives it."""
    return {
        "id": row["id"],
        "outcome": row["outcome__slug"],
        "party": row["party__actor__slug"],
        "status": row["status"],
        "effective_date": _iso(row["effective_date"]),
        "effective_date_precision": row["effective_date_precision"],
        "undated": row["undated"],
        "summary": row["summary"],
        "progress": row["progress"],
        "sources": _source_slugs(row),
        "corrects": row["corrects_id"],
        "in_force": row["in_force"],
        "recorded_at": _DATETIME.to_representation(row["recorded_at"]),
        "published": row["published_at"] is not None,
    }


def _follow_up_json(row) -> dict:
    """A follow-up as serializers.FollowUpSerializer gives it."""
    return {
        "id": row["id"],
        "outcome": row["outcome__slug"],
        "kind": row["kind"],
        "title": row["title"],
        "location": row["location"],
        "status": row["status_then"],
        "due_date": _iso(row["due_date_then"]),
        "due_date_precision": row["due_date_precision_then"],
        "overdue": row["overdue_then"],
        "held_on": _iso(row["held_on"]),
        "resulting_summit": row["resulting_summit__slug"],
        "note": row["note"],
        "sources": _source_slugs(row),
    }


def _entries(view):
    return (
        view.visible(StatusUpdate)
        .with_in_force(view.known_at)
        .select_related("outcome", "party__actor")
        .prefetch_related(sources_by_slug())
    )


def _follow_ups(view):
    return (
        view.visible(FollowUp)
        .with_state_on(view.page.status_on, view.known_at)
        .select_related("outcome", "resulting_summit")
        .prefetch_related(sources_by_slug())
    )


@extend_schema(
    parameters=[*parameters_of(list_filters.StatusEntryFilter), *DATES],
    responses={200: serializers.StatusEntrySerializer(many=True), **NOT_MODIFIED, **ERRORS},
)
class StatusEntryList(ListView):
    """Status entries, whole-outcome rulings and parties' assessments; with as_of, those
    effective by then."""

    serializer_class = serializers.StatusEntrySerializer

    def records(self):
        self.refuse_bad_dates()
        entries = _entries(self)
        if self.page.as_of:
            entries = entries.filter(effective_date__lte=self.page.as_of)
        return self.filtered(list_filters.StatusEntryFilter, entries)


@extend_schema(
    parameters=DATES, responses={200: serializers.StatusEntrySerializer, **NOT_MODIFIED, **ERRORS}
)
class StatusEntryRecord(RecordView):
    serializer_class = serializers.StatusEntrySerializer
    lookup = "id"

    def record(self, raw):
        return self.found(_entries(self), StatusUpdate, pk=_by_id(raw))


@extend_schema(
    parameters=[*parameters_of(list_filters.FollowUpFilter), *DATES],
    responses={200: serializers.FollowUpSerializer(many=True), **NOT_MODIFIED, **ERRORS},
)
class FollowUpList(ListView):
    """Follow-ups as they stood on as_of (default today): status and due date then."""

    serializer_class = serializers.FollowUpSerializer

    def records(self):
        self.refuse_bad_dates()
        return self.filtered(list_filters.FollowUpFilter, _follow_ups(self))


@extend_schema(
    parameters=DATES, responses={200: serializers.FollowUpSerializer, **NOT_MODIFIED, **ERRORS}
)
class FollowUpRecord(RecordView):
    serializer_class = serializers.FollowUpSerializer
    lookup = "id"

    def record(self, raw):
        return self.found(_follow_ups(self), FollowUp, pk=_by_id(raw))


class NoSuchAddress(APIView):
    """Any other address under /api/v1/: a JSON 404 that says where to look."""

    schema = None

    def get(self, request, *args, **kwargs):
        raise NotFound(f"There is nothing at this address: {reverse('api:root')} lists the API.")

    post = put = patch = delete = get
