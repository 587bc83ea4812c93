"""Subscriptions: the Atom feed of status changes (/feeds/updates.atom) and the iCalendar feed
of deadlines (/deadlines.ics).

Both hold published records only, whoever asks: a feed reader keeps what it fetched, so a
draft must never reach one. A draft outcome's updates, deadline and follow-ups stay out too.
"""

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from actors.models import Actor
from core.cache import public_page
from core.dates import DatePrecision
from core.params import BadValue, parse_date
from outcomes.models import Claim, FollowUp, Outcome, StatusUpdate
from summits.models import Summit

SITE_TAG = "summit-outcome-tracker"
FEED_LIMIT = 50
CALENDAR_PAST_DAYS = 365  # deadlines.ics starts this long ago unless ?from= says otherwise
_SLUG = re.compile(r"[-\w]{1,120}")


@dataclass
class FeedScope:
    """What the feed is narrowed to by ?summit=, ?actor= and ?outcome= (all may combine)."""

    summit: Summit | None = None
    actor: Actor | None = None
    outcome: Outcome | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def narrowed_to(self):
        return self.outcome or self.summit or self.actor


def feed_scope(request) -> FeedScope:
    """?summit=, ?actor= and ?outcome= as records. A feed reader cannot show a notice: an
    unknown slug is a clear 404, not a silently wider feed; a draft outcome or summit is not
    found, as on its page for the public."""
    scope = FeedScope()
    scopes = (
        ("summit", Summit.objects.public()),
        ("actor", Actor.objects),
        ("outcome", Outcome.objects.public()),
    )
    for name, queryset in scopes:
        slug = request.GET.get(name, "").strip()
        if not slug:
            continue
        if not _SLUG.fullmatch(slug):
            raise Http404(f"“{slug[:40]}” is not a {name} address.")
        setattr(scope, name, get_object_or_404(queryset, slug=slug))
        scope.params[name] = slug
    return scope


def scoped_outcomes(scope: FeedScope):
    """The outcomes a scope narrows a feed to, None for all of them."""
    if not scope.narrowed_to:
        return None
    outcomes = Outcome.objects.all()
    if scope.summit:
        outcomes = outcomes.filter(summit=scope.summit)
    if scope.actor:
        outcomes = outcomes.party_to(scope.actor)  # the public links only
    if scope.outcome:
        outcomes = outcomes.filter(pk=scope.outcome.pk)
    return outcomes


def feed_order(item) -> tuple:
    """Newest first: by the day recorded; within a day, by what happened, undated entries
    after dated ones (StatusUpdateQuerySet.for_feed, ClaimQuerySet.for_feed)."""
    happened = item.claimed_on if isinstance(item, Claim) else item.effective_date
    dated = not getattr(item, "undated", False)
    return (timezone.localdate(item.recorded_at), dated, happened, item.recorded_at, item.pk)


class UpdatesFeed(Feed):
    """Status changes and actors' claims about them, newest recorded first: a correction is
    news when it is recorded, and so is a claim (or its withdrawal)."""

    feed_type = Atom1Feed
    description_template = "feeds/update_description.html"

    def get_object(self, request, *args, **kwargs) -> FeedScope:
        return feed_scope(request)

    def title(self, scope: FeedScope) -> str:
        parts = []
        if scope.outcome:
            parts.append(scope.outcome.title)
        if scope.summit:
            parts.append(scope.summit.name)
        if scope.actor:
            parts.append(f"commitments of {scope.actor}")
        suffix = f": {'; '.join(parts)}" if parts else ""
        return f"Status changes{suffix} · Summit Outcome Tracker"

    def subtitle(self, scope: FeedScope) -> str:
        return (
            "Every change in the implementation status of summit commitments, and every claim "
            "an actor makes about it, newest recorded first, with its date, summary and "
            "sources."
        )

    def link(self, scope: FeedScope) -> str:
        narrowed = scope.narrowed_to
        return narrowed.get_absolute_url() if narrowed else reverse("overview")

    def feed_url(self, scope: FeedScope) -> str:
        query = urlencode(scope.params)
        return reverse("updates_feed") + (f"?{query}" if query else "")

    def feed_guid(self, scope: FeedScope) -> str:
        query = urlencode(scope.params)
        return f"tag:{SITE_TAG},2025:feeds/updates" + (f"?{query}" if query else "")

    def items(self, scope: FeedScope):
        outcomes = scoped_outcomes(scope)
        updates = StatusUpdate.objects.public().for_feed(outcomes, limit=FEED_LIMIT)
        claims = Claim.objects.public().for_feed(outcomes, limit=FEED_LIMIT)
        return sorted([*updates, *claims], key=feed_order, reverse=True)[:FEED_LIMIT]

    def item_title(self, update) -> str:
        if isinstance(update, Claim):
            side = f"{update.party.actor.display_name}’s side of " if update.party_id else ""
            what = (
                "withdraws their claim"
                if update.withdrawal
                else (f"claims {side}it is {update.get_status_display().lower()}")
            )
            return f"{update.outcome.title}: {update.claimant.display_name} {what}"
        side = f" ({update.party.actor.display_name}’s side)" if update.party_id else ""
        title = f"{update.outcome.title}{side}: {update.get_status_display()}"
        return f"{title} (correction)" if update.corrects_id else title

    def item_link(self, update) -> str:
        anchor = "#claims" if isinstance(update, Claim) else ""
        return update.outcome.get_absolute_url() + anchor

    def item_guid(self, update) -> str:
        # Stable whatever the host name or the outcome's address.
        if isinstance(update, Claim):
            return f"tag:{SITE_TAG},2025:claim/{update.pk}"
        return f"tag:{SITE_TAG},2025:status-update/{update.pk}"

    def item_pubdate(self, update: StatusUpdate) -> datetime.datetime:
        return update.recorded_at

    def item_updateddate(self, update: StatusUpdate) -> datetime.datetime:
        return update.recorded_at

    def item_categories(self, update) -> list[str]:
        if isinstance(update, Claim):
            return ["Claim", update.outcome.summit.name]
        return [update.get_status_display(), update.outcome.summit.name]


