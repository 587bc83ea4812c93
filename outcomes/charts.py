"""The status timeline chart of an outcome page, as data for the SVG template
templates/includes/status_chart.svg.html: coordinates, labels and a text description.

A step chart: time runs left to right, and each status sits on the row of its 0–3
implementation score (STATUS_SCORES); superseded, which is not scored, has a row of its own
at the top. The textual timeline on the page stays the primary content; this is a picture
of it.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from outcomes.models import STATUS_SCORES, Status, StatusUpdate

WIDTH = 720
LEFT, RIGHT, TOP, BOTTOM = 170, 24, 30, 40
ROW = 34  # vertical distance between two status rows
ROWS = [0, 1, 2, 3, None]  # bottom to top: the scores, then "not scored"
TICK_STEPS = [1, 2, 3, 6, 12, 24, 60, 120]  # in months
MAX_TICKS = 7
MIN_SPAN_DAYS = 60  # a history of a few days still gets a readable axis


@dataclass
class StatusChart:
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


def _add_months(date: datetime.date, months: int) -> datetime.date:
    year, month0 = divmod(date.month - 1 + months, 12)
    return datetime.date(date.year + year, month0 + 1, 1)


def _ticks(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, str]]:
    """Month (or year) boundaries between start and end, at most MAX_TICKS of them; the two
    ends, by day, when the span is too short for two boundaries."""
    months = (end.year - start.year) * 12 + end.month - start.month
    step = next((s for s in TICK_STEPS if months // s < MAX_TICKS), TICK_STEPS[-1])
    first = _add_months(start.replace(day=1), 0 if start.day == 1 else 1)
    while not _on_step(first, step):
        first = _add_months(first, 1)
    ticks = []
    day = first
    while day <= end:
        ticks.append((day, str(day.year) if step >= 12 else day.strftime("%b %Y")))
        day = _add_months(day, step)
    if len(ticks) < 2:
        ticks = [(start, _day(start)), (end, _day(end))]
    return ticks


def _on_step(day: datetime.date, step: int) -> bool:
    if step < 12:
        return (day.month - 1) % step == 0
    return day.month == 1 and day.year % (step // 12) == 0


def _day(date: datetime.date) -> str:
    return f"{date.day} {date.strftime('%b %Y')}"


def status_chart(
    updates: Sequence[StatusUpdate],
    *,
    title: str,
    start: datetime.date | None,
    today: datetime.date,
    as_of: datetime.date | None = None,
    due_date: datetime.date | None = None,
) -> StatusChart | None:
    """The chart of the updates in force (any order); None when there are none.

    start: where the time axis begins if earlier than the first update (the summit's
    first day); the axis ends today, or at the due date if that is later."""
    if not updates:
        return None
    # The rule's order (StatusUpdateQuerySet.latest_first), oldest first.
    ordered = sorted(updates, key=lambda u: (u.effective_date, u.recorded_at, u.pk))
    first = ordered[0].effective_date
    start = min(start or first, first)
    end = max(today, due_date or today)
    start = min(start, end - datetime.timedelta(days=MIN_SPAN_DAYS))
    span = max((end - start).days, 1)
    plot_bottom = TOP + ROW * (len(ROWS) - 1)
    chart = StatusChart(
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
