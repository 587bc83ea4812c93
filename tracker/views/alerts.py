"""Following by e-mail (tracker.alerts): the follow form, the confirmation link, an
address's page of subscriptions and the unsubscribe link of every alert.

None of these pages is kept in the page cache: each carries a form's CSRF token or a secret
of its address. Every answer to the follow form is the same, whether the address is new,
pending, subscribed, suppressed or over its daily limit.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from actors.models import Actor
from core.publishing import can_see_drafts
from core.security import client_ip
from outcomes.models import Outcome
from summits.models import Process, Summit
from tracker.alerts import following
from tracker.alerts.sending import send_now
from tracker.filters import OutcomeFilter
from tracker.models import Alert, AlertAddress, AlertItem, Followed, Frequency, Subscription

MAX_SEARCH = 1000
SLUG = re.compile(r"[-\w]{1,120}")


class FollowForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        help_text="We send a link to confirm; nothing else until you follow it.",
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=Frequency.choices,
        initial=Frequency.IMMEDIATELY,
        widget=forms.RadioSelect,
    )


class StaffFollowForm(forms.Form):
    frequency = FollowForm.base_fields["frequency"]


@dataclass
class Target:
    """What a follow page follows, read from its query string (param=value)."""

    followed: str
    target_id: int
    search: str
    label: str
    url: str
    param: str
    value: str

    @property
    def query(self) -> str:
        return urlencode({self.param: self.value})


def saved_search(raw: str) -> tuple[str, str]:
    """The outcome list's filters in a query string, as kept (valid filters only, in a fixed
    order, without sort or page) and as named ("Outcomes: Status: Stalled; Party: Japan")."""
    if len(raw) > MAX_SEARCH:
        raise Http404("That search is too long to follow.")
    data = QueryDict(raw.lstrip("?"))
    filters = OutcomeFilter(data, queryset=Outcome.objects.none())
    filters.user = AnonymousUser()
    # Only public summits and processes can be chosen: a draft's slug is unknown here.
    filters.filters["summit"].queryset = Summit.objects.public()
    filters.filters["process"].queryset = Process.objects.public()
    described = filters.describe()
    if filters.errors:
        problems = "; ".join(f"{name}: {' '.join(e)}" for name, e in filters.errors.items())
        raise Http404(f"That search cannot be followed: {problems}")
    kept = urlencode(sorted((name, str(value)) for name, value in described.items()))
    if len(kept) > MAX_SEARCH:
        raise Http404("That search is too long to follow.")
    active = filters.active(reverse("outcome_list"))
    named = "; ".join(f"{a.label}: {a.value}" for a in active) if active else "every commitment"
    return kept, f"Outcomes: {named}"


def _one_line(text: str) -> str:
    """A name as it goes into an e-mail's subject: on one line, without control characters."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def read_target(params) -> Target:
    """The public record (or saved search) ?outcome=, ?actor=, ?summit=, ?process= or
    ?search= names; 404 for an unknown slug or a draft."""
    lookups = (
        (Followed.OUTCOME, Outcome.objects.public(), "title"),
        (Followed.SUMMIT, Summit.objects.public(), "name"),
        (Followed.PROCESS, Process.objects.public(), "name"),
        (Followed.ACTOR, Actor.objects.all(), "display_name"),
    )
    for followed, queryset, name in lookups:
        slug = params.get(followed, "").strip()
        if slug:
            record = queryset.filter(slug=slug).first() if SLUG.fullmatch(slug) else None
            if record is None:
                raise Http404(f"There is no public {followed} at “{slug[:60]}” to follow.")
            kind = Followed(followed).label.lower()
            return Target(
                followed,
                record.pk,
                "",
                _one_line(f"{getattr(record, name)} ({kind})"),
                record.get_absolute_url(),
                followed,
                record.slug,
            )
    if "search" in params:
        search, label = saved_search(params["search"])
        url = reverse("outcome_list") + (f"?{search}" if search else "")
        return Target(Followed.SEARCH, 0, search, _one_line(label), url, "search", search)
    raise Http404(
        "Choose something to follow: a commitment, an actor, a summit, a process or a search."
    )


def _over_client_limit(request) -> bool:
    """At most ALERT_FOLLOWS_PER_HOUR follow requests an hour from one client, across app
    servers when the cache is shared (CACHE_URL)."""
    key = f"alerts:follows:{client_ip(request)}"
    cache.add(key, 0, 60 * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, 60 * 60)
        count = 1
    return count > settings.ALERT_FOLLOWS_PER_HOUR


