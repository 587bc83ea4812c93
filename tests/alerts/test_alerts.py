"""E-mail alerts against a real SMTP server (aiosmtpd: the mailbox fixture, tests/mailbox.py):
following, double opt-in, what an alert says, digests, unsubscribing, retries, bounces and
limits."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import DataVersion
from core.publishing import unpublish
from outcomes.models import OutcomeParty
from outcomes.models.choices import PartyRole, Status
from tests.factories import make, make_actor, make_claim, make_outcome, make_source, make_update
from tests.mailbox import html_of, link, text_of
from tracker.alerts import following, planning
from tracker.alerts.sending import Outbox
from tracker.models import Alert, AlertAddress, AlertState, Subscription, Suppression

ADDRESS = "researcher@example.org"


def subject(message) -> str:
    # Django folds a long encoded subject onto a line of its own ("Subject: \n =?utf-8?…"),
    # which Python's parser reads with the leading space; mail programs drop it.
    return message["Subject"].strip()


def send_alerts() -> str:
    out = io.StringIO()
    call_command("send_alerts", stdout=out)
    return out.getvalue()


def follow(client, params: str, email=ADDRESS, frequency="immediately"):
    return client.post(f"/follow/?{params}", {"email": email, "frequency": frequency})


def confirmed(client, mailbox, params: str, email=ADDRESS, frequency="immediately"):
    """Follow and confirm from the mail, as a visitor does; the confirmation is then
    cleared from the mailbox."""
    response = follow(client, params, email, frequency)
    assert response.status_code == 302
    confirm = link(mailbox.to(email)[-1], "/alerts/confirm/")
    page = client.get(confirm)
    assert b"Confirm" in page.content
    done = client.post(confirm)
    assert b"You follow" in done.content
    mailbox.clear()


@pytest.fixture
def outcome(db):
    return make_outcome(title="Military hotline", slug="military-hotline")


def test_nothing_but_the_confirmation_is_sent_until_it_is_followed(client, mailbox, outcome):
    response = follow(client, "outcome=military-hotline")
    assert response.status_code == 302
    [message] = mailbox.to(ADDRESS)
    assert (
        subject(message) == "[Summit Outcome Tracker] Confirm: follow Military hotline (commitment)"
    )
    assert "/alerts/confirm/" in text_of(message) and "/alerts/confirm/" in html_of(message)
    assert "List-Unsubscribe" not in message

    make_update(outcome, status=Status.IN_PROGRESS)
    send_alerts()
    assert len(mailbox.to(ADDRESS)) == 1  # still only the confirmation

    confirm = link(message, "/alerts/confirm/")
    assert client.get(confirm).status_code == 200
    assert Subscription.objects.get().confirmed_at is None  # GET confirms nothing
    client.post(confirm)
    assert Subscription.objects.get().confirmed_at is not None
    send_alerts()
    # The entry published before the confirmation is not sent after it.
    assert len(mailbox.to(ADDRESS)) == 1


def test_an_alert_says_what_changed_from_what_to_what_when_with_sources(client, mailbox, outcome):
    make_update(outcome, status=Status.NOT_STARTED, effective_date=datetime.date(2025, 6, 20))
    confirmed(client, mailbox, "outcome=military-hotline")
    source = make_source(title="Hotline reopens", publisher="Yonhap", url="https://example.org/a")
    make_update(
        outcome,
        status=Status.IMPLEMENTED,
        effective_date=datetime.date(2025, 7, 3),
        summary="The line was tested and works.",
        sources=[source],
    )
    report = send_alerts()
    assert "sent 1" in report
    [message] = mailbox.to(ADDRESS)
    assert (
        subject(message) == "[Summit Outcome Tracker] Military hotline: Not started → Implemented"
    )
    text = text_of(message)
    assert "from “Not started” to “Implemented”, effective 3 July 2025" in text
    assert "The line was tested and works." in text
    assert "Hotline reopens, Yonhap" in text and "https://example.org/a" in text
    assert "http://testserver/outcomes/military-hotline/?as_of=2025-07-03" in text
    assert "Hotline reopens" in html_of(message)
    assert message["Message-ID"].startswith("<alert.")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/alerts/unsubscribe/" in message["List-Unsubscribe"]
    assert "/alerts/manage/" in text
    # Run again: nothing is sent twice.
    send_alerts()
    assert len(mailbox.to(ADDRESS)) == 1


def test_a_party_and_its_actor_are_followed_a_claim_and_drafts_are_not_sent(
    client, mailbox, outcome
):
    japan = make_actor(name="Japan", slug="japan")
    party = make(OutcomeParty, outcome=outcome, actor=japan, role=PartyRole.RESPONSIBLE)
    confirmed(client, mailbox, "actor=japan")
    make_update(outcome, status=Status.STALLED, party=party, published=False)  # a draft
    send_alerts()
    assert mailbox.to(ADDRESS) == []
    make_update(outcome, status=Status.STALLED, party=party)
    make_claim(outcome, japan, status=Status.IMPLEMENTED, words="We have done our part.")
    send_alerts()
    subjects = sorted(subject(m) for m in mailbox.to(ADDRESS))
    assert subjects == [
        "[Summit Outcome Tracker] Military hotline (Japan’s side): Stalled",
        "[Summit Outcome Tracker] Military hotline: Japan claims it is implemented",
    ]


def test_a_withdrawn_entry_that_was_sent_is_followed_by_a_correction(
    client, mailbox, outcome, alice
):
    confirmed(client, mailbox, "outcome=military-hotline")
    entry = make_update(outcome, status=Status.IMPLEMENTED)
    send_alerts()
    assert len(mailbox.to(ADDRESS)) == 1
    unpublish([entry], alice)
    send_alerts()
    notice = mailbox.to(ADDRESS)[-1]
    assert "withdrawn" in subject(notice)
    assert "no longer counts" in text_of(notice)


def test_an_entry_withdrawn_before_it_was_sent_is_not_sent(client, mailbox, outcome, alice):
    confirmed(client, mailbox, "outcome=military-hotline", frequency="daily")
    entry = make_update(outcome, status=Status.IMPLEMENTED)
    send_alerts()  # planned into tonight's digest
    unpublish([entry], alice)
    later = timezone.now() + datetime.timedelta(days=1, minutes=5)
    planning.plan(later)
    outbox = Outbox(now=later).send_due()
    assert mailbox.to(ADDRESS) == [] and outbox.dropped == 1


def test_a_digest_groups_by_followed_item_newest_first(client, mailbox, outcome):
    summit = outcome.summit
    confirmed(client, mailbox, "outcome=military-hotline", frequency="daily")
    confirmed(client, mailbox, f"summit={summit.slug}", frequency="daily")
    make_update(outcome, status=Status.IN_PROGRESS, effective_date=datetime.date(2025, 7, 1))
    make_update(outcome, status=Status.IMPLEMENTED, effective_date=datetime.date(2025, 8, 1))
    send_alerts()
    assert mailbox.to(ADDRESS) == []  # not before the day ends
    later = timezone.now() + datetime.timedelta(days=1, minutes=5)
    Outbox(now=later).send_due()
    [digest] = mailbox.to(ADDRESS)
    assert subject(digest) == "[Summit Outcome Tracker] Your daily digest: 2 changes"
    text = text_of(digest)
    assert "When nothing changed in a period, no digest is sent." in text
    assert text.count("== ") == 2  # one group per followed item
    assert text.index("In progress → Implemented") < text.index("Status recorded: “In progress”")


def test_one_click_unsubscribe_cancels_and_forgets_the_address(client, mailbox, outcome):
    confirmed(client, mailbox, "outcome=military-hotline")
    make_update(outcome, status=Status.IMPLEMENTED)
    send_alerts()
    [message] = mailbox.to(ADDRESS)
    url = message["List-Unsubscribe"].strip().strip("<>")

    # A mail program's one click (RFC 8058): a POST with no session and no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not AlertAddress.objects.exists() and not Subscription.objects.exists()
    make_update(outcome, status=Status.STALLED)
    send_alerts()
    assert len(mailbox.to(ADDRESS)) == 1


def test_the_same_address_following_twice_is_one_subscription_and_answers_alike(
    client, mailbox, outcome
):
    first = follow(client, "outcome=military-hotline")
    page_known = client.get(first.url)
    second = follow(client, "outcome=military-hotline")
    page_other = client.get(follow(client, "outcome=military-hotline", email="x@example.org").url)
    assert first.url == second.url
    assert page_known.content == page_other.content
    assert Subscription.objects.filter(address__email=ADDRESS).count() == 1


def test_retry_after_the_server_refuses_for_now(client, mailbox, outcome):
    confirmed(client, mailbox, "outcome=military-hotline")
    make_update(outcome, status=Status.IMPLEMENTED)
    mailbox.refusals.append("451 4.3.0 Try again later")
    report = send_alerts()
    assert "retrying 1" in report and mailbox.to(ADDRESS) == []
    alert = Alert.objects.get(kind="alert")
    assert (alert.state, alert.attempts) == (AlertState.PENDING, 1)
    send_alerts()
    assert mailbox.to(ADDRESS) == []  # not before the backoff
    Outbox(now=timezone.now() + datetime.timedelta(minutes=2)).send_due()
    [message] = mailbox.to(ADDRESS)
    assert message["Message-ID"] == alert.message_id


def test_a_hard_bounce_suppresses_the_address(client, mailbox, outcome):
    confirmed(client, mailbox, "outcome=military-hotline")
    make_update(outcome, status=Status.IMPLEMENTED)
    mailbox.refusals.append("550 5.1.1 No such user")
    send_alerts()
    assert not AlertAddress.objects.exists() and Suppression.objects.count() == 1
    assert Suppression.objects.get().email_digest != ADDRESS
    assert follow(client, "outcome=military-hotline").status_code == 302  # the same answer
    assert mailbox.to(ADDRESS) == []


def test_limits_per_address_and_per_client(client, mailbox, outcome, settings):
    for _ in range(settings.ALERT_REQUESTS_PER_DAY + 2):
        follow(client, "outcome=military-hotline", email="victim@example.org")
    assert len(mailbox.to("victim@example.org")) == settings.ALERT_REQUESTS_PER_DAY
    settings.ALERT_FOLLOWS_PER_HOUR = 2
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert follow(other, "outcome=military-hotline", email="a@example.org").status_code == 302
    assert follow(other, "outcome=military-hotline", email="b@example.org").status_code == 302
    refused = follow(other, "outcome=military-hotline", email="c@example.org")
    assert refused.status_code == 429 and b"Too many follow requests" in refused.content
    assert mailbox.to("c@example.org") == []


def test_an_expired_confirmation_deletes_the_request_and_the_address(
    client, mailbox, outcome, settings
):
    follow(client, "outcome=military-hotline")
    confirm = link(mailbox.to(ADDRESS)[0], "/alerts/confirm/")
    Subscription.objects.update(requested_at=timezone.now() - datetime.timedelta(days=4))
    assert following.expire_pending() == 1
    assert not AlertAddress.objects.exists()
    response = client.get(confirm)
    assert response.status_code == 400
    assert b"cancelled, or its confirmation expired" in response.content


def test_following_changes_nothing_the_page_cache_depends_on(client, mailbox, outcome):
    before = DataVersion.current()
    confirmed(client, mailbox, "outcome=military-hotline")
    assert DataVersion.current() == before


def test_a_saved_search_is_followed(client, mailbox, outcome):
    other = make_outcome(title="Aid framework")
    confirmed(client, mailbox, "search=" + "status%3Dimplemented")
    assert Subscription.objects.get().label == "Outcomes: Status: Implemented"
    make_update(other, status=Status.IN_PROGRESS)
    make_update(outcome, status=Status.IMPLEMENTED)
    send_alerts()
    [message] = mailbox.to(ADDRESS)
    assert "Military hotline" in subject(message)


@pytest.mark.parametrize(
    "params",
    ["outcome=no-such-thing", "actor=nobody", "", "search=status%3Dbogus", "summit=%00"],
)
def test_following_what_does_not_exist_is_a_clear_404(client, db, params):
    response = client.get(f"/follow/?{params}")
    assert response.status_code == 404


def test_bad_form_input_keeps_what_was_typed(client, mailbox, outcome):
    response = client.post(
        "/follow/?outcome=military-hotline", {"email": "not an address", "frequency": "hourly"}
    )
    assert response.status_code == 400
    assert b'value="not an address"' in response.content
    assert not AlertAddress.objects.exists() and mailbox.messages == []


def test_a_complaint_suppresses_the_address_from_the_command_line(client, mailbox, outcome):
    confirmed(client, mailbox, "outcome=military-hotline")
    call_command("suppress_address", ADDRESS.upper(), "--complaint", stdout=io.StringIO())
    assert not AlertAddress.objects.exists()
    assert Suppression.objects.get().reason == "complaint"
    with pytest.raises(CommandError):
        call_command("suppress_address", "not-an-address", stdout=io.StringIO())


def test_every_followable_page_links_to_its_follow_form_and_it_is_never_kept(
    client, outcome, settings
):
    settings.CACHE_PAGES = True
    japan = make_actor(name="Japan", slug="japan")
    pages = {
        outcome.get_absolute_url(): "/follow/?outcome=military-hotline",
        outcome.summit.get_absolute_url(): f"/follow/?summit={outcome.summit.slug}",
        japan.get_absolute_url(): "/follow/?actor=japan",
        "/outcomes/?status=stalled": "/follow/?search=status%3Dstalled",
    }
    for page, follow_url in pages.items():
        assert follow_url in client.get(page).content.decode(), page
        response = client.get(follow_url)
        assert response.status_code == 200 and b"csrfmiddlewaretoken" in response.content
        assert "X-Cache" not in response and "no-cache" in response["Cache-Control"]


def test_staff_follow_at_once_with_their_accounts_address_from_the_desk(alice, outcome):
    alice.email = "alice@example.org"
    alice.save()
    staff = Client()
    staff.force_login(alice)
    assert b"What you follow" in staff.get("/desk/").content
    response = staff.post("/follow/?outcome=military-hotline", {"frequency": "weekly"})
    address = AlertAddress.objects.get(email="alice@example.org")
    assert response.url == reverse("alerts_manage", args=[address.token])
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is not None and subscription.frequency == "weekly"
    assert staff.get("/desk/alerts/").url == response.url


@pytest.mark.parametrize("count", [1, 6])
def test_the_subscriptions_page_runs_the_same_queries_however_many(
    client, db, mailbox, django_assert_num_queries, count, settings
):
    settings.ALERT_REQUESTS_PER_DAY = 10
    for n in range(count):
        make_outcome(slug=f"followed-{n}")
        confirmed(client, mailbox, f"outcome=followed-{n}")
    token = AlertAddress.objects.get().token
    with django_assert_num_queries(2):
        assert client.get(f"/alerts/manage/{token}/").status_code == 200


def test_changing_the_frequency_and_cancelling_one_of_several(client, mailbox, outcome):
    confirmed(client, mailbox, "outcome=military-hotline")
    confirmed(client, mailbox, f"summit={outcome.summit.slug}")
    address = AlertAddress.objects.get()
    url = f"/alerts/manage/{address.token}/"
    one, other = Subscription.objects.order_by("pk")
    client.post(url, {"action": "frequency", "subscription": one.pk, "frequency": "daily"})
    one.refresh_from_db()
    assert one.frequency == "daily"
    assert client.post(url, {"action": "frequency", "subscription": "x"}).status_code == 400
    client.post(url, {"action": "cancel", "subscription": one.pk})
    assert list(Subscription.objects.all()) == [other]
    client.post(url, {"action": "cancel_all"})
    assert not AlertAddress.objects.exists()
    assert client.get(url).status_code == 404


def test_a_searched_text_with_a_line_break_stays_out_of_the_headers(client, mailbox, outcome):
    follow(client, "search=" + "q%3Dhotline%250ABcc%3A%20x%40example.org")
    assert "\n" not in Subscription.objects.get().label
    [message] = mailbox.to(ADDRESS)
    assert message["Bcc"] is None and "Bcc: x@example.org" in subject(message)


def test_a_draft_or_an_overlong_search_cannot_be_followed(client, db):
    from summits.models import Process

    make(Process, published=False, name="Secret talks", slug="secret-talks")
    response = client.get("/follow/?search=process%3Dsecret-talks")
    assert response.status_code == 404 and b"Secret talks" not in response.content
    too_long = "q%3D" + "%C3%A9" * 400
    assert client.get(f"/follow/?search={too_long}").status_code == 404


def test_an_unreachable_server_counts_no_attempt(client, mailbox, outcome, settings):
    confirmed(client, mailbox, "outcome=military-hotline")
    make_update(outcome, status=Status.IMPLEMENTED)
    settings.EMAIL_PORT = 9  # nothing listens there
    report = send_alerts()
    assert "sent 0" in report
    alert = Alert.objects.get(kind="alert")
    assert (alert.state, alert.attempts) == (AlertState.PENDING, 0)
    settings.EMAIL_PORT = mailbox.port
    Outbox(now=timezone.now() + datetime.timedelta(minutes=2)).send_due()
    assert len(mailbox.to(ADDRESS)) == 1


def test_after_a_crash_only_the_message_in_flight_is_sent_again_with_its_message_id(
    client, mailbox, outcome
):
    confirmed(client, mailbox, "outcome=military-hotline")
    confirmed(client, mailbox, f"summit={outcome.summit.slug}", email="other@example.org")
    make_update(outcome, status=Status.IMPLEMENTED)
    send_alerts()
    sent = {m["To"]: m["Message-ID"] for m in mailbox.messages}
    mailbox.clear()
    # A run crashed after the server accepted the message to ADDRESS and before recording it:
    # that alert was left "sending", claimed by the dead run, an hour ago.
    crashed = Alert.objects.get(kind="alert", address__email=ADDRESS)
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Alert.objects.filter(pk=crashed.pk).update(
        state=AlertState.SENDING, claimed_by="dead run", claimed_at=an_hour_ago, sent_at=None
    )
    send_alerts()
    [again] = mailbox.messages
    assert again["To"] == ADDRESS and again["Message-ID"] == sent[ADDRESS]
    send_alerts()
    assert len(mailbox.messages) == 1
