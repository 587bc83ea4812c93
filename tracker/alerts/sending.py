"""Sending alerts: each exactly once, with retries.

An alert is recorded (with its Message-ID) before it is sent, claimed by one run before that
run sends it (a conditional update: two runs at once never claim the same alert), and
recorded as sent as soon as the server accepted it. A run that crashes in between leaves
its claimed alerts "sending": after CLAIM_LEASE another run sends them again, with the same
Message-ID, so that a crash after the server accepted one message repeats that one message
and nothing else. A refusal for now (4xx), or a server that cannot be reached, is retried
with backoff; a recipient refused for good (5xx) is a hard bounce: the address is
suppressed.
"""

import datetime
import logging
import smtplib
import uuid
from collections import defaultdict

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tracker.models import Alert, AlertItem, AlertState, Frequency

from .following import confirmation_value, suppress

log = logging.getLogger(__name__)

BATCH = 200
CLAIM_LEASE = datetime.timedelta(minutes=10)
MAX_ATTEMPTS = 8
RETRY_CAP = datetime.timedelta(hours=6)


def site_root() -> str:
    """Where the links in e-mails point: SITE_URL (the development server's without it)."""
    return (settings.SITE_URL or "http://127.0.0.1:8000").rstrip("/")


def site_url(path: str) -> str:
    return site_root() + path


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait before the next attempt, after `attempts` failed ones: doubling."""
    delay = datetime.timedelta(seconds=settings.ALERT_RETRY_SECONDS * 2 ** (attempts - 1))
    return min(delay, RETRY_CAP)


class Outbox:
    """One run's sending: claims, sends and records."""

    def __init__(self, connection=None, now=None):
        self.run = uuid.uuid4().hex
        self.connection = connection
        self.now = now
        self.sent = self.retried = self.failed = self.dropped = 0

    def send_due(self) -> "Outbox":
        """Send every alert due (in batches), then return."""
        now = self.now or timezone.now()
        # Alerts a crashed run claimed: sent again, with the same Message-ID.
        Alert.objects.filter(state=AlertState.SENDING, claimed_at__lt=now - CLAIM_LEASE).update(
            state=AlertState.PENDING
        )
        self.connection = self.connection or get_connection(fail_silently=False)
        try:
            while claimed := self.claim(now):
                if not self.send(claimed, now):
                    break  # the server cannot be reached: the rest waits for a later run
                now = self.now or timezone.now()
        finally:
            self.connection.close()
        return self

    def claim(self, now) -> list[Alert]:
        due = Alert.objects.filter(
            state=AlertState.PENDING, next_attempt_at__lte=now, due_at__lte=now
        )
        ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return []
        Alert.objects.filter(pk__in=ids, state=AlertState.PENDING).update(
            state=AlertState.SENDING, claimed_by=self.run, claimed_at=now
        )
        return list(
            Alert.objects.filter(claimed_by=self.run, state=AlertState.SENDING, pk__in=ids)
            .select_related("address", "subscription")
            .order_by("pk")
        )

    def send(self, alerts: list[Alert], now) -> bool:
        """Send a claimed batch; False if the server could not be reached (the rest of the
        batch is given back)."""
        contents = _contents(alerts)
        for position, alert in enumerate(alerts):
            items = contents.get(alert.pk, [])
            if alert.kind != "confirm" and not items:
                self._record(alert, state=AlertState.DROPPED)
                self.dropped += 1
                continue
            # The claim renewed: a run that took longer than the lease has lost it to another,
            # and an address that unsubscribed meanwhile is gone.
            renewed = Alert.objects.filter(
                pk=alert.pk, claimed_by=self.run, state=AlertState.SENDING
            ).update(claimed_at=timezone.now())
            if not renewed:
                continue
            try:
                message = compose(alert, items, self.connection)
                self.connection.open()
                message.send()
            except smtplib.SMTPRecipientsRefused as error:
                code = min(code for code, _ in error.recipients.values())
                self._refused(alert, code, str(error.recipients), now, bounce=True)
            except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
                self._refused(alert, error.smtp_code, error.smtp_error, now, bounce=False)
            except (smtplib.SMTPException, OSError) as error:
                # The server, not this message: no attempt is counted against any of them.
                log.warning("The mail server cannot be reached (%s); alerts wait.", error)
                wait = now + backoff(1)
                for rest in alerts[position:]:
                    self._record(
                        rest,
                        state=AlertState.PENDING,
                        claimed_by="",
                        next_attempt_at=wait,
                        last_error=repr(error)[:300],
                    )
                self.retried += 1
                self.connection.close()
                return False
            except Exception as error:  # this message cannot be made: never sent, never retried
                log.exception("Alert %s cannot be sent", alert.pk)
                self._record(alert, state=AlertState.FAILED, last_error=repr(error)[:300])
                self.failed += 1
            else:
                self._record(alert, state=AlertState.SENT, sent_at=timezone.now())
                self.sent += 1
        return True

    def _refused(self, alert, code: int, reason, now, *, bounce: bool) -> None:
        """A refusal: for now (4xx) retried; for good (5xx) failed, and for the recipient
        itself a hard bounce, which suppresses the address."""
        reason = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
        if code >= 500:
            log.warning("An alert (%s) was refused for good: %s", alert.pk, code)
            self._record(alert, state=AlertState.FAILED, last_error=f"{code} {reason}"[:300])
            self.failed += 1
            if bounce:
                suppress(alert.address.email, "bounce")
            return
        self._retry(alert, f"{code} {reason}", now)

    def _retry(self, alert, error: str, now) -> None:
        attempts = alert.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            self._record(alert, state=AlertState.FAILED, attempts=attempts, last_error=error[:300])
            self.failed += 1
            return
        self._record(
            alert,
            state=AlertState.PENDING,
            attempts=attempts,
            next_attempt_at=now + backoff(attempts),
            claimed_by="",
            last_error=error[:300],
        )
        self.retried += 1

    def _record(self, alert, **fields) -> None:
        Alert.objects.filter(pk=alert.pk, claimed_by=self.run).update(**fields)


