"""The filters of the lists: outcomes (/outcomes/, shared with its CSV and JSON exports) and
summits (/summits/).

OutcomeFilter expects a queryset from OutcomeQuerySet.for_list() or for_export(): the status
and overdue filters read the status as of the page's date (shown_status, overdue_then), so
that ?as_of changes what they select. An invalid value fails the form's validation and is
left out of cleaned_data: that filter is ignored and notices() says so.
"""

import datetime
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import django_filters
from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone

from actors.models import Actor
from core.params import IsoDateField
from outcomes.dependencies import waiting_q
from outcomes.models import (
    NO_STATUS_LABEL,
    FollowUpKind,
    FollowUpStatus,
    Outcome,
    OutcomeParty,
    OutcomeType,
    Status,
    disputed_q,
    status_rank,
)
from summits.models import (
    Participation,
    Process,
    ProposalKind,
    Summit,
    SummitStatus,
    Theme,
)

NO_STATUS = "none"

# The summit and party filters offer at most this many values (those with the most results,
# the chosen one always): 5,000 summits would make a drop-down nobody can use and a page of
# 600 KB. The form says how many more there are and where to find them.
FACET_LIMIT = 100

# Each sort: its label and its ordering. "summit" is the list's default (in_list_order).
SORTS = {
    "summit": "Summit, newest first",
    "title": "Title, A to Z",
    "due": "Due date, soonest first",
    "status": "Status",
    "changed": "Recently changed",
}
DEFAULT_SORT = "summit"

# What to tell the reader when a value is not valid, per filter.
_HINTS = {
    "status": "is not a status",
    "type": "is not an outcome type",
    "summit": "is not a summit in the tracker",
    "actor": "is not an actor in the tracker",
    "overdue": "is not a valid value (use 1)",
    "disputed": "is not a valid value (use 1)",
    "waiting": "is not a valid value (use 1)",
    "process": "is not a process in the tracker",
    "sort": "is not a way to sort this list",
}


@dataclass(frozen=True)
class Option:
    """One value of a filter as the filter form offers it, with its number of results."""

    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class ActiveFilter:
    """A filter in use, with the address of the same list without it."""

    label: str
    value: str
    remove_url: str


class IsoDateFilter(django_filters.DateFilter):
    """A date filter read by the one date rule (core.params): YYYY-MM-DD, within bounds."""

    field_class = IsoDateField


class OutcomeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[*Status.choices, (NO_STATUS, NO_STATUS_LABEL)],
        method="filter_status",
    )
    type = django_filters.ChoiceFilter(label="Type", choices=OutcomeType.choices)
    summit = django_filters.ModelChoiceFilter(
        label="Summit", queryset=Summit.objects.all(), to_field_name="slug"
    )
    actor = django_filters.ModelChoiceFilter(
        label="Party",
        queryset=Actor.objects.all(),
        to_field_name="slug",
        method="filter_actor",
    )
    process = django_filters.ModelChoiceFilter(
        label="Process",
        queryset=Process.objects.all(),
        to_field_name="slug",
        field_name="summit__process",
    )
    overdue = django_filters.ChoiceFilter(
        label="Overdue", choices=[("1", "Overdue only")], method="filter_overdue"
    )
    disputed = django_filters.ChoiceFilter(
        label="Disputed", choices=[("1", "Disputed only")], method="filter_disputed"
    )
    waiting = django_filters.ChoiceFilter(
        label="Waiting", choices=[("1", "Waiting on a condition")], method="filter_waiting"
    )
    due_after = IsoDateFilter(label="Due on or after", field_name="due_date", lookup_expr="gte")
    due_before = IsoDateFilter(label="Due on or before", field_name="due_date", lookup_expr="lte")
    q = django_filters.CharFilter(label="Text", method="filter_text")
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=list(SORTS.items()), method="sort_by"
    )

    # Who looks, and at which moment (PageContext): the party filter and counts use the
    # links they may see; the disputed and waiting filters read claims and conditions on
    # the page's date (status_on: None for today). Public, now, unless from_request says
    # otherwise.
    user = None
    known_at = None
    status_on = None

    @classmethod
    def from_request(cls, request, page, queryset: QuerySet) -> "OutcomeFilter":
        """Bound to the request's parameters, with the text cut as PageContext.text() does."""
        data = request.GET.copy()
        if "q" in data:
            data["q"] = page.text("q")
        filters = cls(data, queryset=queryset, request=request)
        filters.user, filters.known_at = request.user, page.known_at
        filters.status_on = page.status_on
        # Only the processes the reader may see can be chosen (a draft's slug is unknown).
        filters.filters["process"].queryset = Process.objects.visible_to(
            request.user, page.known_at
        )
        return filters

    # --- Filters -------------------------------------------------------------------------

    def filter_status(self, queryset, name, value):
        return queryset.filter(shown_status="" if value == NO_STATUS else value)

    def filter_actor(self, queryset, name, actor):
        return queryset.party_to(actor, self.user, self.known_at)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_then=True)

    def filter_disputed(self, queryset, name, value):
        return queryset.filter(disputed_q(self.status_on, self.known_at))

    def filter_waiting(self, queryset, name, value):
        return queryset.filter(waiting_q(self.status_date, self.known_at))

    @property
    def status_date(self) -> datetime.date:
        return self.status_on or timezone.localdate()

    def filter_text(self, queryset, name, value):
        # The matching rule of /search/ (core.search), so that both find the same outcomes.
        return queryset.matching(value)

    def sort_by(self, queryset, name, value):
        if value == "title":
            return queryset.order_by("title", "pk")
        if value == "due":
            return queryset.order_by(F("due_date").asc(nulls_last=True), "title", "pk")
        if value == "status":
            return queryset.alias(status_rank=status_rank()).order_by("status_rank", "title", "pk")
        if value == "changed":
            # The entry's date as ISO text, which sorts as the dates do.
            since = KT("shown_entry__since")
            return queryset.order_by(since.desc(nulls_last=True), "title", "pk")
        return queryset  # "summit": the queryset's own order, in_list_order()

    # --- What the page shows about the filters --------------------------------------------

    @property
    def current_sort(self) -> str:
        return self.form.cleaned_data.get("sort") or DEFAULT_SORT

    def notices(self) -> list[str]:
        """One sentence per ignored value, quoting it (cut short) and saying what was wrong."""
        return [
            f"{problem} Ignored." if dated else f"{problem.removesuffix('.')}; ignored."
            for problem, dated in self._problems()
        ]

    def problems(self) -> list[str]:
        """The same sentences for a caller that refuses the request (the API)."""
        return [problem for problem, _ in self._problems()]

    def _problems(self) -> list[tuple[str, bool]]:
        problems = []
        for name, errors in self.errors.items():
            label = self.filters[name].label
            if isinstance(self.filters[name], IsoDateFilter):  # the date rule says what is wrong
                problems.append((f"{label}: {errors[0]}", True))
                continue
            raw = str(self.data.get(name, "")).replace("\x00", "")
            shown = raw if len(raw) <= 40 else raw[:40] + "…"
            problems.append((f"{label}: “{shown}” {_HINTS.get(name, 'is not valid')}.", False))
        return problems

    def others(self, name: str) -> QuerySet:
        """The outcomes every filter but `name` (and the sort) selects."""
        self.form.is_valid()  # fills cleaned_data with the valid values only
        queryset = self.queryset.all()
        for other, value in self.form.cleaned_data.items():
            if other not in (name, "sort"):
                queryset = self.filters[other].filter(queryset, value)
        return queryset

    def counts(self, name: str, *fields: str) -> QuerySet:
        """Results per value of one filter on the set every *other* filter selects, so that
        each count says how many choosing that value would give: one GROUP BY query. The
        filters never join a many-valued relation (the party filter is a subquery), so each
        outcome is one row and a plain COUNT suffices: COUNT(DISTINCT) sorts every group."""
        return self.others(name).order_by().values(*fields).annotate(n=Count("pk"))

    def party_counts(self) -> QuerySet:
        """Outcomes per party on the set the other filters select: one GROUP BY query over
        the parties of those outcomes (a subquery), counting each outcome once per actor
        even when the actor has two roles in it."""
        outcomes = self.others("actor").order_by().values("pk")
        return (
            OutcomeParty.objects.visible_to(self.user, self.known_at)
            .filter(outcome__in=outcomes)
            .order_by()
            .values("actor__slug", "actor__name", "actor__short_name")
            .annotate(n=Count("outcome", distinct=True))
        )

    def facets(self) -> dict:
        """The options of the status, type, summit and party filters with their counts (four
        GROUP BY queries, whatever the number of outcomes), and under "more" how many summits
        and parties with results are not offered (FACET_LIMIT). Plain data, so that the view
        can cache it (core/cache.py): describe() says what it depends on."""
        chosen = self.form.cleaned_data
        statuses = {row["shown_status"]: row["n"] for row in self.counts("status", "shown_status")}
        types = {row["type"]: row["n"] for row in self.counts("type", "type")}
        summit, actor = chosen.get("summit"), chosen.get("actor")
        # Newest first, as the summit list, then by name; undated ones last.
        summit_rows = sorted(
            self.counts("summit", "summit__slug", "summit__name", "summit__start_date"),
            key=lambda r: r["summit__name"],
        )
        summit_rows.sort(key=lambda r: r["summit__start_date"] or datetime.date.min, reverse=True)
        summit_options, more_summits = _offered(
            [Option(r["summit__slug"], r["summit__name"], r["n"], False) for r in summit_rows],
            summit and (summit.slug, summit.name),
        )
        actor_options, more_actors = _offered(
            sorted(
                (
                    Option(
                        r["actor__slug"], r["actor__short_name"] or r["actor__name"], r["n"], False
                    )
                    for r in self.party_counts()
                ),
                key=lambda option: option.label.casefold(),
            ),
            actor and (actor.slug, actor.display_name),
        )
        return {
            "status": [
                Option(
                    value,
                    label,
                    statuses.get("" if value == NO_STATUS else value, 0),
                    chosen.get("status") == value,
                )
                for value, label in self.filters["status"].extra["choices"]
            ],
            "type": [
                Option(value, label, types.get(value, 0), chosen.get("type") == value)
                for value, label in OutcomeType.choices
            ],
            "summit": summit_options,
            "actor": actor_options,
            "process": self.process_options(),
            **self.claim_and_condition_counts(),
            "more": {"summit": more_summits, "actor": more_actors},
        }

    def claim_and_condition_counts(self) -> dict[str, int]:
        """How many outcomes are disputed, and how many waiting, on the page's date, in the
        set the other filters select: one query when neither of the two is chosen (the two
        sets are then the same), else one each."""
        conditions = {
            "disputed": disputed_q(self.status_on, self.known_at),
            "waiting": waiting_q(self.status_date, self.known_at),
        }
        chosen = self.form.cleaned_data
        if not chosen.get("disputed") and not chosen.get("waiting"):
            counts = {name: Count("pk", filter=q) for name, q in conditions.items()}
            return self.others("disputed").order_by().aggregate(**counts)
        return {name: self.others(name).filter(q).count() for name, q in conditions.items()}

    def process_options(self) -> list[Option]:
        """The processes with outcomes in the set the other filters select, by name, with
        their counts (one GROUP BY query); the chosen one always."""
        visible = Process.objects.visible_to(self.user, self.known_at)
        rows = self.counts("process", "summit__process__slug", "summit__process__name").filter(
            summit__process__in=visible
        )
        chosen = self.form.cleaned_data.get("process")
        options = [
            Option(r["summit__process__slug"], r["summit__process__name"], r["n"], False)
            for r in sorted(rows, key=lambda r: r["summit__process__name"] or "")
            if r["summit__process__slug"]
        ]
        return _offered(options, chosen and (chosen.slug, chosen.name))[0]

    def describe(self) -> dict:
        """The valid filters in use as plain values (slugs for summit and party), sort
        excluded: with the page's date and draft visibility, all that facets() depends on
        beside the data."""
        self.form.is_valid()
        return {
            name: getattr(value, "slug", value)
            for name, value in self.form.cleaned_data.items()
            if name != "sort" and value not in (None, "")
        }

    @staticmethod
    def total(facets: dict) -> int:
        """How many outcomes the filters select, read off the status facet (counted without
        the status filter): every outcome has exactly one status, or none."""
        chosen = [option.count for option in facets["status"] if option.selected]
        return chosen[0] if chosen else sum(option.count for option in facets["status"])

    def active(self, path: str) -> list[ActiveFilter]:
        """The valid filters in use (not the sort), each with a link that removes it."""
        active = []
        for name, value in self.form.cleaned_data.items():
            if name == "sort" or value in (None, ""):
                continue
            params = self.data.copy()
            params.pop(name, None)
            params.pop("page", None)
            query = urlencode(list(params.lists()), doseq=True)
            active.append(
                ActiveFilter(
                    self.filters[name].label,
                    _describe(self.filters[name], value),
                    f"{path}?{query}" if query else path,
                )
            )
        return active


