"""Subscribing and unsubscribing.

Double opt-in: following something creates a pending subscription and a confirmation
request, and nothing else is ever sent to the address until the link in that request is
followed (within CONFIRM_DAYS). Whatever the address (new, pending, subscribed, suppressed or
over its limit), the visitor sees the same answer, so the form never tells whether an address
follows anything. An address is kept only while it follows something or is asked to confirm:
cancelling its last subscription, or letting the confirmation expire, deletes it.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from tracker.models import (
    Alert,
    AlertAddress,
    Frequency,
    Subscription,
    Suppression,
)

CONFIRM_SALT = "tracker.alerts.confirm"


def confirm_days() -> int:
    return settings.ALERT_CONFIRM_DAYS


def normalized(email: str) -> str:
    return email.strip().lower()


def digest_of(email: str) -> str:
    """How a suppressed address is kept: a keyed digest, not the address."""
    key = settings.SECRET_KEY.encode()
    return hashlib.blake2b(normalized(email).encode(), key=key[:64], digest_size=32).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def message_id(kind: str) -> str:
    return f"<{kind}.{secrets.token_hex(12)}@{settings.ALERT_MAIL_DOMAIN}>"


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(email_digest=digest_of(email)).exists()


def follow(email: str, followed: str, target_id: int, search: str, label: str, frequency: str):
    """Ask email to confirm that it follows this, at this frequency: the subscription is
    created pending (or found: the same address following the same thing is one
    subscription), and a confirmation request queued, unless the address is suppressed or
    has had its ALERT_REQUESTS_PER_DAY today. Returns the confirmation Alert queued, or None.
    An address that already follows it confirms again, and the frequency it chooses then
    holds from the confirmation on."""
    email = normalized(email)
    if is_suppressed(email):
        return None
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        address = _address(email)
        address = AlertAddress.objects.select_for_update().filter(pk=address.pk).first()
        if address is None:  # its last subscription was cancelled at this very moment
            address = _address(email)
        if address.requests_day != today:
            address.requests_day, address.requests_today = today, 0
        if address.requests_today >= settings.ALERT_REQUESTS_PER_DAY:
            return None
        address.requests_today += 1
        address.save(update_fields=["requests_day", "requests_today"])
        subscription, created = _subscription(
            address, followed, target_id, search, label, frequency=frequency, requested_at=now
        )
        if not created:
            subscription.requested_at = now
            subscription.save(update_fields=["requested_at"])
        # The frequency chosen is carried by the confirmation link: a third party who types
        # someone's address can never change what they receive.
        return Alert.objects.create(
            address=address,
            key=f"confirm:{subscription.pk}:{new_token()[:16]}",
            kind="confirm",
            frequency=frequency,
            subscription=subscription,
            token=new_token(),
            message_id=message_id("confirm"),
            due_at=now,
            next_attempt_at=now,
        )


def follow_as_staff(user, followed: str, target_id: int, search: str, label: str, frequency):
    """Signed-in staff follow with their account's address at once: it is known to be
    theirs."""
    email = normalized(user.email)
    if is_suppressed(email):
        return None
    now = timezone.now()
    with transaction.atomic():
        address = _address(email)
        subscription, created = _subscription(
            address,
            followed,
            target_id,
            search,
            label,
            frequency=frequency,
            requested_at=now,
            confirmed_at=now,
        )
        if not created:
            subscription.frequency = frequency
            subscription.confirmed_at = subscription.confirmed_at or now
            subscription.save(update_fields=["frequency", "confirmed_at"])
    return subscription


def _subscription(address, followed, target_id, search, label, **new):
    """The address's one subscription to this thing, made with `new` if it has none."""
    return Subscription.objects.get_or_create(
        address=address,
        followed=followed,
        target_id=target_id,
        search=search,
        defaults={"label": label[:300], "token": new_token(), **new},
    )


def _address(email: str) -> AlertAddress:
    try:
        with transaction.atomic():
            address, _ = AlertAddress.objects.get_or_create(
                email=email, defaults={"token": new_token()}
            )
    except IntegrityError:  # made by a request at the same moment
        address = AlertAddress.objects.get(email=email)
    return address


def confirmation_value(alert: Alert) -> str:
    """The signed value a confirmation link carries: the subscription and the frequency
    chosen, valid for CONFIRM_DAYS."""
    return signing.dumps(
        {"s": alert.subscription.token, "f": alert.frequency}, salt=CONFIRM_SALT, compress=True
    )


class LinkProblem(Exception):
    """A confirmation or unsubscribe link that cannot be used; str() says why."""


def read_confirmation(value: str) -> tuple[Subscription, str]:
    """The pending or confirmed subscription a confirmation link names, and its frequency;
    LinkProblem for an expired, altered or cancelled one."""
    try:
        data = signing.loads(value, salt=CONFIRM_SALT, max_age=datetime.timedelta(confirm_days()))
    except signing.SignatureExpired as error:
        raise LinkProblem(
            f"This confirmation link has expired (links last {confirm_days()} days). "
            "Follow it again to get a new one."
        ) from error
    except signing.BadSignature as error:
        raise LinkProblem(
            "This is not a confirmation link we sent (it may be cut short)."
        ) from error
    subscription = (
        Subscription.objects.select_related("address").filter(token=data.get("s")).first()
    )
    if subscription is None:
        raise LinkProblem(
            "This subscription was cancelled, or its confirmation expired. Follow it again "
            "to get a new link."
        )
    frequency = data.get("f")
    if frequency not in Frequency.values:
        raise LinkProblem("This is not a confirmation link we sent.")
    return subscription, frequency


def confirm(subscription: Subscription, frequency: str) -> None:
    """Confirmed (again): changes from now on are sent at this frequency."""
    fields = {"frequency": frequency}
    if subscription.confirmed_at is None:
        fields["confirmed_at"] = timezone.now()
    Subscription.objects.filter(pk=subscription.pk).update(**fields)
    for name, value in fields.items():
        setattr(subscription, name, value)


def cancel(subscriptions) -> int:
    """Cancel these subscriptions (a queryset); an address left with none is deleted, with
    everything sent to it. Returns how many were cancelled."""
    with transaction.atomic():
        addresses = set(subscriptions.values_list("address_id", flat=True))
        count, _ = Subscription.objects.filter(pk__in=subscriptions.values("pk")).delete()
        forget_unused(addresses)
    return count


def forget_unused(address_ids=None) -> int:
    """Delete the addresses (of these ids, or all) that follow nothing any more."""
    addresses = AlertAddress.objects.filter(subscriptions__isnull=True)
    if address_ids is not None:
        addresses = addresses.filter(pk__in=address_ids)
    count, _ = AlertAddress.objects.filter(
        pk__in=list(addresses.values_list("pk", flat=True))
    ).delete()
    return count


def expire_pending(now=None) -> int:
    """Delete the subscriptions whose confirmation expired unconfirmed, and the addresses
    left with none: an address is not kept for a request nobody confirmed."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=confirm_days())
    expired = Subscription.objects.filter(confirmed_at__isnull=True, requested_at__lt=limit)
    count = expired.count()
    if count:
        cancel(expired)
    forget_unused()
    return count


def suppress(email: str, reason: str) -> None:
    """A hard bounce or a complaint: nothing is sent to this address again, and it is
    deleted with its subscriptions (only a digest of it is kept, to refuse it)."""
    email = normalized(email)
    with transaction.atomic():
        Suppression.objects.get_or_create(
            email_digest=digest_of(email), defaults={"reason": reason}
        )
        AlertAddress.objects.filter(email=email).delete()
