"""The follow-up desk (/desk/) and what editors record from it: status updates, follow-up
changes and publishing, each checked on the server for who may do it.

The people: alice is an editor, bob an analyst, charlie a researcher, and dave is signed in
with no role at all.
"""

import datetime
import re

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from actors.models import Source, SourceKind
from core.concurrency import VersionedFormMixin
from core.dates import DatePrecision
from outcomes.models import (
    FollowUp,
    FollowUpChange,
    FollowUpStatus,
    Outcome,
    Status,
    StatusUpdate,
)
from summits.models import Participation, Summit
from tests.factories import (
    days,
    make,
    make_actor,
    make_follow_up,
    make_outcome,
    make_source,
    make_summit,
    make_update,
    signed_in,
)
from tracker import desk as desk_queries
from tracker.views import desk as desk_views

pytestmark = pytest.mark.django_db

D = datetime.date
DESK = reverse("desk")
PUBLISH = reverse("desk_publish")


def titles(capped) -> list[str]:
    return [row.title for row in capped.rows]


# --- The desk's lists ----------------------------------------------------------------------


def test_overdue_lists_pending_follow_ups_and_open_outcome_deadlines_only(alice):
    late = make_follow_up(title="Late meeting", due_date=days(-5))
    make_follow_up(title="Postponed, late again", due_date=days(-1), status="postponed")
    make_follow_up(title="Held late", due_date=days(-5), status="held", held_on=days(-4))
    make_follow_up(title="Cancelled", due_date=days(-5), status="cancelled")
    make_follow_up(title="Not yet due", due_date=days(3))
    make_outcome(title="Late outcome", due_date=days(-10))
    make_outcome(title="Late draft", due_date=days(-3), published=False)
    done = make_outcome(title="Late but done", due_date=days(-10))
    make_update(done, status=Status.IMPLEMENTED, effective_date=days(-20))
    make_outcome(title="Not due", due_date=days(10))

    desk = signed_in(alice).get(DESK).context["desk"]

    assert titles(desk.overdue_follow_ups) == ["Late meeting", "Postponed, late again"]
    assert titles(desk.overdue_outcomes) == ["Late outcome", "Late draft"]
    assert desk.overdue_count == 4
    html = signed_in(alice).get(DESK).content.decode()
    assert reverse("desk_follow_up", args=[late.pk]) in html
    assert "Draft</span>" in html


def test_due_soon_lists_the_next_30_days_and_nothing_closed(alice):
    make_follow_up(title="Meeting in 10 days", due_date=days(10))
    make_follow_up(title="Meeting today", due_date=days(0))
    make_follow_up(title="Meeting in 40 days", due_date=days(40))
    make_follow_up(title="Cancelled meeting", due_date=days(5), status="cancelled")
    make_outcome(title="Due in 30 days", due_date=days(30))
    make_outcome(title="Due in 31 days", due_date=days(31))
    done = make_outcome(title="Due but done", due_date=days(5))
    make_update(done, status=Status.IMPLEMENTED, effective_date=days(-1))

    desk = signed_in(alice).get(DESK).context["desk"]

    assert titles(desk.due_follow_ups) == ["Meeting today", "Meeting in 10 days"]
    assert titles(desk.due_outcomes) == ["Due in 30 days"]
    assert desk.due_count == 3