def _offered(options: list[Option], chosen: tuple[str, str] | None) -> tuple[list[Option], int]:
    """The options a filter offers, in the order given: the FACET_LIMIT with the most results
    (ties: the first given), and the chosen value (slug, label) always, selected, with 0
    results if it has none here. Also how many values with results are left out."""
    ranked = sorted(range(len(options)), key=lambda i: -options[i].count)
    kept = set(ranked[:FACET_LIMIT])
    if chosen:
        kept |= {i for i, option in enumerate(options) if option.value == chosen[0]}
    offered = [
        replace(option, selected=bool(chosen) and option.value == chosen[0])
        for i, option in enumerate(options)
        if i in kept
    ]
    if chosen and not any(option.selected for option in offered):
        offered.insert(0, Option(chosen[0], chosen[1], 0, True))
    return offered, len(options) - len(kept)


def _describe(filter_, value) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Actor):
        return value.display_name
    if isinstance(value, (Summit, Process)):
        return value.name
    choices = dict(filter_.extra.get("choices", ()))
    return str(choices.get(value, value))


# --- The summit list (/summits/?year=&actor=&status=) -------------------------------------
# An invalid value (year=abc, an unknown actor, status=bogus) fails validation; django-filter
# then leaves that filter out, and the view turns the form's errors into notices.