# --- iCalendar (RFC 5545) -------------------------------------------------------------------
# Written by hand: a calendar of all-day events needs a few dozen lines, not a dependency.

_PRECISION_NOTES = {
    DatePrecision.APPROXIMATE: "The date is approximate.",
    DatePrecision.MONTH: "Only the month is known; the event is placed on its first day.",
    DatePrecision.YEAR: "Only the year is known; the event is placed on 1 January.",
    DatePrecision.ON_OR_BEFORE: "Due on or before this date.",
}


def ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def ics_fold(line: str, limit: int = 75) -> str:
    """Fold a content line into lines of at most 75 octets (RFC 5545 3.1), never inside a
    UTF-8 character; each continuation line starts with a space."""
    parts, current, size = [], [], 0
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 1  # the leading space of the continuation line
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _ics_date(date: datetime.date) -> str:
    return date.strftime("%Y%m%d")


def _deadline_event(*, uid, date, precision, summary, description, url, stamp) -> list[str]:
    note = _PRECISION_NOTES.get(precision)
    if note:
        description = f"{description}\n{note}"
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{_ics_date(date)}",
        f"DTEND;VALUE=DATE:{_ics_date(date + datetime.timedelta(days=1))}",
        f"SUMMARY:{ics_text(summary)}",
        f"DESCRIPTION:{ics_text(description)}",
        f"URL:{url}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


@public_page
def deadlines_ics(request):
    """The deadlines of outcomes and follow-ups due on or after ?from= (default: a year
    ago), as all-day events; ?summit=, ?actor= and ?outcome= narrow it as they narrow the
    Atom feed. Without a start it would hold every deadline ever set: tens of thousands of
    events, which calendar programs refuse and which took seconds to write."""
    try:
        start = (
            parse_date(request.GET["from"], "the calendar’s start")
            if "from" in request.GET
            else None
        )
    except BadValue as error:
        message = f"from: {error} Nothing was selected.\n"
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    start = start or timezone.localdate() - datetime.timedelta(days=CALENDAR_PAST_DAYS)
    scope = feed_scope(request)
    outcomes = Outcome.objects.public().with_status().for_calendar(start)
    follow_ups = FollowUp.objects.public().for_calendar(start)
    narrowed = scoped_outcomes(scope)
    if narrowed is not None:
        outcomes = outcomes.filter(pk__in=narrowed.values("pk"))
        follow_ups = follow_ups.filter(outcome__in=narrowed.values("pk"))
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    what = f" of {scope.narrowed_to}" if scope.narrowed_to else ""
    about = (
        f"Deadlines of summit commitments{what} and their follow-ups, due on or after "
        f"{start.isoformat()}."
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Summit Outcome Tracker//Deadlines//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_text('Summit commitment deadlines' + what)}",
        f"X-WR-CALDESC:{ics_text(about)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT12H",
    ]
    for outcome in outcomes:
        status = outcome.shown_status_label
        description = (
            f"Deadline of “{outcome.title}”, agreed at {outcome.summit.name} "
            f"({outcome.summit.date_display}). Due {outcome.deadline_display}."
        )
        if outcome.deadline_text:
            description += f" The source says: “{outcome.deadline_text}”."
        description += f"\nStatus now: {status}."
        lines += _deadline_event(
            uid=f"outcome-{outcome.slug}@{SITE_TAG}",
            date=outcome.due_date,
            precision=outcome.due_date_precision,
            summary=f"Due: {outcome.title}",
            description=description,
            url=request.build_absolute_uri(outcome.get_absolute_url()),
            stamp=stamp,
        )
    for follow_up in follow_ups:
        where = f" in {follow_up.location}" if follow_up.location else ""
        description = (
            f"{follow_up.get_kind_display()}{where}, expected under “{follow_up.outcome.title}” "
            f"({follow_up.outcome.summit.name}). Due {follow_up.deadline_display}."
            f"\nStatus now: {follow_up.get_status_display()}."
        )
        lines += _deadline_event(
            uid=f"followup-{follow_up.pk}@{SITE_TAG}",
            date=follow_up.due_date,
            precision=follow_up.due_date_precision,
            summary=f"Follow-up due: {follow_up.title}",
            description=description,
            url=request.build_absolute_uri(follow_up.outcome.get_absolute_url()),
            stamp=stamp,
        )
    lines.append("END:VCALENDAR")
    body = "".join(f"{ics_fold(line)}\r\n" for line in lines)
    response = HttpResponse(body.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="summit-deadlines.ics"'
    return response
