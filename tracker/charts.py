"""The two status charts, as data for their SVG templates: coordinates, labels and a text
description, worked out here so that the templates only draw them. The text on the pages (an
outcome's timeline, a summit's table) stays the primary content; a chart is a picture of it.

- step_chart(): an outcome's status over time (templates/includes/step_chart.svg.html).
  Time runs left to right, and each status sits on the row of its 0–3 implementation score
  (STATUS_SCORES); superseded, which is not scored, has a row of its own at the top.
- bar_chart(): a summit's outcomes by status on each date one changed, as stacked bars
  (templates/includes/bar_chart.html).
"""

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from core.dates import (
    DatePrecision,
    add_months,
    coarser_precision,
    format_fuzzy_date,
    month_index,
    month_start,
)
from outcomes.models import STATUS_SCORES, Status, StatusUpdate


def svg_number(value: float) -> str:
    """A coordinate to one decimal, as the template filter floatformat:"1u" writes it, but
    without the filter's localisation machinery: a summit's chart has thousands of them."""
    return str(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --- An outcome's status over time: a step chart ------------------------------------------

WIDTH = 720
LEFT, RIGHT, TOP, BOTTOM = 170, 24, 30, 40
ROW = 34  # vertical distance between two status rows
ROWS = [0, 1, 2, 3, None]  # bottom to top: the scores, then "not scored"
TICK_STEPS = [1, 2, 3, 6, 12, 24, 60, 120]  # in months
MAX_TICKS = 7
MIN_SPAN_DAYS = 60  # a history of a few days still gets a readable axis


@dataclass
class StepChart:
    title: str
    description: str
    width: int = WIDTH
    height: int = 0
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = 0
    rows: list[dict] = field(default_factory=list)
    x_ticks: list[dict] = field(default_factory=list)
    segments: list[dict] = field(default_factory=list)
    risers: list[dict] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)
    markers: list[dict] = field(default_factory=list)
    after_as_of: dict | None = None


def _row_label(score: int | None) -> str:
    names = [s.label for s in Status if STATUS_SCORES[s] == score]
    if score is None:
        return f"{', '.join(names)} (not scored)"
    return f"{score} · {', '.join(names)}"


