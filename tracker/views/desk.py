"""The follow-up desk (/desk/) and what editors record from it without going through the admin:
status updates (/desk/outcomes/<slug>/update/), follow-up changes (/desk/follow-ups/<pk>/),
and publishing (/desk/publish/).

Every view checks on the server that someone is signed in (login_required: anonymous
visitors are sent to sign in) and holds the permission (permission_required with
raise_exception: a signed-in user without it gets 403 rather than a loop back to sign-in).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.changes import changes
from core.concurrency import EditConflict
from core.params import BadValue, parse_id, parse_whole_number, safe_next
from core.publishing import PublishingRefused, can_publish
from core.publishing import publish as publish_records
from core.publishing import unpublish as unpublish_records
from outcomes.models import FollowUp, Outcome
from outcomes.services import record_follow_up_change

from ..desk import (
    DEFAULT_QUIET_DAYS,
    DUE_SOON_DAYS,
    LIST_LIMIT,
    QUIET_PERIODS,
    REVIEWED_MODELS,
    for_desk,
)
from ..forms import FollowUpChangeForm, StatusUpdateForm


@login_required
@permission_required("outcomes.view_outcome", raise_exception=True)
def desk(request):
    notices = []
    return render(
        request,
        "desk/desk.html",
        {
            "section": "desk",
            "breadcrumb": [("Desk", None)],
            "desk": for_desk(_quiet_days(request, notices)),
            "quiet_periods": QUIET_PERIODS,
            "due_soon_days": DUE_SOON_DAYS,
            "list_limit": LIST_LIMIT,
            "notices": notices,
        },
    )


def _quiet_days(request, notices: list[str]) -> int:
    raw = request.GET.get("quiet", "").strip()
    if not raw:
        return DEFAULT_QUIET_DAYS
    try:
        days = parse_whole_number(raw, "a period", high=max(QUIET_PERIODS))
    except BadValue:
        days = None
    if days in QUIET_PERIODS:
        return days
    raw = raw.replace("\x00", "")
    periods = ", ".join(str(days) for days in QUIET_PERIODS[:-1])
    notices.append(
        f"“{raw[:20]}” is not one of the periods offered ({periods} or {QUIET_PERIODS[-1]} "
        f"days); showing {DEFAULT_QUIET_DAYS} days."
    )
    return DEFAULT_QUIET_DAYS


def _next_url(request, default: str) -> str:
    """Where to go after a form: the `next` it carries if it is a path on this site, else
    default (core.params.safe_next)."""
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), default)


@login_required
@permission_required("outcomes.add_statusupdate", raise_exception=True)
def record_status_update(request, slug):
    outcome = get_object_or_404(Outcome.objects.select_related("summit").with_status(), slug=slug)
    may_publish = can_publish(request.user)
    data = request.POST if request.method == "POST" else None
    form = StatusUpdateForm(data, outcome=outcome, can_publish=may_publish)
    if data is not None and form.is_valid():
        update = form.save(user=request.user)
        if update.is_published:
            messages.success(request, f"Status update recorded and published: {update}.")
        else:
            messages.success(
                request, f"Status update recorded as a draft; an editor publishes it: {update}."
            )
        return redirect(_next_url(request, f"{outcome.get_absolute_url()}#status-history"))
    return render(
        request,
        "desk/record_update.html",
        {
            "section": "desk",
            "breadcrumb": [
                ("Desk", reverse("desk")),
                (outcome.title, outcome.get_absolute_url()),
                ("Record a status update", None),
            ],
            "outcome": outcome,
            "form": form,
            "can_publish": may_publish,
            "next": _next_url(request, ""),
        },
    )


def _load_follow_up(pk: int) -> FollowUp:
    return get_object_or_404(
        FollowUp.objects.select_related("outcome__summit").with_state_on(), pk=pk
    )


@login_required
@permission_required("outcomes.add_followupchange", raise_exception=True)
def follow_up_change(request, pk):
    follow_up = _load_follow_up(pk)
    may_publish = can_publish(request.user)
    if request.method != "POST":
        form = FollowUpChangeForm(instance=follow_up, can_publish=may_publish)
    else:
        form = FollowUpChangeForm(request.POST, instance=follow_up, can_publish=may_publish)
        if form.is_valid():
            data = form.cleaned_data
            try:
                # One change: a new source is kept only if the change is saved.
                with changes():
                    change = record_follow_up_change(
                        follow_up,
                        status=data["status"],
                        date=data["date"],
                        date_precision=data["date_precision"],
                        note=data["note"],
                        sources=form.save_sources(),
                        resulting_summit=data["resulting_summit"],
                        user=request.user,
                        publish=bool(data.get("publish_now")),
                    )
            except ValidationError as error:
                form.add_model_errors(error)
            except PublishingRefused as refusal:
                form.add_error(None, " ".join(refusal.problems))
            except EditConflict:
                # Someone saved between the form's version check and this save. Checking
                # again now reports their change, as if the check had caught it.
                follow_up = _load_follow_up(pk)
                form = FollowUpChangeForm(request.POST, instance=follow_up)
                if form.is_valid():  # only when the form carried no version to compare
                    form.add_error(
                        None,
                        "Someone else saved this follow-up at the same moment, so your "
                        "change was not saved. Check it and save again.",
                    )
            else:
                if change.is_published:
                    messages.success(request, f"Recorded and published: {change}.")
                else:
                    messages.success(
                        request,
                        f"Recorded as a draft: {change}. It changes the follow-up once an "
                        "editor publishes it.",
                    )
                return redirect(
                    _next_url(request, f"{follow_up.outcome.get_absolute_url()}#follow-ups")
                )
    recorded = list(
        follow_up.changes.select_related("recorded_by", "resulting_summit").prefetch_related(
            "sources"
        )
    )
    return render(
        request,
        "desk/follow_up.html",
        {
            "section": "desk",
            "breadcrumb": [
                ("Desk", reverse("desk")),
                (follow_up.outcome.title, follow_up.outcome.get_absolute_url()),
                (follow_up.title, None),
            ],
            "follow_up": follow_up,
            "form": form,
            "changes": recorded,
            # At most one change waits for review: the next one is recorded after it.
            "pending": next((change for change in recorded if not change.is_published), None),
            "can_publish": may_publish,
            "next": _next_url(request, ""),
        },
    )


@require_POST
@login_required
@permission_required("outcomes.delete_followupchange", raise_exception=True)
def discard_follow_up_change(request, pk):
    """Discard the follow-up's change that waits for review (a draft: a published change
    is history, and stays)."""
    follow_up = get_object_or_404(FollowUp, pk=pk)
    pending = follow_up.changes.drafts().first()
    if pending is None:
        messages.info(request, "No change of this follow-up is waiting for review.")
    else:
        with changes():
            pending._history_user = request.user
            pending.delete()
        messages.success(request, f"Discarded the draft change: {pending}.")
    return redirect(reverse("desk_follow_up", args=[follow_up.pk]))


# The short names the desk's own buttons give the two kinds it has always published.
KINDS = {"outcome": "outcomes.outcome", "update": "outcomes.statusupdate"}
MAX_RECORDS = 500  # per request: what one review of the desk's lists can hold


@require_POST
@login_required
def publish(request):
    """Publish or withdraw records: those named `record` ("app.model:pk", as many as
    chosen), or one by `kind` and `pk`. Those they belong to go too with `with_parents`;
    otherwise a draft of a draft is refused, saying what to publish first."""
    if not can_publish(request.user):
        raise PermissionDenied
    action = request.POST.get("action", "publish")
    if action not in ("publish", "unpublish"):
        return _bad_request(request, "Say what to do: action must be “publish” or “unpublish”.")
    keys = request.POST.getlist("record")
    if "kind" in request.POST or "pk" in request.POST:
        kind = request.POST.get("kind", "")
        if kind not in KINDS:
            return _bad_request(request, "Say what to publish: kind must be “outcome” or “update”.")
        keys = [f"{KINDS[kind]}:{request.POST.get('pk', '')}"]
    if not keys:  # the desk's form sent with nothing ticked
        messages.error(request, "Choose at least one draft to publish; nothing was changed.")
        return redirect(_next_url(request, reverse("desk")))
    if len(keys) > MAX_RECORDS:
        return _bad_request(request, f"Choose at most {MAX_RECORDS} records at a time.")
    chosen = {}
    for key in keys:
        label, _, raw_pk = key.partition(":")
        if label not in REVIEWED_MODELS:
            shown = label.replace("\x00", "")[:40]
            return _bad_request(request, f"“{shown}” is not a kind of record to publish.")
        try:
            pk = parse_id(raw_pk)
        except BadValue as error:
            return _bad_request(request, f"{error}.")
        chosen.setdefault(REVIEWED_MODELS[label], []).append(pk)
    records = []
    for model, pks in chosen.items():
        found = model.objects.in_bulk(pks)
        if len(found) != len(set(pks)):
            raise Http404("No such record.")
        records += [found[pk] for pk in dict.fromkeys(pks)]
    try:
        if action == "publish":
            done = publish_records(
                records, request.user, with_parents=request.POST.get("with_parents") == "1"
            )
        else:
            done = unpublish_records(records, request.user)
    except PublishingRefused as refusal:
        messages.error(request, "Nothing was published or withdrawn. " + " ".join(refusal.problems))
    except EditConflict:
        messages.error(
            request,
            f"Someone else changed {_names(records)} at the same moment; nothing was done. "
            "Check and try again.",
        )
    else:
        if not done:
            state = "already published" if action == "publish" else "not published"
            messages.info(request, f"{_names(records)}: {state}.")
        elif action == "publish":
            messages.success(request, f"Published: {_names(done)}.")
        else:
            messages.success(request, f"Withdrawn (now drafts): {_names(done)}.")
    return redirect(_next_url(request, reverse("desk")))


def _names(records: list, shown: int = 5) -> str:
    names = "; ".join(f"“{record}”" for record in records[:shown])
    return names + (f" and {len(records) - shown} more" if len(records) > shown else "")


def _bad_request(request, message: str):
    return render(
        request,
        "desk/bad_request.html",
        {"section": "desk", "message": message},
        status=400,
    )
