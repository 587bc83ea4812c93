"""/summits/ and /summits/<slug>/: what each summit was, who came, what they asked for, what
was agreed and what has become of it."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from operator import itemgetter

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from actors.models import DatePrecision, format_fuzzy_date
from summits.filters import SummitFilter
from summits.models import Summit

from ..cache import public_page
from ..models import (
    FollowUp,
    Outcome,
    Status,
    StatusUpdate,
    coarser_precision,
)
from .common import PageContext

SUMMITS_PER_PAGE = 20


@public_page
def summit_list(request):
    page = PageContext(request)
    filterset = SummitFilter(request.GET, queryset=Summit.objects.newest_first())
    page.notices.extend(filterset.notices())
    page_obj = page.paginate(filterset.qs, SUMMITS_PER_PAGE)
    # The paginator picks the page's summits by their ids alone; only those 20 get their
    # place, host and counts. Counted in the query that picks them, the counts would be
    # worked out for every summit skipped on the way to a deep page as well.
    outcomes = Outcome.objects.visible_to(request.user)
    page_obj.object_list = (
        Summit.objects.for_list()
        .annotate(
            outcome_count=outcomes.top_level().count_per("summit"),
            subcommitment_count=outcomes.exclude(parent=None).count_per("summit"),
        )
        .filter(pk__in=page_obj.object_list.values("pk"))
    )
    return render(
        request,
        "summits/summit_list.html",
        page.context(
            # Summits have no status history: the list ignores ?as_of rather than claim to
            # show a past date.
            as_of=None,
            filterset=filterset,
            page_obj=page_obj,
            is_filtered=any(filterset.form.cleaned_data.values()),
            # The filter form lists every participant (hundreds of options, as many template
            # renders): its HTML is cached under what it shows, its choices (read anyway, to
            # validate) and what is selected, which the {% cache %} tag hashes. An invalid
            # value selects nothing, whatever it is.
            form_cache_key=(
                [
                    (name, [(str(value), str(label)) for value, label in field.choices])
                    for name, field in filterset.form.fields.items()
                ],
                {**filterset.form.cleaned_data, "invalid": sorted(filterset.form.errors)},
            ),
            section="summits",
            breadcrumb=[("Summits", "")],
        ),
    )


@public_page
def summit_detail(request, slug):
    page = PageContext(request)
    summit = get_object_or_404(Summit.objects.for_detail(), slug=slug)
    summit.objective_list = sorted(summit.objective_items or [], key=itemgetter("order"))
    summit.challenge_list = sorted(summit.challenge_items or [], key=itemgetter("order"))

    # One query gives the summit's own outcomes and those its proposals led to (one row per
    # link): the own ones, once each, hold their sub-commitments; a sub-commitment whose
    # parent is not shown (a draft, to the public) stands at the top level.
    own: dict[int, Outcome] = {}
    led_to = defaultdict(list)
    rows = Outcome.objects.for_summit_page(summit, summit.proposal_list, page.as_of, request.user)
    for outcome in rows:
        if outcome.origin_proposal_id is not None:
            led_to[outcome.origin_proposal_id].append(outcome)
        if outcome.summit_id == summit.pk:
            own.setdefault(outcome.pk, outcome).subcommitments = []
    outcomes = []
    for outcome in own.values():
        parent = own.get(outcome.parent_id)
        (parent.subcommitments if parent else outcomes).append(outcome)
    proposal_groups = [
        (actor, [(proposal, led_to[proposal.pk]) for proposal in proposals])
        for actor, proposals in groupby(summit.proposal_list, key=lambda p: p.actor)
    ]

    over_time = (
        StatusUpdate.objects.filter(outcome__summit=summit)
        .of_outcomes_visible_to(request.user)
        .status_counts_over_time(len(own), until=page.status_date)
    )
    chart = StatusChart.build(*chart_bars(over_time))

    return render(
        request,
        "summits/summit_detail.html",
        page.context(
            summit=summit,
            outcomes=outcomes,
            proposal_groups=proposal_groups,
            follow_ups=list(FollowUp.objects.visible_to(request.user).for_summit_page(summit)),
            chart=chart,
            section="summits",
            breadcrumb=[("Summits", reverse("summit_list")), (summit.name, "")],
        ),
    )


# The summit's status chart: one stacked bar per date on which an update took effect, each
# splitting all the summit's outcomes by their status on that date. Geometry is worked out
# here so that the template only draws it.

# At most this many bars. A summit whose statuses changed on more dates gets one bar per
# month, quarter, ... (the first of PERIODS that keeps within it): hundreds of bars would be
# slivers too thin to read, and thousands of SVG elements to send and render.
MAX_BARS = 12
PERIODS = [  # months per bar, and what such a bar is called
    (1, "month"),
    (3, "quarter"),
    (6, "half-year"),
    (12, "year"),
    (24, "two years"),
    (60, "five years"),
    (120, "ten years"),
    (600, "fifty years"),
]


def chart_bars(
    snapshots: list[tuple[datetime.date, str, Counter]],
) -> tuple[list[str], list[Counter], str]:
    """The bars for status_counts_over_time()'s snapshots: labels, counts, and the period
    one bar stands for ("" when a bar is one date). A period's bar shows the counts after
    its last update, and is labelled no more precisely than the least precise date in it
    (a date known only to the year makes a quarter's bar "2025")."""
    if len(snapshots) <= MAX_BARS:
        return (
            [format_fuzzy_date(date, precision) for date, precision, _ in snapshots],
            [counts for _, _, counts in snapshots],
            "",
        )
    months, period = next(
        (
            (months, period)
            for months, period in PERIODS
            if len({_period_index(date, months) for date, _, _ in snapshots}) <= MAX_BARS
        ),
        PERIODS[-1],
    )
    bars: dict[int, tuple[str, Counter]] = {}  # period index -> precision, counts
    for date, precision, counts in snapshots:
        index = _period_index(date, months)
        coarsest = coarser_precision(bars[index][0], precision) if index in bars else precision
        bars[index] = (coarsest, counts)  # the last date of the period stands
    labels = [
        str(index * months // 12)
        if precision == DatePrecision.YEAR and months < 12
        else _period_label(index, months)
        for index, (precision, _) in bars.items()
    ]
    return labels, [counts for _, counts in bars.values()], period


def _period_index(date: datetime.date, months: int) -> int:
    """Which period of `months` months (counted from year 0) the date falls in."""
    return (date.year * 12 + date.month - 1) // months


def _period_label(index: int, months: int) -> str:
    first, last = index * months, index * months + months - 1  # months from year 0
    start = datetime.date(first // 12, first % 12 + 1, 1)
    end = datetime.date(last // 12, last % 12 + 1, 1)
    if months == 1:
        return start.strftime("%B %Y")
    if months < 12:
        return f"{start:%b}–{end:%b %Y}"
    if months == 12:
        return str(start.year)
    return f"{start.year}–{end.year}"


# The width grows with the number of bars (about 90 units each, 360 to 960), so that a chart
# of few dates is not blown up on a wide screen nor its labels shrunk to nothing on a phone.
MIN_WIDTH, MAX_WIDTH, SLOT_WIDTH, CHART_HEIGHT = 360, 960, 90, 320
PLOT_LEFT, PLOT_TOP, PLOT_BOTTOM = 40, 12, 196
STACK_ORDER = [*Status.values, ""]  # bottom to top; "" = no status recorded yet
STATUS_LABELS = {**dict(Status.choices), "": "No status recorded"}


def svg_number(value: float) -> str:
    """A coordinate to one decimal, as the template filter floatformat:"1u" writes it, but
    without the filter's localisation machinery: a summit's chart has thousands of them."""
    return str(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# Segments and bars hold their coordinates as the SVG writes them (svg_number), worked out
# once here rather than on each use in the template.


@dataclass
class Segment:
    status: str
    label: str
    count: int
    y: float
    height: float
    title: str  # "<bar label>: <count> <status>", the segment's tooltip
    css: str = field(init=False)
    y_svg: str = field(init=False)
    height_svg: str = field(init=False)
    shows_count: bool = field(init=False)  # tall enough to write the count inside
    middle_svg: str = field(init=False)  # baseline for that count

    def __post_init__(self):
        self.css = self.status or "none"
        self.y_svg = svg_number(self.y)
        self.height_svg = svg_number(self.height)
        self.shows_count = self.height >= 16
        self.middle_svg = svg_number(self.y + self.height / 2 + 4)


@dataclass
class Bar:
    label: str
    x: float
    width: float
    segments: list[Segment]
    cells: list[int]  # counts in the order of StatusChart.statuses, for the table
    total: int = field(init=False)
    x_svg: str = field(init=False)
    width_svg: str = field(init=False)
    center_svg: str = field(init=False)

    def __post_init__(self):
        self.total = sum(s.count for s in self.segments)
        self.x_svg = svg_number(self.x)
        self.width_svg = svg_number(self.width)
        self.center_svg = svg_number(self.x + self.width / 2)

    @property
    def summary(self) -> str:
        parts = [f"{s.count} {s.label.lower()}" for s in reversed(self.segments)]
        return f"{self.label}: {', '.join(parts)}"


@dataclass
class Tick:
    value: int
    y: float

    @property
    def y_svg(self) -> str:
        return svg_number(self.y)


@dataclass
class StatusChart:
    bars: list[Bar]
    statuses: list[tuple[str, str]]  # (css class, label) of those present, stacking order
    ticks: list[Tick] = field(default_factory=list)
    total: int = 0
    rotate_labels: bool = False
    width: int = MAX_WIDTH
    height: int = CHART_HEIGHT
    left: int = PLOT_LEFT
    right: int = MAX_WIDTH - 8
    top: int = PLOT_TOP
    bottom: int = PLOT_BOTTOM
    period: str = ""  # what one bar stands for, when not one date (chart_bars)

    @property
    def label_y(self) -> int:
        return self.bottom + 16

    @property
    def explanation(self) -> str:
        """What one bar is."""
        if self.period:
            return (
                f"One bar per {self.period} in which a status update took effect, splitting "
                f"the summit’s {self.total} outcomes (sub-commitments included) by their "
                f"status after the last update of that {self.period}"
            )
        return (
            f"One bar per date on which a status update took effect, splitting the summit’s "
            f"{self.total} outcomes (sub-commitments included) by their status on that date"
        )

    @property
    def description(self) -> str:
        return f"{self.explanation}. " + "; ".join(bar.summary for bar in self.bars) + "."

    @classmethod
    def build(
        cls, labels: list[str], counts: list[dict[str, int]], period: str = ""
    ) -> "StatusChart | None":
        if not labels:
            return None
        present = [s for s in STACK_ORDER if any(c.get(s) for c in counts)]
        total = max(sum(c.values()) for c in counts) or 1
        plot_height = PLOT_BOTTOM - PLOT_TOP
        width = min(MAX_WIDTH, max(MIN_WIDTH, PLOT_LEFT + 8 + SLOT_WIDTH * len(labels)))
        right = width - 8
        slot = (right - PLOT_LEFT) / len(labels)
        bar_width = min(56.0, slot * 0.6)
        # Labels turned aslant when the longest no longer fits under its bar (at about 4.4
        # units a character: "c. 16 September 2025" needs 88, "2025" 18).
        rotate = slot < 4.4 * max(len(label) for label in labels)
        bars = []
        for i, (label, count) in enumerate(zip(labels, counts, strict=True)):
            y, segments = float(PLOT_BOTTOM), []
            for status in present:
                n = count.get(status, 0)
                if not n:
                    continue
                height = n / total * plot_height
                y -= height
                name = STATUS_LABELS[status]
                title = f"{label}: {n} {name.lower()}"
                segments.append(Segment(status, name, n, y, height, title))
            x = PLOT_LEFT + slot * i + (slot - bar_width) / 2
            cells = [count.get(s, 0) for s in present]
            bars.append(Bar(label, x, bar_width, segments, cells))
        step = max(1, -(-total // 4))  # about four gridlines, whole numbers
        ticks = [Tick(v, PLOT_BOTTOM - v / total * plot_height) for v in range(0, total + 1, step)]
        if ticks[-1].value != total:
            ticks.append(Tick(total, float(PLOT_TOP)))
        return cls(
            bars=bars,
            statuses=[(s or "none", STATUS_LABELS[s]) for s in present],
            ticks=ticks,
            total=total,
            rotate_labels=rotate,
            width=width,
            right=right,
            height=CHART_HEIGHT if rotate else PLOT_BOTTOM + 28,
            period=period,
        )
