"""/summits/ and /summits/<slug>/: what each summit was, who came, what they asked for, what
was agreed and what has become of it."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from operator import itemgetter

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from summits.filters import SummitFilter
from summits.models import Summit

from ..models import FollowUp, Outcome, Status, StatusUpdate
from .common import PageContext

SUMMITS_PER_PAGE = 20


def summit_list(request):
    page = PageContext(request)
    outcomes = Outcome.objects.visible_to(request.user)
    summits = Summit.objects.for_list().annotate(
        outcome_count=outcomes.top_level().count_per("summit"),
        subcommitment_count=outcomes.exclude(parent=None).count_per("summit"),
    )
    filterset = SummitFilter(request.GET, queryset=summits)
    page.notices.extend(filterset.notices())
    page_obj = page.paginate(filterset.qs, SUMMITS_PER_PAGE)
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
            section="summits",
            breadcrumb=[("Summits", "")],
        ),
    )


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
    for outcome in Outcome.objects.for_summit_page(
        summit, summit.proposal_list, page.as_of, request.user
    ):
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
    chart = StatusChart.build([label for label, _ in over_time], [c for _, c in over_time])

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


@dataclass
class Segment:
    status: str
    label: str
    count: int
    y: float
    height: float

    @property
    def css(self) -> str:
        return self.status or "none"

    @property
    def middle(self) -> float:
        """Baseline for the count written inside the segment."""
        return self.y + self.height / 2 + 4

    # The coordinates as the SVG writes them (svg_number).
    @property
    def y_svg(self) -> str:
        return svg_number(self.y)

    @property
    def height_svg(self) -> str:
        return svg_number(self.height)

    @property
    def middle_svg(self) -> str:
        return svg_number(self.middle)


@dataclass
class Bar:
    label: str
    x: float
    width: float
    segments: list[Segment]
    cells: list[int]  # counts in the order of StatusChart.statuses, for the table

    @property
    def total(self) -> int:
        return sum(s.count for s in self.segments)

    @property
    def center(self) -> float:
        return self.x + self.width / 2

    # The coordinates as the SVG writes them (svg_number).
    @property
    def x_svg(self) -> str:
        return svg_number(self.x)

    @property
    def width_svg(self) -> str:
        return svg_number(self.width)

    @property
    def center_svg(self) -> str:
        return svg_number(self.center)

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

    @property
    def label_y(self) -> int:
        return self.bottom + 16

    @property
    def description(self) -> str:
        return (
            f"One bar per date on which a status update took effect, splitting the summit’s "
            f"{self.total} outcomes (sub-commitments included) by their status on that date. "
            + "; ".join(bar.summary for bar in self.bars)
            + "."
        )

    @classmethod
    def build(cls, labels: list[str], counts: list[dict[str, int]]) -> "StatusChart | None":
        if not labels:
            return None
        present = [s for s in STACK_ORDER if any(c.get(s) for c in counts)]
        total = max(sum(c.values()) for c in counts) or 1
        plot_height = PLOT_BOTTOM - PLOT_TOP
        width = min(MAX_WIDTH, max(MIN_WIDTH, PLOT_LEFT + 8 + SLOT_WIDTH * len(labels)))
        right = width - 8
        slot = (right - PLOT_LEFT) / len(labels)
        bar_width = min(56.0, slot * 0.6)
        rotate = slot < 88  # "c. 16 September 2025" no longer fits under its bar
        bars = []
        for i, (label, count) in enumerate(zip(labels, counts, strict=True)):
            y, segments = float(PLOT_BOTTOM), []
            for status in present:
                n = count.get(status, 0)
                if not n:
                    continue
                height = n / total * plot_height
                y -= height
                segments.append(Segment(status, STATUS_LABELS[status], n, y, height))
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
        )