@pytest.fixture
def quiet_world():
    old_summit = make_summit(start_date=days(-700))
    stale = make_outcome(summit=old_summit, title="Stale")
    make_update(stale, effective_date=days(-300), recorded_at=timezone.now() - _ago(200))
    never = make_outcome(summit=old_summit, title="Never updated")
    fresh = make_outcome(summit=old_summit, title="Fresh")
    make_update(fresh, effective_date=days(-12), recorded_at=timezone.now() - _ago(10))
    drafted = make_outcome(summit=old_summit, title="Draft update lately")
    make_update(drafted, effective_date=days(-300), recorded_at=timezone.now() - _ago(300))
    make_update(
        drafted, effective_date=days(-6), recorded_at=timezone.now() - _ago(5), published=False
    )
    closed = make_outcome(summit=old_summit, title="Implemented long ago")
    make_update(
        closed,
        status=Status.IMPLEMENTED,
        effective_date=days(-400),
        recorded_at=timezone.now() - _ago(400),
    )
    make_outcome(summit=old_summit, title="Draft outcome", published=False)
    make_outcome(summit=make_summit(start_date=days(-10)), title="Agreed ten days ago")
    return {"stale": stale, "never": never}


def _ago(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def test_quiet_outcomes_are_open_published_ones_without_a_recent_update_oldest_first(
    alice, quiet_world
):
    response = signed_in(alice).get(DESK)
    assert titles(response.context["desk"].quiet_outcomes) == ["Never updated", "Stale"]
    html = response.content.decode()
    last = (timezone.now() - _ago(200)).date()
    assert f"No update recorded since {last.day} {last:%B %Y}" in html
    assert "No update recorded since the summit" in html


def test_the_quiet_period_can_be_chosen(alice, quiet_world):
    client = signed_in(alice)
    assert titles(client.get(f"{DESK}?quiet=365").context["desk"].quiet_outcomes) == [
        "Never updated"
    ]
    assert titles(client.get(f"{DESK}?quiet=180").context["desk"].quiet_outcomes) == [
        "Never updated",
        "Stale",
    ]
    html = client.get(f"{DESK}?quiet=180").content.decode()
    assert '<option value="180" selected>' in html


@pytest.mark.parametrize("value", ["45", "abc", "-90", "9" * 30])
def test_an_unknown_quiet_period_falls_back_to_90_days_with_a_notice(alice, value):
    response = signed_in(alice).get(DESK, {"quiet": value})
    assert response.status_code == 200
    assert response.context["desk"].quiet_days == 90
    assert "is not one of the periods offered" in response.context["notices"][0]
    assert "showing 90 days" in response.content.decode()


def drafts(desk, model) -> list:
    """The drafts the desk lists of one kind of record."""
    label = capfirst(model._meta.verbose_name_plural)
    kind = next(kind for kind in desk.drafts if kind.label == label)
    return [draft.record for draft in kind.drafts.rows]


def test_drafts_of_every_kind_are_listed_for_review_with_one_publish_form(alice):
    draft_outcome = make_outcome(title="Draft outcome", published=False)
    make_outcome(title="Published outcome")
    published = make_outcome(title="Has a draft update")
    draft_update = make_update(published, summary="Waiting for review", published=False)
    make_update(published, summary="Already public")
    draft_summit = make_summit(name="Draft summit", published=False)
    make(Participation, summit=published.summit, actor=make_actor(), published=False)

    response = signed_in(alice).get(DESK)
    desk = response.context["desk"]
    assert drafts(desk, Outcome) == [draft_outcome]
    assert [update.summary for update in drafts(desk, StatusUpdate)] == ["Waiting for review"]
    assert drafts(desk, Summit) == [draft_summit]
    assert len(drafts(desk, Participation)) == 1
    assert desk.draft_count == 4
    html = response.content.decode()
    assert html.count(f'action="{PUBLISH}"') == 1
    assert f'name="record" value="outcomes.statusupdate:{draft_update.pk}"' in html
    assert f'name="record" value="summits.summit:{draft_summit.pk}"' in html
    assert "Already public" not in html


def test_analysts_and_researchers_see_the_drafts_without_publish_buttons(bob, charlie):
    make_outcome(title="Draft outcome", published=False)
    make_update(make_outcome(), published=False)
    for user in (bob, charlie):
        html = signed_in(user).get(DESK).content.decode()
        assert "Draft outcome" in html
        assert f'action="{PUBLISH}"' not in html
        assert 'name="record"' not in html


def test_researchers_get_no_links_to_record_anything(charlie):
    make_outcome(title="Late outcome", due_date=days(-10))
    make_follow_up(title="Late meeting", due_date=days(-5))
    html = signed_in(charlie).get(DESK).content.decode()
    assert "Record update" not in html
    assert "Record what happened" not in html


def test_each_list_is_capped_and_says_how_many_more(alice, monkeypatch):
    monkeypatch.setattr(desk_queries, "LIST_LIMIT", 2)
    for n in range(5):
        make_outcome(title=f"Late {n}", due_date=days(-10 + n))
    response = signed_in(alice).get(DESK)
    overdue = response.context["desk"].overdue_outcomes
    assert (titles(overdue), overdue.total, overdue.more) == (["Late 0", "Late 1"], 5, 3)
    assert "… and 3 more" in response.content.decode()


@pytest.mark.parametrize("count", [1, 4])
def test_the_desk_runs_a_fixed_number_of_queries(alice, django_assert_num_queries, count):
    summit = make_summit(start_date=days(-700))
    for n in range(count):
        outcome = make_outcome(summit=summit, due_date=days(-10 - n))  # overdue and quiet
        make_outcome(summit=summit, due_date=days(10 + n))  # due soon
        make_follow_up(outcome, due_date=days(-3 - n))
        make_follow_up(outcome, due_date=days(3 + n))
        make_outcome(summit=summit, published=False)
        make_update(outcome, published=False, recorded_by=alice)
    client = signed_in(alice)
    # 1 the session, 2 the user, 3-4 the user's and the groups' permissions, then one query
    # per list (rows and total together): 5-6 overdue follow-ups and outcomes, 7-8 those due
    # soon, 9 quiet outcomes, 10-24 the drafts of each of the 15 kinds of record reviewed.
    with django_assert_num_queries(9 + len(desk_queries.REVIEWED)):
        response = client.get(DESK)
    desk = response.context["desk"]
    assert desk.overdue_follow_ups.total == count
    assert len(drafts(desk, StatusUpdate)) == count


def test_the_desk_needs_a_role(client, dave, charlie):
    assert client.get(DESK).url == f"{reverse('login')}?next={DESK}"
    assert signed_in(dave).get(DESK).status_code == 403
    assert signed_in(charlie).get(DESK).status_code == 200


# --- Recording a status update -------------------------------------------------------------


@pytest.fixture
def outcome():
    summit = make_summit(start_date=days(-100), slug="tokyo")
    return make_outcome(summit=summit, slug="hotlines", title="Inter-Korean hotlines")


@pytest.fixture
def cited(outcome):
    """A source the outcome already cites, and one nothing near it cites."""
    near = make_source(title="Yonhap report", slug="yonhap", url="https://yna.example/1")
    outcome.sources.add(near)
    far = make_source(title="Unrelated", slug="unrelated", url="https://far.example/x")
    return {"near": near, "far": far}


def update_url(outcome) -> str:
    return reverse("desk_record_update", args=[outcome.slug])


def update_data(**overrides) -> dict:
    data = {
        "status": Status.IN_PROGRESS,
        "effective_date": days(-5).isoformat(),
        "effective_date_precision": DatePrecision.DAY,
        "summary": "Liaison office staffed again.",
        "progress": "",
        "corrects": "",
        "existing_source": "",
        "new_source_url": "",
        "new_source_title": "",
        "new_source_kind": SourceKind.NEWS,
    }
    data.update(overrides)
    return data


def test_the_update_form_offers_the_sources_cited_near_the_outcome(alice, outcome, cited):
    summit_source = make_source(title="Summit communiqué")
    outcome.summit.sources.add(summit_source)
    update_source = make_source(title="Earlier update's source")
    make_update(outcome, sources=[update_source], effective_date=days(-50))

    form = signed_in(alice).get(update_url(outcome)).context["form"]
    offered = {source.title for source in form.fields["sources"].queryset}
    assert offered == {"Yonhap report", "Summit communiqué", "Earlier update's source"}


def test_an_analyst_records_a_draft_that_does_not_change_the_status(bob, outcome, cited):
    client = signed_in(bob)
    assert "publish_now" not in client.get(update_url(outcome)).context["form"].fields
    response = client.post(
        update_url(outcome), update_data(sources=[cited["near"].pk], publish_now="on")
    )
    assert response.status_code == 302
    assert response.url == f"{outcome.get_absolute_url()}#status-history"
    update = StatusUpdate.objects.get()
    assert not update.is_published  # "publish now" is ignored for analysts
    assert update.recorded_by == bob
    assert list(update.sources.all()) == [cited["near"]]
    outcome.refresh_from_db()
    assert outcome.current_status == ""
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert any("recorded as a draft" in m for m in messages)


def test_an_editor_can_publish_an_update_as_it_is_recorded(alice, outcome, cited):
    response = signed_in(alice).post(
        update_url(outcome), update_data(sources=[cited["near"].pk], publish_now="on")
    )
    assert response.status_code == 302
    update = StatusUpdate.objects.get()
    assert update.is_published and update.published_by == alice
    outcome.refresh_from_db()
    assert outcome.current_status == Status.IN_PROGRESS


def test_an_editor_may_still_record_a_draft(alice, outcome, cited):
    signed_in(alice).post(update_url(outcome), update_data(sources=[cited["near"].pk]))
    assert not StatusUpdate.objects.get().is_published


def test_after_recording_the_desk_returns_where_it_came_from(alice, outcome, cited):
    response = signed_in(alice).post(
        update_url(outcome), update_data(sources=[cited["near"].pk], next="/desk/?quiet=30")
    )
    assert response.url == "/desk/?quiet=30"
    response = signed_in(alice).post(
        update_url(outcome), update_data(sources=[cited["near"].pk], next="https://evil.example/")
    )
    assert response.url == f"{outcome.get_absolute_url()}#status-history"


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"effective_date": "2999-01-01"}, "effective_date", "cannot be in the future"),
        ({"effective_date": "2000-01-01"}, "effective_date", "a status cannot take effect before"),
        ({"effective_date": "not a date"}, "effective_date", "is not a date"),
        ({"effective_date": "0001-01-01"}, "effective_date", "before 1800"),
        ({"sources": []}, "sources", "Cite at least one source"),
        ({"new_source_url": "not a url", "new_source_title": "X"}, "new_source_url", "valid URL"),
        ({"new_source_url": "https://new.example/a"}, "new_source_title", "title"),
        ({"new_source_title": "A title, no address"}, "new_source_url", "address"),
        ({"existing_source": "no-such-source"}, "existing_source", "No source has the slug"),
        ({"progress": "101"}, "progress", "from 0 to 100"),
        ({"progress": "-1"}, "progress", "from 0 to 100"),
        ({"status": "done"}, "status", "Select a valid choice"),
        ({"summary": ""}, "summary", "required"),
    ],
)
def test_an_invalid_update_is_refused_next_to_its_field_and_saves_nothing(
    alice, outcome, cited, overrides, field, message
):
    data = update_data(sources=[cited["near"].pk])
    data.update(overrides)
    response = signed_in(alice).post(update_url(outcome), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert "Nothing was saved" in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_a_source_not_cited_nearby_cannot_be_ticked(alice, outcome, cited):
    response = signed_in(alice).post(update_url(outcome), update_data(sources=[cited["far"].pk]))
    assert "sources" in response.context["form"].errors
    assert not StatusUpdate.objects.exists()


def test_a_rejected_form_keeps_everything_typed(alice, outcome, cited):
    data = update_data(
        effective_date="2999-01-01",
        summary="Typed with care.",
        progress="40",
        sources=[cited["near"].pk],
        new_source_url="https://new.example/story",
        new_source_title="A new story",
        new_source_kind=SourceKind.OFFICIAL,
        existing_source="unrelated",
        publish_now="on",
    )
    html = signed_in(alice).post(update_url(outcome), data).content.decode()
    assert 'value="2999-01-01"' in html
    assert "Typed with care.</textarea>" in html
    assert 'value="40"' in html
    assert f'value="{cited["near"].pk}" id="id_sources_0" checked' in html
    assert 'value="https://new.example/story"' in html
    assert 'value="A new story"' in html
    assert '<option value="official" selected>' in html
    assert 'value="unrelated"' in html
    assert re.search(r'<input type="checkbox" name="publish_now"[^>]* checked>', html)
    assert not Source.objects.filter(url="https://new.example/story").exists()


def test_a_new_source_by_address_is_created_only_when_the_update_is_saved(alice, outcome):
    new = {"new_source_url": "https://new.example/story", "new_source_title": "A new story"}
    client = signed_in(alice)
    client.post(update_url(outcome), update_data(effective_date="2999-01-01", **new))
    assert not Source.objects.filter(title="A new story").exists()

    response = client.post(update_url(outcome), update_data(**new))
    assert response.status_code == 302
    source = Source.objects.get(title="A new story")
    assert (source.url, source.slug, source.kind) == (
        "https://new.example/story",
        "a-new-story",
        SourceKind.NEWS,
    )
    assert source.published_on is None and source.published_on_precision == "unknown"
    assert list(StatusUpdate.objects.get().sources.all()) == [source]


def test_a_new_sources_slug_is_made_unique(alice, outcome):
    make_source(title="A new story", slug="a-new-story")
    new = {"new_source_url": "https://new.example/other", "new_source_title": "A new story"}
    signed_in(alice).post(update_url(outcome), update_data(**new))
    assert Source.objects.get(url="https://new.example/other").slug == "a-new-story-2"


def test_an_address_already_recorded_cites_that_source_instead_of_a_copy(alice, outcome, cited):
    new = {"new_source_url": cited["far"].url, "new_source_title": "Same thing again"}
    signed_in(alice).post(update_url(outcome), update_data(**new))
    assert list(StatusUpdate.objects.get().sources.all()) == [cited["far"]]
    assert Source.objects.count() == 2


@pytest.mark.parametrize("reference", ["unrelated", "https://far.example/x"])
def test_another_existing_source_is_found_by_slug_or_address(alice, outcome, cited, reference):
    response = signed_in(alice).post(update_url(outcome), update_data(existing_source=reference))
    assert response.status_code == 302
    assert list(StatusUpdate.objects.get().sources.all()) == [cited["far"]]


def test_an_update_can_correct_an_earlier_entry_of_the_same_outcome(alice, outcome, cited):
    earlier = make_update(outcome, status=Status.STALLED, effective_date=days(-20))
    other = make_update(make_outcome(), effective_date=days(-20))
    client = signed_in(alice)

    response = client.post(
        update_url(outcome), update_data(sources=[cited["near"].pk], corrects=other.pk)
    )
    assert "corrects" in response.context["form"].errors

    data = update_data(sources=[cited["near"].pk], corrects=earlier.pk, publish_now="on")
    assert client.post(update_url(outcome), data).status_code == 302
    assert StatusUpdate.objects.get(corrects=earlier).status == Status.IN_PROGRESS
    # Corrected once, it is no longer offered for correction.
    form = client.get(update_url(outcome)).context["form"]
    assert earlier not in form.fields["corrects"].queryset


def test_recording_an_update_for_an_unknown_outcome_is_404(alice):
    assert signed_in(alice).get(reverse("desk_record_update", args=["nope"])).status_code == 404


# --- A follow-up's change ------------------------------------------------------------------


@pytest.fixture
def follow_up(outcome):
    return make_follow_up(outcome, title="Seoul talks", due_date=days(10))


def follow_up_url(follow_up) -> str:
    return reverse("desk_follow_up", args=[follow_up.pk])


def change_data(follow_up, **overrides) -> dict:
    data = {
        "version": follow_up.version,
        "status": FollowUpStatus.POSTPONED,
        "date": days(60).isoformat(),
        "date_precision": DatePrecision.DAY,
        "resulting_summit": "",
        "note": "Moved at the host's request.",
        "existing_source": "",
        "new_source_url": "https://news.example/talks-moved",
        "new_source_title": "Hosts move the talks",
        "new_source_kind": SourceKind.NEWS,
        "publish_now": "on",  # ignored for those who may not publish
    }
    data.update(overrides)
    return data


def test_postponing_keeps_the_old_date_in_the_history(alice, follow_up, cited):
    client = signed_in(alice)
    data = change_data(follow_up, sources=[cited["near"].pk], new_source_url="")
    data["new_source_title"] = ""
    response = client.post(follow_up_url(follow_up), data)
    assert response.status_code == 302
    assert response.url == f"{follow_up.outcome.get_absolute_url()}#follow-ups"
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.due_date) == (FollowUpStatus.POSTPONED, days(60))
    change = FollowUpChange.objects.get()
    assert (change.previous_due_date, change.recorded_by) == (days(10), alice)
    assert list(change.sources.all()) == [cited["near"]]

    html = client.get(follow_up_url(follow_up)).content.decode()
    old = days(10)
    assert f"due {old.day} {old:%B %Y}" in html  # the old date stays visible
    assert "Moved at the host&#x27;s request." in html