def _ticks(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, str]]:
    """Month (or year) boundaries between start and end, at most MAX_TICKS of them; the two
    ends, by day, when the span is too short for two boundaries."""
    months = (end.year - start.year) * 12 + end.month - start.month
    step = next((s for s in TICK_STEPS if months // s < MAX_TICKS), TICK_STEPS[-1])
    first = add_months(start.replace(day=1), 0 if start.day == 1 else 1)
    while not _on_step(first, step):
        first = add_months(first, 1)
    ticks = []
    day = first
    while day <= end:
        ticks.append((day, str(day.year) if step >= 12 else day.strftime("%b %Y")))
        day = add_months(day, step)
    if len(ticks) < 2:
        ticks = [(start, _day(start)), (end, _day(end))]
    return ticks


def _on_step(day: datetime.date, step: int) -> bool:
    if step < 12:
        return (day.month - 1) % step == 0
    return day.month == 1 and day.year % (step // 12) == 0


def _day(date: datetime.date) -> str:
    return f"{date.day} {date.strftime('%b %Y')}"


def step_chart(
    updates: Sequence[StatusUpdate],
    *,
    title: str,
    start: datetime.date | None,
    today: datetime.date,
    as_of: datetime.date | None = None,
    due_date: datetime.date | None = None,
) -> StepChart | None:
    """The chart of the updates in force (any order); None when there are none.

    start: where the time axis begins if earlier than the first update (the summit's
    first day); the axis ends today, or at the due date if that is later."""
    if not updates:
        return None
    ordered = sorted(updates, key=StatusUpdate.rule_key)  # the status rule's order
    first = ordered[0].effective_date
    start = min(start or first, first)
    end = max(today, due_date or today)
    start = min(start, end - datetime.timedelta(days=MIN_SPAN_DAYS))
    span = max((end - start).days, 1)
    plot_bottom = TOP + ROW * (len(ROWS) - 1)
    chart = StepChart(
        title=title,
        description="",
        height=plot_bottom + BOTTOM,
        plot_bottom=plot_bottom,
    )

    def x(date: datetime.date) -> float:
        return round(LEFT + (date - start).days / span * (chart.plot_right - LEFT), 1)

    def y(status: str) -> int:
        return TOP + ROW * (len(ROWS) - 1 - ROWS.index(STATUS_SCORES[status]))

    chart.rows = [  # bottom to top
        {
            "y": TOP + ROW * (len(ROWS) - 1 - i),
            "label": _row_label(score),
            "scored": score is not None,
        }
        for i, score in enumerate(ROWS)
    ]
    chart.x_ticks = [{"x": x(day), "label": label} for day, label in _ticks(start, end)]

    for i, update in enumerate(ordered):
        following = ordered[i + 1] if i + 1 < len(ordered) else None
        x1, x2 = x(update.effective_date), x(following.effective_date if following else today)
        chart.segments.append({"x1": x1, "x2": x2, "y": y(update.status), "status": update.status})
        chart.points.append(
            {
                "x": x1,
                "y": y(update.status),
                "status": update.status,
                "label": f"{update.effective_display}: {update.get_status_display()}",
            }
        )
        if following and y(following.status) != y(update.status):
            chart.risers.append({"x": x2, "y1": y(update.status), "y2": y(following.status)})

    if end > today:
        chart.markers.append({"x": x(today), "label": "today", "kind": "today"})
    if due_date and start <= due_date <= end:
        chart.markers.append({"x": x(due_date), "label": "due", "kind": "due"})
    if as_of:
        chart.markers.append({"x": x(as_of), "label": "as of", "kind": "as-of"})
        if as_of < today:
            chart.after_as_of = {
                "x": x(as_of),
                "width": round(x(today) - x(as_of), 1),
                "y": TOP - 12,
                "height": plot_bottom - TOP + 12,
            }

    steps = "; ".join(f"{u.get_status_display()} from {u.effective_display}" for u in ordered)
    chart.description = (
        f"Step chart of the status over time, on the 0 to 3 implementation scale. {steps}."
    )
    return chart


# --- A summit's outcomes by status over time: stacked bars ---------------------------------
# One stacked bar per date on which an update took effect, each splitting all the summit's
# outcomes by their status on that date.

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
    return month_index(date) // months


def _period_label(index: int, months: int) -> str:
    start = month_start(index * months)
    end = month_start(index * months + months - 1)
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
STACK_ORDER = [value for value, _ in Status.choices_with_none()]  # bottom to top


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
    cells: list[int]  # counts in the order of BarChart.statuses, for the table
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
class BarChart:
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
    of: str = "summit"  # whose outcomes: a summit's, or a process's

    @property
    def label_y(self) -> int:
        return self.bottom + 16

    @property
    def explanation(self) -> str:
        """What one bar is."""
        if self.period:
            return (
                f"One bar per {self.period} in which a status update took effect, splitting "
                f"the {self.of}’s {self.total} outcomes (sub-commitments included) by their "
                f"status after the last update of that {self.period}"
            )
        return (
            f"One bar per date on which a status update took effect, splitting the {self.of}’s "
            f"{self.total} outcomes (sub-commitments included) by their status on that date"
        )

    @property
    def description(self) -> str:
        return f"{self.explanation}. " + "; ".join(bar.summary for bar in self.bars) + "."

    @classmethod
    def build(
        cls, labels: list[str], counts: list[dict[str, int]], period: str = ""
    ) -> "BarChart | None":
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
                name = Status.label_of(status)
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
            statuses=[(s or "none", Status.label_of(s)) for s in present],
            ticks=ticks,
            total=total,
            rotate_labels=rotate,
            width=width,
            right=right,
            height=CHART_HEIGHT if rotate else PLOT_BOTTOM + 28,
            period=period,
        )


def bar_chart(
    snapshots: list[tuple[datetime.date, str, Counter]], of: str = "summit"
) -> BarChart | None:
    """The chart of StatusUpdateQuerySet.status_counts_over_time()'s snapshots, of a
    summit's outcomes (or, of="process", a process's); None when there are none."""
    chart = BarChart.build(*chart_bars(snapshots))
    if chart is not None:
        chart.of = of
    return chart
