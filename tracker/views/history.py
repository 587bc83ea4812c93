"""An outcome's edit history, for staff: /outcomes/<slug>/history/.

Every saved version of the outcome and of its parts (parties, origins, follow-ups and their
changes, status updates), newest first in one timeline, each with who saved it, when, and
which fields changed from what to what; and a field-by-field comparison of any two versions
of the outcome. It reads the audit trail (django-simple-history): one query per kind of
record, whatever the number of versions.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Model
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.text import capfirst

from core.audit import attach_cited, display_value, field_changes, shown_fields, user_label
from outcomes.models import (
    FollowUp,
    FollowUpChange,
    Outcome,
    OutcomeOrigin,
    OutcomeParty,
    StatusUpdate,
)

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class Entry:
    """One saved version of a record, with what changed since its previous version."""

    record: Model  # the historical record
    kind: str
    name: str
    action: str
    changes: list[dict] = field(default_factory=list)

    @property
    def date(self) -> datetime:
        return self.record.history_date

    @property
    def user(self) -> str:
        return user_label(self.record.history_user)


def entries(records, kind: str, fields: list, name) -> list[Entry]:
    """Timeline entries for historical records of one model, oldest first (of any number of
    objects), each compared with the previous version of the same object."""
    result, previous = [], {}
    for record in records:
        older = previous.get(record.id)
        previous[record.id] = record
        action = ACTIONS[record.history_type]
        changes = [] if action == "deleted" else field_changes(older, record, fields)
        if action == "changed" and not changes:
            continue  # saved without changing anything worth showing
        if action == "changed" and hasattr(record, "published_at"):
            if older.published_at is None and record.published_at is not None:
                action = "published"
            elif older.published_at is not None and record.published_at is None:
                action = "unpublished"
        result.append(Entry(record, kind, name(record), action, changes))
    return result


def outcome_versions(outcome: Outcome) -> list:
    """The outcome's own versions, oldest first, with what their fields point to."""
    return list(
        outcome.history.select_related("history_user", "summit", "parent", "published_by").order_by(
            "history_date", "history_id"
        )
    )


def timeline(outcome: Outcome, versions: list) -> list[Entry]:
    """Every version of the outcome and of its parts, newest first."""
    attach_cited(versions, Outcome)
    result = entries(versions, "Outcome", shown_fields(Outcome), lambda r: r.title)
    follow_up_ids = FollowUp.history.filter(outcome_id=outcome.pk).values("id")
    parts = [
        (
            OutcomeParty.history.filter(outcome_id=outcome.pk).select_related("actor"),
            "Party",
            lambda r: (
                f"{display_value(r, OutcomeParty._meta.get_field('actor'))} "
                f"({r.get_role_display().lower()})"
            ),
            OutcomeParty,
        ),
        (
            OutcomeOrigin.history.filter(outcome_id=outcome.pk).select_related("proposal__actor"),
            "Origin",
            lambda r: display_value(r, OutcomeOrigin._meta.get_field("proposal")),
            OutcomeOrigin,
        ),
        (
            FollowUp.history.filter(outcome_id=outcome.pk).select_related("resulting_summit"),
            "Follow-up",
            lambda r: r.title,
            FollowUp,
        ),
        (
            FollowUpChange.history.filter(follow_up_id__in=follow_up_ids).select_related(
                "follow_up", "recorded_by"
            ),
            "Follow-up change",
            lambda r: (
                f"{display_value(r, FollowUpChange._meta.get_field('follow_up'))}: "
                f"{r.get_status_display().lower()}"
            ),
            FollowUpChange,
        ),
        (
            StatusUpdate.history.filter(outcome_id=outcome.pk).select_related(
                "corrects", "recorded_by", "published_by"
            ),
            "Status update",
            lambda r: f"{r.get_status_display()}, effective {r.instance.effective_display}",
            StatusUpdate,
        ),
    ]
    for records, kind, name, model in parts:
        ordered = list(
            records.select_related("history_user").order_by("history_date", "history_id")
        )
        attach_cited(ordered, model)
        result += entries(ordered, kind, shown_fields(model, skip={"outcome"}), name)
    result.sort(key=lambda entry: entry.date, reverse=True)
    return result


def version_label(record) -> str:
    date_shown = dateformat.format(timezone.localtime(record.history_date), "j M Y, H:i")
    return f"Version {record.version} · {date_shown} · {user_label(record.history_user)}"


def comparison(request, versions: list, notices: list[str]) -> dict | None:
    """The field-by-field comparison of ?from=&to= (history ids of this outcome's versions),
    or None with a notice when they are not two of its versions."""
    raw_from, raw_to = request.GET.get("from", ""), request.GET.get("to", "")
    if not raw_from and not raw_to:
        return None
    by_id = {str(record.history_id): record for record in versions}
    older, newer = by_id.get(raw_from.strip()), by_id.get(raw_to.strip())
    if older is None or newer is None:
        notices.append(
            "Those are not two versions of this outcome, so nothing is compared. Choose two "
            "from the lists under “Compare versions”."
        )
        return None
    rows = [
        {
            "field": capfirst(model_field.verbose_name),
            "old": display_value(older, model_field),
            "new": display_value(newer, model_field),
            "changed": getattr(older, model_field.attname) != getattr(newer, model_field.attname),
        }
        for model_field in shown_fields(Outcome)
    ]
    return {"older": older, "newer": newer, "rows": rows}


@login_required
@permission_required("outcomes.view_outcome", raise_exception=True)
def outcome_history(request, slug):
    outcome = get_object_or_404(Outcome, slug=slug)
    versions = outcome_versions(outcome)
    notices: list[str] = []
    compared = comparison(request, versions, notices)
    newest_first = versions[::-1]
    # Preselect the pair compared, or else the latest change.
    if compared:
        selected = (compared["older"].history_id, compared["newer"].history_id)
    elif len(versions) > 1:
        selected = (newest_first[1].history_id, newest_first[0].history_id)
    else:
        selected = (None, None)
    return render(
        request,
        "history/outcome_history.html",
        {
            "section": "outcomes",
            "breadcrumb": [
                ("Outcomes", reverse("outcome_list")),
                (outcome.title, outcome.get_absolute_url()),
                ("Edit history", None),
            ],
            "outcome": outcome,
            "timeline": timeline(outcome, versions),
            "versions": [(record.history_id, version_label(record)) for record in newest_first],
            "selected_from": selected[0],
            "selected_to": selected[1],
            "compared": compared,
            "notices": notices,
        },
    )