def test_marking_it_held_records_the_day_and_the_resulting_summit(alice, follow_up):
    seoul = make_summit(name="Seoul summit", start_date=days(-1))
    data = change_data(
        follow_up, status=FollowUpStatus.HELD, date=days(-1).isoformat(), resulting_summit=seoul.pk
    )
    assert signed_in(alice).post(follow_up_url(follow_up), data).status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.held_on, follow_up.resulting_summit) == (
        FollowUpStatus.HELD,
        days(-1),
        seoul,
    )
    html = signed_in(alice).get(follow_up_url(follow_up)).content.decode()
    assert "that is final here" in html
    assert 'name="status"' not in html


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"date": ""}, "date", "Give the new date"),
        ({"date": days(5).isoformat()}, "date", "must be after the current one"),
        ({"status": FollowUpStatus.MISSED, "date": ""}, "status", "has not passed yet"),
        ({"status": FollowUpStatus.CANCELLED}, "date", "Only “held” and “postponed” take a date"),
        ({"status": FollowUpStatus.HELD, "date": days(5).isoformat()}, "date", "in the future"),
        ({"status": FollowUpStatus.HELD, "date": "2999-01-01"}, "date", "after 2200"),
        ({"status": "scheduled"}, "status", "Select a valid choice"),
        (
            {"status": FollowUpStatus.MISSED, "date": "", "resulting_summit": "x"},
            "resulting_summit",
            "Select a valid choice",
        ),
    ],
)
def test_an_impossible_change_is_refused_next_to_its_field(
    alice, follow_up, overrides, field, message
):
    response = signed_in(alice).post(follow_up_url(follow_up), change_data(follow_up, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert not FollowUpChange.objects.exists()
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.SCHEDULED


def test_only_a_held_follow_up_takes_a_resulting_summit(alice, outcome):
    late = make_follow_up(outcome, due_date=days(-3))
    data = change_data(
        late, status=FollowUpStatus.MISSED, date="", resulting_summit=make_summit().pk
    )
    response = signed_in(alice).post(follow_up_url(late), data)
    assert (
        "Only a follow-up that was held" in response.context["form"].errors["resulting_summit"][0]
    )


def test_a_change_saved_meanwhile_is_shown_and_the_input_kept_then_applied(alice, follow_up):
    client = signed_in(alice)
    loaded = client.get(follow_up_url(follow_up)).context["form"]["version"].value()
    # Someone else edits the follow-up (in the admin, say) after the form was loaded.
    other = FollowUp.objects.get(pk=follow_up.pk)
    other.location = "Busan"
    other.save()

    data = change_data(follow_up, version=loaded, note="My careful note.")
    response = client.post(follow_up_url(follow_up), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this follow-up while you were editing it" in html
    assert "Location" in html and "Busan" in html
    assert "My careful note.</textarea>" in html
    assert f'name="version" value="{loaded + 1}"' in html
    assert not FollowUpChange.objects.exists()

    data["version"] = loaded + 1  # as the re-rendered form now carries
    assert client.post(follow_up_url(follow_up), data).status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.location) == (FollowUpStatus.POSTPONED, "Busan")


def test_a_save_racing_the_check_is_refused_the_same_way_never_a_500(alice, follow_up, monkeypatch):
    loaded = follow_up.version
    other = FollowUp.objects.get(pk=follow_up.pk)
    other.location = "Busan"
    other.save()
    # The form's version check ran just before that save landed, so it passed; the save
    # itself then meets the new version (EditConflict).
    check = VersionedFormMixin.clean
    calls = []

    def check_too_early(form):
        calls.append(form)
        if len(calls) > 1:
            return check(form)
        cleaned_data = forms.Form.clean(form)
        form.instance.version = cleaned_data["version"]
        return cleaned_data

    monkeypatch.setattr(VersionedFormMixin, "clean", check_too_early)
    new = {"new_source_url": "https://new.example/x", "new_source_title": "New"}
    data = change_data(follow_up, version=loaded, note="Mine.", **new)
    response = signed_in(alice).post(follow_up_url(follow_up), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this follow-up while you were editing it" in html
    assert "Busan" in html and "Mine.</textarea>" in html
    assert not FollowUpChange.objects.exists()
    assert not Source.objects.filter(title="New").exists()  # rolled back with the change


def test_a_conflict_found_only_by_the_save_is_refused_even_without_a_version(
    alice, follow_up, monkeypatch
):
    record_change = desk_views.record_follow_up_change

    def racing(follow_up, **kwargs):
        FollowUp.objects.filter(pk=follow_up.pk).update(version=follow_up.version + 1)
        return record_change(follow_up, **kwargs)

    monkeypatch.setattr(desk_views, "record_follow_up_change", racing)
    data = change_data(follow_up)
    del data["version"]
    response = signed_in(alice).post(follow_up_url(follow_up), data)
    assert response.status_code == 200
    assert "Someone else saved this follow-up at the same moment" in response.content.decode()
    assert not FollowUpChange.objects.exists()


# --- Publishing ----------------------------------------------------------------------------


def test_publishing_takes_a_post_only(alice):
    assert signed_in(alice).get(PUBLISH).status_code == 405


def test_an_editor_publishes_a_draft_outcome_and_returns(alice):
    draft = make_outcome(published=False, title="New hotline")
    data = {"kind": "outcome", "pk": draft.pk, "action": "publish", "next": "/desk/#drafts"}
    client = signed_in(alice)
    response = client.post(PUBLISH, data)
    assert response.url == "/desk/#drafts"
    draft.refresh_from_db()
    assert draft.is_published and draft.published_by == alice
    messages = [str(m) for m in client.get(DESK).context["messages"]]
    assert messages == ["Published: “New hotline”."]


def test_an_editor_publishes_and_unpublishes_a_status_update(alice, outcome):
    update = make_update(outcome, status=Status.STALLED, effective_date=days(-3), published=False)
    client = signed_in(alice)
    client.post(PUBLISH, {"kind": "update", "pk": update.pk, "action": "publish"})
    outcome.refresh_from_db()
    assert outcome.current_status == Status.STALLED
    response = client.post(PUBLISH, {"kind": "update", "pk": update.pk, "action": "unpublish"})
    assert response.url == DESK
    update.refresh_from_db()
    outcome.refresh_from_db()
    assert not update.is_published and outcome.current_status == ""


def test_publishing_returns_to_this_site_only(alice):
    draft = make_outcome(published=False)
    data = {"kind": "outcome", "pk": draft.pk, "action": "publish", "next": "//evil.example/"}
    assert signed_in(alice).post(PUBLISH, data).url == DESK


@pytest.mark.parametrize(
    "data, status, message",
    [
        ({"kind": "summit", "pk": "1", "action": "publish"}, 400, "kind must be"),
        ({"kind": "outcome", "pk": "abc", "action": "publish"}, 400, "is not the number"),
        ({"kind": "outcome", "pk": "1", "action": "delete"}, 400, "action must be"),
        ({"kind": "outcome", "pk": "999999", "action": "publish"}, 404, ""),
    ],
)
def test_a_bad_publish_request_is_refused_clearly(alice, data, status, message):
    response = signed_in(alice).post(PUBLISH, data)
    assert response.status_code == status
    assert message in response.content.decode()


def test_analysts_and_researchers_cannot_publish(bob, charlie):
    draft = make_outcome(published=False)
    update = make_update(make_outcome(), published=False)
    for user in (bob, charlie):
        client = signed_in(user)
        assert (
            client.post(
                PUBLISH, {"kind": "outcome", "pk": draft.pk, "action": "publish"}
            ).status_code
            == 403
        )
        assert (
            client.post(
                PUBLISH, {"kind": "update", "pk": update.pk, "action": "publish"}
            ).status_code
            == 403
        )
    assert not Outcome.objects.get(pk=draft.pk).is_published
    assert not StatusUpdate.objects.get(pk=update.pk).is_published


def test_the_desk_forms_need_the_csrf_token(alice):
    draft = make_outcome(published=False)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(PUBLISH, {"kind": "outcome", "pk": draft.pk, "action": "publish"})
    assert response.status_code == 403
    assert not Outcome.objects.get(pk=draft.pk).is_published


# --- Who may do what -----------------------------------------------------------------------

ROLES = ["anonymous", "dave", "charlie", "bob", "alice"]  # no role, researcher, analyst, editor
# For each page and method: the response per role. 302 is the way to sign in; 200 a form
# shown (or re-shown with errors, as the posts below are empty); 404 the publish endpoint's
# answer to a record that does not exist, once the permission is granted.
MATRIX = [
    ("desk", "get", [302, 403, 200, 200, 200]),
    ("update", "get", [302, 403, 403, 200, 200]),
    ("update", "post", [302, 403, 403, 200, 200]),
    # Analysts record follow-up changes as drafts; editors publish them.
    ("follow_up", "get", [302, 403, 403, 200, 200]),
    ("follow_up", "post", [302, 403, 403, 200, 200]),
    ("publish", "post", [302, 403, 403, 403, 404]),
]


@pytest.mark.parametrize("page, method, expected", MATRIX)
def test_who_may_do_what(request, page, method, expected, outcome):
    follow_up = make_follow_up(outcome, due_date=days(10))
    url = {
        "desk": DESK,
        "update": update_url(outcome),
        "follow_up": follow_up_url(follow_up),
        "publish": PUBLISH,
    }[page]
    data = {"kind": "outcome", "pk": "999999", "action": "publish"} if page == "publish" else {}
    for role, status in zip(ROLES, expected, strict=True):
        client = Client() if role == "anonymous" else signed_in(request.getfixturevalue(role))
        response = getattr(client, method)(url, data)
        assert response.status_code == status, (role, page, method)
        if status == 302:
            assert response.url.startswith(f"{reverse('login')}?next=")
    assert not StatusUpdate.objects.exists()
    assert not FollowUpChange.objects.exists()