class SummitFilter(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(
        field_name="start_date",
        lookup_expr="year",
        label="Year",
        empty_label="Any year",
    )
    actor = django_filters.ChoiceFilter(
        method="filter_actor", label="Participant", empty_label="Any participant"
    )
    status = django_filters.ChoiceFilter(
        choices=SummitStatus.choices, label="Status", empty_label="Any status"
    )

    class Meta:
        model = Summit
        fields = ["year", "actor", "status"]

    def __init__(self, *args, participations=None, **kwargs):
        """queryset: the summits the reader may see; participations: the participations
        they may see (default: the public ones). Only their years and participants are
        offered."""
        super().__init__(*args, **kwargs)
        self.participations = (
            Participation.objects.public() if participations is None else participations
        )
        # Choices are read once here (one query each) and serve both validation and the
        # <select>; a ModelChoiceFilter would query again to validate.
        years = self.queryset.dates("start_date", "year", order="DESC")
        self.filters["year"].extra["choices"] = [(d.year, str(d.year)) for d in years]
        shown = self.participations.filter(summit__in=self.queryset.order_by().values("pk"))
        participants = (
            Actor.objects.filter(Exists(shown.filter(actor=OuterRef("pk"))))
            .order_by("name")
            .values_list("slug", "short_name", "name")
        )
        self.filters["actor"].extra["choices"] = [
            (slug, short_name or name) for slug, short_name, name in participants
        ]

    def filter_actor(self, queryset, name, value):
        # Exists rather than a join, so that counts annotated on the summits stay whole.
        return queryset.filter(
            Exists(self.participations.filter(summit=OuterRef("pk"), actor__slug=value))
        )

    def notices(self) -> list[str]:
        """One sentence per parameter that was ignored because its value is not valid."""
        return [f"{problem}; that filter was ignored." for _, problem in self._problems()]

    def problems(self) -> list[str]:
        """The same sentences for a caller that refuses the request (the API)."""
        return [f"{name}: {problem}." for name, problem in self._problems()]

    def _problems(self) -> list[tuple[str, str]]:
        labels = {"year": "year", "actor": "participant", "status": "summit status"}
        return [
            (name, f"“{str(self.data.get(name, ''))[:40]}” is not a known {labels[name]}")
            for name in self.errors
        ]


# --- The API's other collections (/api/v1/proposals/, status-entries/, follow-ups/) --------
# Lists that have no page of their own with filters: a slug names each record, as elsewhere.


class _SlugFilters(django_filters.FilterSet):
    """problems(): one sentence per value that is not valid, quoting it."""

    def problems(self) -> list[str]:
        return [
            f"{self.filters[name].label}: “{str(self.data.get(name, ''))[:40]}” is not valid "
            f"({errors[0].rstrip('.')})."
            for name, errors in self.errors.items()
        ]


class ProposalFilter(_SlugFilters):
    summit = django_filters.ModelChoiceFilter(
        label="Summit", queryset=Summit.objects.all(), to_field_name="slug"
    )
    actor = django_filters.ModelChoiceFilter(
        label="Proposed by", queryset=Actor.objects.all(), to_field_name="slug"
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=ProposalKind.choices)
    theme = django_filters.ChoiceFilter(label="Theme", choices=Theme.choices)


class StatusEntryFilter(_SlugFilters):
    outcome = django_filters.ModelChoiceFilter(
        label="Outcome", queryset=Outcome.objects.all(), to_field_name="slug"
    )
    party = django_filters.ModelChoiceFilter(
        label="Party",
        queryset=Actor.objects.all(),
        to_field_name="slug",
        field_name="party__actor",
    )
    status = django_filters.ChoiceFilter(label="Status", choices=Status.choices)
    whole_outcome = django_filters.BooleanFilter(
        label="Whole outcome", field_name="party", lookup_expr="isnull"
    )


class FollowUpFilter(_SlugFilters):
    outcome = django_filters.ModelChoiceFilter(
        label="Outcome", queryset=Outcome.objects.all(), to_field_name="slug"
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=FollowUpStatus.choices, field_name="status_then"
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=FollowUpKind.choices)
