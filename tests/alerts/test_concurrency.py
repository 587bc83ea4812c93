"""Two send_alerts runs at once never send an alert twice (PostgreSQL: SQLite lets one writer
at a time, so there the runs take turns and the question does not arise)."""

import io
import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from outcomes.models.choices import Status
from tests.factories import make_outcome, make_update
from tracker.models import Alert, AlertAddress, AlertState, Followed, Frequency, Subscription

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_every_alert_exactly_once(mailbox):
    outcome = make_outcome(title="Aid framework")
    now = timezone.now()
    for n in range(40):
        address = AlertAddress.objects.create(email=f"reader{n}@example.org", token=f"t{n}")
        Subscription.objects.create(
            address=address,
            followed=Followed.OUTCOME,
            target_id=outcome.pk,
            label="Aid",
            frequency=Frequency.IMMEDIATELY,
            token=f"s{n}",
            requested_at=now,
            confirmed_at=now,
        )
    for status in (Status.IN_PROGRESS, Status.STALLED, Status.IMPLEMENTED):
        make_update(outcome, status=status)

    errors = []

    def run():
        try:
            call_command("send_alerts", stdout=io.StringIO())
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    received = Counter((m["To"], m["Message-ID"]) for m in mailbox.messages)
    assert len(received) == 120
    assert set(received.values()) == {1}
    assert Alert.objects.filter(state=AlertState.SENT).count() == 120