@never_cache
def follow(request):
    """GET: the form to follow what the query string names; POST: ask for confirmation (or,
    for signed-in staff, follow at once with their account's address)."""
    target = read_target(request.GET)
    staff = can_see_drafts(request.user) and bool(request.user.email)
    form_class = StaffFollowForm if staff else FollowForm
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        if not staff and _over_client_limit(request):
            form.add_error(
                None,
                "Too many follow requests have come from your network in the last hour. "
                "Please try again later.",
            )
            status = 429
        elif form.is_valid():
            frequency = form.cleaned_data["frequency"]
            args = (target.followed, target.target_id, target.search, target.label, frequency)
            if staff:
                subscription = following.follow_as_staff(request.user, *args)
                if subscription is not None:
                    return redirect("alerts_manage", subscription.address.token)
                form.add_error(
                    None,
                    "Your account’s address refused our mail or complained of it, so nothing is "
                    "sent to it: ask an administrator to check the address.",
                )
                status = 400
            alert = following.follow(form.cleaned_data["email"], *args)
            if alert is not None:
                send_now(alert)
            return redirect(reverse("alerts_requested") + f"?{target.query}")
        else:
            status = 400
    context = {"form": form, "target": target, "staff": staff, "days": following.confirm_days()}
    return render(request, "alerts/follow.html", context, status=status)


@never_cache
def requested(request):
    """What the follow form says to everyone: the same words whatever the address."""
    try:
        target = read_target(request.GET)
    except Http404:
        target = None
    context = {"target": target, "days": following.confirm_days()}
    return render(request, "alerts/requested.html", context)


@never_cache
def confirm(request, value):
    """A confirmation link: GET shows what it confirms (a link checker that fetches it
    confirms nothing); the button POSTs."""
    try:
        subscription, frequency = following.read_confirmation(value)
    except following.LinkProblem as problem:
        return render(request, "alerts/link_problem.html", {"problem": problem}, status=400)
    done = False
    if request.method == "POST":
        following.confirm(subscription, frequency)
        done = True
    context = {
        "subscription": subscription,
        "frequency": Frequency(frequency).label,
        "done": done,
        "manage_url": reverse("alerts_manage", args=[subscription.address.token]),
    }
    return render(request, "alerts/confirm.html", context)


class ManageForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("cancel", "cancel"), ("frequency", "frequency"), ("cancel_all", "cancel all")]
    )
    subscription = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    frequency = forms.ChoiceField(choices=Frequency.choices, required=False)


@never_cache
def manage(request, token):
    """An address's subscriptions, from the link in every alert's footer: change how often,
    cancel one, or cancel all (which deletes the address)."""
    address = AlertAddress.objects.filter(token=token[:60]).first()
    if address is None:
        return render(
            request,
            "alerts/link_problem.html",
            {
                "problem": (
                    "This address follows nothing any more: its subscriptions were cancelled, "
                    "and the address deleted."
                )
            },
            status=404,
        )
    message = ""
    if request.method == "POST":
        form = ManageForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "alerts/link_problem.html",
                {"problem": "That change could not be read; nothing was changed."},
                status=400,
            )
        action, data = form.cleaned_data["action"], form.cleaned_data
        mine = address.subscriptions.all()
        if action == "cancel_all":
            following.cancel(mine)
            return render(request, "alerts/cancelled.html", {"all": True})
        chosen = mine.filter(pk=data["subscription"])
        if action == "cancel":
            following.cancel(chosen)
            if not AlertAddress.objects.filter(pk=address.pk).exists():
                return render(request, "alerts/cancelled.html", {"all": True})
            message = "Cancelled."
        elif data["frequency"]:
            chosen.update(frequency=data["frequency"])
            message = "Saved: the next alerts follow the new frequency."
    subscriptions = address.subscriptions.order_by("label")
    context = {
        "address": address,
        "subscriptions": subscriptions,
        "frequencies": Frequency.choices,
        "message": message,
    }
    return render(request, "alerts/manage.html", context)


@csrf_exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" with no token
@never_cache
def unsubscribe(request, token):
    """The unsubscribe link of one alert: what it was sent for. GET asks (a link checker
    cancels nothing); POST cancels, from the page's button or a mail program's one click."""
    alert = Alert.objects.select_related("address").filter(token=token[:60]).first()
    if alert is None:
        return render(
            request,
            "alerts/link_problem.html",
            {
                "problem": (
                    "These alerts were already cancelled: nothing more will be sent for them."
                )
            },
            status=404,
        )
    ids = set(AlertItem.objects.filter(alert=alert).values_list("subscription_id", flat=True))
    if alert.subscription_id:
        ids.add(alert.subscription_id)
    subscriptions = Subscription.objects.filter(pk__in=ids, address=alert.address)
    if request.method == "POST":
        count = following.cancel(subscriptions)
        remaining = AlertAddress.objects.filter(pk=alert.address_id).first()
        return render(
            request,
            "alerts/cancelled.html",
            {
                "count": count,
                "all": remaining is None,
                "manage_url": remaining and reverse("alerts_manage", args=[remaining.token]),
            },
        )
    context = {
        "subscriptions": subscriptions,
        "alert": alert,
        "manage_url": reverse("alerts_manage", args=[alert.address.token]),
    }
    return render(request, "alerts/unsubscribe.html", context)


@never_cache
def staff_alerts(request):
    """The desk's link to what a signed-in staff member follows with their account's
    address."""
    if not can_see_drafts(request.user):
        return redirect_to_login(request.get_full_path())
    address = AlertAddress.objects.filter(email=following.normalized(request.user.email)).first()
    if request.user.email and address is not None:
        return redirect("alerts_manage", address.token)
    return render(request, "alerts/staff_none.html", {"section": "desk"})
