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
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.changes import changes
from core.concurrency import EditConflict
from core.publishing import publish as publish_records
from core.publishing import unpublish as unpublish_records
from outcomes.models import FollowUp, Outcome, StatusUpdate
from outcomes.services import record_follow_up_change

from ..desk import DEFAULT_QUIET_DAYS, DUE_SOON_DAYS, LIST_LIMIT, QUIET_PERIODS, for_desk
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
    if raw.isdigit() and int(raw) in QUIET_PERIODS:
        return int(raw)
    periods = ", ".join(str(days) for days in QUIET_PERIODS[:-1])
    notices.append(
        f"“{raw[:20]}” is not one of the periods offered ({periods} or {QUIET_PERIODS[-1]} "
        f"days); showing {DEFAULT_QUIET_DAYS} days."
    )
    return DEFAULT_QUIET_DAYS


def _next_url(request, default: str) -> str:
    """Where to go after a form: the `next` it carries if it is on this site, else default."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


@login_required
@permission_required("outcomes.add_statusupdate", raise_exception=True)
def record_status_update(request, slug):
    outcome = get_object_or_404(Outcome.objects.select_related("summit").with_status(), slug=slug)
    can_publish = request.user.has_perm("outcomes.publish_statusupdate")
    data = request.POST if request.method == "POST" else None
    form = StatusUpdateForm(data, outcome=outcome, can_publish=can_publish)
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
            "can_publish": can_publish,
            "next": _next_url(request, ""),
        },
    )


def _load_follow_up(pk: int) -> FollowUp:
    return get_object_or_404(
        FollowUp.objects.select_related("outcome__summit").with_state_on(), pk=pk
    )


@login_required
@permission_required("outcomes.record_followup_change", raise_exception=True)
def follow_up_change(request, pk):
    follow_up = _load_follow_up(pk)
    if request.method != "POST":
        form = FollowUpChangeForm(instance=follow_up)
    else:
        form = FollowUpChangeForm(request.POST, instance=follow_up)
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
                    )
            except ValidationError as error:
                form.add_model_errors(error)
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
                messages.success(request, f"Recorded: {change}.")
                return redirect(
                    _next_url(request, f"{follow_up.outcome.get_absolute_url()}#follow-ups")
                )
    recorded = follow_up.changes.select_related("recorded_by").prefetch_related("sources")
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
            "next": _next_url(request, ""),
        },
    )


PUBLISHABLE = {
    "outcome": (Outcome, "outcomes.publish_outcome"),
    "update": (StatusUpdate, "outcomes.publish_statusupdate"),
}


@require_POST
@login_required
def publish(request):
    kind = request.POST.get("kind", "")
    if kind not in PUBLISHABLE:
        return _bad_request(request, "Say what to publish: kind must be “outcome” or “update”.")
    model, permission = PUBLISHABLE[kind]
    if not request.user.has_perm(permission):
        raise PermissionDenied
    action = request.POST.get("action", "")
    if action not in ("publish", "unpublish"):
        return _bad_request(request, "Say what to do: action must be “publish” or “unpublish”.")
    pk = request.POST.get("pk", "")
    if not pk.isdigit():
        return _bad_request(request, f"“{pk[:20]}” is not the number of a record.")
    item = get_object_or_404(model.objects.all(), pk=pk)
    name = f"“{item}”"
    if action == "publish" and item.is_published:
        messages.info(request, f"{name} was already published.")
    elif action == "unpublish" and not item.is_published:
        messages.info(request, f"{name} was not published.")
    else:
        try:
            if action == "publish":
                publish_records([item], request.user)
            else:
                unpublish_records([item], request.user)
        except EditConflict:
            messages.error(
                request,
                f"Someone else changed {name} at the same moment; nothing was done. "
                "Check it and try again.",
            )
        else:
            done = "Published" if action == "publish" else "Unpublished (now a draft)"
            messages.success(request, f"{done}: {name}.")
    return redirect(_next_url(request, reverse("desk")))


def _bad_request(request, message: str):
    return render(
        request,
        "desk/bad_request.html",
        {"section": "desk", "message": message},
        status=400,
    )