def _contents(alerts) -> dict[int, list[AlertItem]]:
    """The items of each alert whose record is still public (one query for the items and
    one per kind of record): a record withdrawn since it was planned is not sent."""
    items = list(
        AlertItem.objects.filter(alert__in=[a.pk for a in alerts])
        .select_related("change", "subscription")
        .order_by("-change__recorded_at", "-change_id")
    )
    by_type = defaultdict(set)
    for item in items:
        by_type[item.change.record_type].add(item.change.record_id)
    public = {
        (kind, pk)
        for kind, ids in by_type.items()
        for pk in apps.get_model(kind)
        .objects.public()
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    }
    contents = defaultdict(list)
    gone = []
    for item in items:
        change = item.change
        # News of a record still public; a withdrawal notice of one still withdrawn.
        if ((change.record_type, change.record_id) in public) != bool(change.withdraws):
            contents[item.alert_id].append(item)
        else:
            gone.append(item.pk)
    if gone:
        AlertItem.objects.filter(pk__in=gone).delete()
    return contents


def grouped(items: list[AlertItem]) -> list[dict]:
    """A digest's changes by followed item (in the order first met: newest first), each
    change once per item."""
    groups = {}
    for item in items:
        group = groups.setdefault(
            item.subscription_id, {"subscription": item.subscription, "changes": []}
        )
        group["changes"].append(item.change)
    return list(groups.values())


def compose(alert: Alert, items: list[AlertItem], connection) -> EmailMultiAlternatives:
    address = alert.address
    context = {
        "alert": alert,
        "site_url": site_root(),
        "manage_url": site_url(reverse("alerts_manage", args=[address.token])),
        "unsubscribe_url": site_url(reverse("alerts_unsubscribe", args=[alert.token])),
        "frequency": Frequency(alert.frequency).label,
    }
    headers = {"Message-ID": alert.message_id, "Auto-Submitted": "auto-generated"}
    if alert.kind == "confirm":
        subscription = alert.subscription
        context |= {
            "subscription": subscription,
            "confirm_url": site_url(reverse("alerts_confirm", args=[confirmation_value(alert)])),
            "days": settings.ALERT_CONFIRM_DAYS,
        }
        subject = f"Confirm: follow {subscription.label}"
        template = "alerts/mail/confirm"
    else:
        groups = grouped(items)
        changes = {item.change_id for item in items}
        context |= {"groups": groups, "count": len(changes)}
        if alert.kind == "digest":
            period = "daily" if alert.frequency == Frequency.DAILY else "weekly"
            context["period"] = period
            subject = f"Your {period} digest: {len(changes)} change{'s' * (len(changes) != 1)}"
            template = "alerts/mail/digest"
        else:
            subject = items[0].change.title
            template = "alerts/mail/alert"
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=" ".join(f"{settings.ALERT_SUBJECT_PREFIX}{subject}".split())[:250],
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address.email],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def send_now(alert: Alert) -> None:
    """Send one alert at once (a confirmation request, from the follow form): if the server
    cannot take it now, it stays queued and send_alerts retries it."""
    outbox = Outbox(connection=get_connection(fail_silently=False))
    now = timezone.now()
    claimed = Alert.objects.filter(pk=alert.pk, state=AlertState.PENDING).update(
        state=AlertState.SENDING, claimed_by=outbox.run, claimed_at=now
    )
    if not claimed:
        return
    alert = Alert.objects.select_related("address", "subscription").get(pk=alert.pk)
    try:
        outbox.send([alert], now)
    finally:
        outbox.connection.close()
