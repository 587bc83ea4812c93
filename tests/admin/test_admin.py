"""The admin, as an analyst logging a summit and its outcomes uses it, and as editors and
researchers use it: publishing, and who may do what."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from actors.models import (
    ActorKind,
    ActorName,
    Language,
    Membership,
    MembershipKind,
    Relationship,
    RelationshipKind,
)
from core.dates import PeriodUnit
from core.models import PublicationAction, PublicationEvent
from core.publishing import publish, unpublish
from outcomes.admin import NewStatusUpdateInline
from outcomes.models import (
    FollowUp,
    FollowUpChange,
    FollowUpKind,
    FollowUpStatus,
    Outcome,
    OutcomeOrigin,
    OutcomeParty,
    OutcomeType,
    PartyRole,
    Status,
    StatusUpdate,
)
from outcomes.services import record_follow_up_change
from summits.models import (
    Challenge,
    ParticipantRole,
    Participation,
    Process,
    Proposal,
    ProposalKind,
    Reaction,
    ReactionTone,
    Stance,
    StanceKind,
    Summit,
    SummitObjective,
    Theme,
)
from tests.factories import (
    admin_url,
    form_data,
    make,
    make_actor,
    make_claim,
    make_condition,
    make_link,
    make_outcome,
    make_source,
    make_summit,
    make_update,
    signed_in,
    staff_member,
)

D = datetime.date

# Every model of ours in the admin (django-axes' sign-in attempts are its own, read-only).
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label != "axes"),
    key=lambda model: model._meta.label,
)


def record_a_summit(korea_iso3: str, japan_iso3: str) -> SimpleNamespace:
    """One record of every kind, linked as an analyst would enter them."""
    source = make_source(title="Joint statement of the Tokyo summit")
    korea = make_actor(
        name="Republic of Korea", short_name="South Korea", kind=ActorKind.STATE, iso3=korea_iso3
    )
    japan = make_actor(name="Japan", kind=ActorKind.STATE, iso3=japan_iso3)
    minister = make_actor(name="Cho Tae-yul", kind=ActorKind.PERSON, country=korea)
    ActorName.objects.create(actor=korea, name="대한민국", language=Language.KOREAN)
    membership = make(
        Membership,
        member=minister,
        organisation=korea,
        kind=MembershipKind.OFFICE,
        title="Foreign Minister",
    )
    membership.sources.add(source)
    relationship = make(
        Relationship, actor=korea, other=japan, kind=RelationshipKind.GOOD_RELATIONS
    )
    relationship.sources.add(source)

    summit = make_summit(name="Tokyo summit", city="Tokyo", country=japan, host=japan)
    summit.sources.add(source)
    make(SummitObjective, summit=summit, text="Reduce military tension")
    make(
        Participation,
        summit=summit,
        actor=korea,
        role=ParticipantRole.PARTY,
        delegation_head=minister,
    )
    proposal = make(
        Proposal,
        summit=summit,
        actor=korea,
        kind=ProposalKind.PROPOSAL,
        theme=Theme.COMMUNICATION,
        title="Military hotline",
        text="A direct line between the two militaries.",
    )
    proposal.sources.add(source)
    stance = make(Stance, proposal=proposal, actor=japan, stance=StanceKind.SUPPORT)
    stance.sources.add(source)
    make(
        Reaction,
        summit=summit,
        actor=japan,
        tone=ReactionTone.WELCOMING,
        summary="Welcomed.",
        source=source,
    )
    challenge = make(Challenge, summit=summit, title="No enforceable guarantees")
    challenge.sources.add(source)

    outcome = make_outcome(
        summit=summit,
        title="Military hotline",
        type=OutcomeType.COMMUNICATION_CHANNEL,
        due_within=6,
        due_within_unit=PeriodUnit.MONTHS,
    )
    outcome.sources.add(source)
    make(OutcomeParty, outcome=outcome, actor=korea, role=PartyRole.RESPONSIBLE)
    make(OutcomeOrigin, outcome=outcome, proposal=proposal)
    update = make_update(outcome, sources=[source], status=Status.IN_PROGRESS)
    make(
        FollowUp,
        outcome=outcome,
        kind=FollowUpKind.WORKING_GROUP_MEETING,
        title="First working group meeting",
        due_within=3,
        due_within_unit=PeriodUnit.MONTHS,
    )
    return SimpleNamespace(source=source, outcome=outcome, update=update, korea=korea)


def link_across_summits(recorded: SimpleNamespace) -> SimpleNamespace:
    """The summit in a process, a claim about its outcome, and a later summit's outcome that
    reaffirms it and waits on it: one record of each kind issue 14 added."""
    outcome, source = recorded.outcome, recorded.source
    process = make(Process, name="Korean peace process", slug="korean-peace-process")
    Summit.objects.filter(pk=outcome.summit_id).update(process=process)
    make_claim(outcome, recorded.korea, sources=[source], claimed_on=outcome.summit.start_date)
    seoul = make_summit(
        name="Seoul summit", start_date=outcome.summit.start_date + datetime.timedelta(1)
    )
    later = make_outcome(summit=seoul, title="Hotline reaffirmed")
    make_link(outcome, later, sources=[source])
    make_condition(later, outcome, sources=[source], met_when=Status.IMPLEMENTED)
    return recorded


@pytest.fixture
def tokyo(db):
    Group.objects.create(name="Analysts")  # the auth admin's pages need one too
    return record_a_summit("KOR", "JPN")


@pytest.fixture
def everything(tokyo, admin_user):
    """tokyo, with one record of every kind (link_across_summits), and an API token."""
    Token.objects.create(user=admin_user)
    return link_across_summits(tokyo)


def new_update_prefix(response) -> str:
    """The form prefix of the "record a new status" rows on an outcome's page."""
    for inline in response.context["inline_admin_formsets"]:
        if isinstance(inline.opts, NewStatusUpdateInline):
            return f"{inline.formset.prefix}-0"
    raise AssertionError("The outcome page has no rows for a new status update.")


def changelist_results(client, model, query: str = "") -> list:
    response = client.get(f"{admin_url(model, 'changelist')}?{query}")
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


# --- Every page renders ------------------------------------------------------------------


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_changelist_renders(admin_client, everything, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_add_page_renders(admin_client, tokyo, model):
    assert admin_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_change_page_renders(admin_client, everything, model):
    obj = model._default_manager.first()
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_changelist_can_be_searched(admin_client, everything, model):
    assert admin_client.get(admin_url(model, "changelist"), {"q": "Korea"}).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_list_filter_choice_renders(admin_client, everything, model):
    url = admin_url(model, "changelist")
    changelist = admin_client.get(url).context["cl"]
    for spec in changelist.filter_specs:
        for choice in spec.choices(changelist):
            response = admin_client.get(url + choice["query_string"])
            assert response.status_code == 200, (spec.title, choice["query_string"])


@pytest.mark.parametrize(
    "query, finds_the_hotline",
    [
        ("current_status__exact=in_progress", True),
        ("current_status__exact=implemented", False),
        ("type__exact=communication_channel", True),
        ("type__exact=declaration", False),
        ("due_date__year=2025&due_date__month=12", True),
        ("q=hotline", True),
        ("q=Tokyo", True),
        ("q=ceasefire", False),
    ],
)
def test_the_outcome_changelist_filters_and_searches(admin_client, tokyo, query, finds_the_hotline):
    results = changelist_results(admin_client, Outcome, query)
    assert results == ([tokyo.outcome] if finds_the_hotline else [])


def test_the_outcome_changelist_filters_by_summit(admin_client, tokyo):
    results = changelist_results(
        admin_client, Outcome, f"summit__id__exact={tokyo.outcome.summit_id}"
    )
    assert results == [tokyo.outcome]


# --- Autocomplete ------------------------------------------------------------------------


def autocomplete(client, app_label: str, model_name: str, field_name: str, term: str) -> list:
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_the_actor_autocomplete_finds_actors_by_any_of_their_names(admin_client, tokyo):
    assert autocomplete(admin_client, "summits", "participation", "actor", "Korea") == [
        "South Korea"
    ]
    assert autocomplete(admin_client, "summits", "participation", "actor", "대한민국") == [
        "South Korea"
    ]


def test_the_delegation_head_autocomplete_offers_only_people(admin_client, tokyo):
    assert autocomplete(admin_client, "summits", "participation", "delegation_head", "") == [
        "Cho Tae-yul"
    ]


def test_the_corrects_autocomplete_offers_only_entries_that_still_count(admin_client, tokyo):
    correction = make_update(tokyo.outcome, status=Status.NOT_STARTED, corrects=tokyo.update)
    assert autocomplete(admin_client, "outcomes", "statusupdate", "corrects", "") == [
        str(correction)
    ]


# --- Recording status on the outcome's page ----------------------------------------------


def outcome_page_with_new_update(client, outcome, **fields) -> dict:
    """The outcome's change form as sent back with one new status update filled in."""
    response = client.get(admin_url(Outcome, "change", outcome.pk))
    data = form_data(response)
    prefix = new_update_prefix(response)
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return data


def test_a_new_status_update_without_a_source_is_refused_and_the_typing_kept(admin_client, tokyo):
    summary = "The hotline rang for the first time on 12 August."
    data = outcome_page_with_new_update(
        admin_client,
        tokyo.outcome,
        status=Status.IMPLEMENTED,
        effective_date="2025-08-12",
        effective_date_precision="day",
        summary=summary,
    )

    response = admin_client.post(admin_url(Outcome, "change", tokyo.outcome.pk), data)

    assert response.status_code == 200
    assert "Please correct the error below." in response.text
    assert "This field is required." in response.text
    assert summary in response.text
    assert StatusUpdate.objects.count() == 1
    tokyo.outcome.refresh_from_db()
    assert tokyo.outcome.current_status == Status.IN_PROGRESS


def test_a_new_status_update_on_the_outcome_page_is_a_draft_recorded_by_the_analyst(
    client, bob, tokyo
):
    client = signed_in(bob)
    data = outcome_page_with_new_update(
        client,
        tokyo.outcome,
        status=Status.IMPLEMENTED,
        effective_date="2025-08-12",
        effective_date_precision="day",
        summary="The hotline rang for the first time.",
        sources=[tokyo.source.pk],
        publish_now="on",  # not offered to analysts, and ignored if sent
    )

    response = client.post(admin_url(Outcome, "change", tokyo.outcome.pk), data)

    assert response.status_code == 302
    update = StatusUpdate.objects.get(summary="The hotline rang for the first time.")
    assert update.recorded_by == bob
    assert not update.is_published
    assert list(update.sources.all()) == [tokyo.source]
    tokyo.outcome.refresh_from_db()
    assert tokyo.outcome.current_status == Status.IN_PROGRESS  # a draft counts for nothing


def test_an_editor_can_publish_a_new_status_update_from_the_outcome_page_at_once(
    client, alice, tokyo
):
    client = signed_in(alice)
    data = outcome_page_with_new_update(
        client,
        tokyo.outcome,
        status=Status.IMPLEMENTED,
        effective_date="2025-08-12",
        effective_date_precision="day",
        summary="The hotline rang for the first time.",
        sources=[tokyo.source.pk],
        publish_now="on",
    )

    response = client.post(admin_url(Outcome, "change", tokyo.outcome.pk), data)

    assert response.status_code == 302
    update = StatusUpdate.objects.get(summary="The hotline rang for the first time.")
    assert (update.recorded_by, update.published_by) == (alice, alice)
    tokyo.outcome.refresh_from_db()
    assert tokyo.outcome.current_status == Status.IMPLEMENTED
    assert tokyo.outcome.current_update.effective_date == D(2025, 8, 12)


def test_only_users_who_may_publish_are_offered_publish_now(client, alice, bob, tokyo):
    url = admin_url(StatusUpdate, "add")
    assert "publish_now" in signed_in(alice).get(url).text
    assert "publish_now" not in signed_in(bob).get(url).text
    page = client.get(admin_url(Outcome, "change", tokyo.outcome.pk))
    assert "publish_now" not in page.text


@pytest.mark.parametrize("publish_now", [True, False])
def test_a_correction_on_the_outcome_page_replaces_the_entry_once_published(
    admin_client, tokyo, publish_now
):
    data = outcome_page_with_new_update(
        admin_client,
        tokyo.outcome,
        status=Status.NOT_STARTED,
        effective_date="2025-07-01",
        effective_date_precision="day",
        summary="The earlier report was mistaken: nothing has started.",
        sources=[tokyo.source.pk],
        corrects=tokyo.update.pk,
        **({"publish_now": "on"} if publish_now else {}),
    )

    response = admin_client.post(admin_url(Outcome, "change", tokyo.outcome.pk), data)

    assert response.status_code == 302
    assert StatusUpdate.objects.count() == 2  # the corrected entry stays in the history
    # A draft correction does not void its target until it is published.
    assert (tokyo.update in tokyo.outcome.status_updates.in_force()) is not publish_now
    tokyo.outcome.refresh_from_db()
    expected = Status.NOT_STARTED if publish_now else Status.IN_PROGRESS
    assert tokyo.outcome.current_status == expected


def test_a_correction_can_only_correct_an_entry_of_the_same_outcome(admin_client, tokyo):
    other = make_update(make_outcome(summit=tokyo.outcome.summit))
    data = outcome_page_with_new_update(
        admin_client,
        tokyo.outcome,
        status=Status.NOT_STARTED,
        effective_date="2025-07-01",
        effective_date_precision="day",
        summary="Wrong outcome.",
        sources=[tokyo.source.pk],
        corrects=other.pk,
    )

    response = admin_client.post(admin_url(Outcome, "change", tokyo.outcome.pk), data)

    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    assert not StatusUpdate.objects.filter(summary="Wrong outcome.").exists()


def test_the_status_history_on_the_outcome_page_cannot_be_edited(admin_client, tokyo):
    response = admin_client.get(admin_url(Outcome, "change", tokyo.outcome.pk))
    data = form_data(response)
    data.update({"status_updates-0-status": Status.REVERSED, "status_updates-0-summary": "Gone"})

    response = admin_client.post(admin_url(Outcome, "change", tokyo.outcome.pk), data)

    assert response.status_code == 302
    tokyo.update.refresh_from_db()
    assert (tokyo.update.status, tokyo.update.summary) == (
        Status.IN_PROGRESS,
        "Something happened.",
    )


def test_an_outcome_with_a_relative_deadline_saves_unchanged(admin_client, tokyo):
    response = admin_client.get(admin_url(Outcome, "change", tokyo.outcome.pk))

    response = admin_client.post(
        admin_url(Outcome, "change", tokyo.outcome.pk), form_data(response)
    )

    assert response.status_code == 302
    tokyo.outcome.refresh_from_db()
    assert tokyo.outcome.due_date == D(2025, 12, 1)


# --- Status updates on their own pages ---------------------------------------------------


def test_a_published_status_update_cannot_be_edited(admin_client, tokyo):
    url = admin_url(StatusUpdate, "change", tokyo.update.pk)
    assert 'name="_save"' not in admin_client.get(url).text
    versions = tokyo.update.history.count()
    response = admin_client.post(
        url,
        {
            "outcome": tokyo.outcome.pk,
            "status": Status.REVERSED,
            "effective_date": "2025-07-02",
            "effective_date_precision": "day",
            "summary": "Rewritten history.",
            "sources": [make_source().pk],
        },
    )

    assert response.status_code in (200, 302)
    tokyo.update.refresh_from_db()
    assert tokyo.update.status == Status.IN_PROGRESS
    assert tokyo.update.effective_date == D(2025, 7, 1)
    assert tokyo.update.summary == "Something happened."
    assert list(tokyo.update.sources.all()) == [tokyo.source]
    assert tokyo.update.history.count() == versions  # not even saved again unchanged


def test_a_published_status_update_cannot_be_deleted(admin_client, tokyo):
    url = admin_url(StatusUpdate, "delete", tokyo.update.pk)

    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert StatusUpdate.objects.filter(pk=tokyo.update.pk).exists()


def test_published_status_updates_cannot_be_deleted_in_bulk_either(admin_client, tokyo):
    response = admin_client.post(
        admin_url(StatusUpdate, "changelist"),
        {"action": "delete_selected", "_selected_action": [tokyo.update.pk], "post": "yes"},
    )

    assert response.status_code == 403
    assert StatusUpdate.objects.filter(pk=tokyo.update.pk).exists()


def test_an_analyst_can_edit_a_draft_status_update(client, bob, tokyo):
    draft = make_update(tokyo.outcome, sources=[tokyo.source], published=False)
    url = admin_url(StatusUpdate, "change", draft.pk)

    response = signed_in(bob).post(
        url,
        {
            "outcome": tokyo.outcome.pk,
            "status": Status.STALLED,
            "effective_date": "2025-07-02",
            "effective_date_precision": "day",
            "summary": "Talks broke off.",
            "sources": [tokyo.source.pk],
        },
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.summary, draft.is_published) == (
        Status.STALLED,
        "Talks broke off.",
        False,
    )


@pytest.mark.parametrize("role", ["Analyst", "Editor"])
def test_a_draft_status_update_can_be_deleted_by_analysts_and_editors(client, tokyo, role):
    draft = make_update(tokyo.outcome, sources=[tokyo.source], published=False)
    client = signed_in(staff_member("someone", role))

    response = client.post(admin_url(StatusUpdate, "delete", draft.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not StatusUpdate.objects.filter(pk=draft.pk).exists()


def test_an_existing_status_update_links_to_recording_its_correction(admin_client, tokyo):
    response = admin_client.get(admin_url(StatusUpdate, "change", tokyo.update.pk))

    assert "Record a correction" in response.text
    add_url = f"{admin_url(StatusUpdate, 'add')}?outcome={tokyo.outcome.pk}"
    assert f"{add_url}&amp;corrects={tokyo.update.pk}" in response.text


STALLED = {
    "status": Status.STALLED,
    "effective_date": "2025-09-01",
    "effective_date_precision": "month",
    "summary": "No progress reported.",
}


def test_a_status_update_added_on_its_own_page_by_an_analyst_is_a_draft(client, bob, tokyo):
    response = signed_in(bob).post(
        admin_url(StatusUpdate, "add"),
        {"outcome": tokyo.outcome.pk, **STALLED, "sources": [tokyo.source.pk], "publish_now": "on"},
    )

    assert response.status_code == 302
    update = StatusUpdate.objects.get(summary="No progress reported.")
    assert (update.recorded_by, update.is_published) == (bob, False)
    tokyo.outcome.refresh_from_db()
    assert tokyo.outcome.current_status == Status.IN_PROGRESS


def test_a_status_update_an_editor_publishes_at_once_counts_at_once(client, alice, tokyo):
    response = signed_in(alice).post(
        admin_url(StatusUpdate, "add"),
        {"outcome": tokyo.outcome.pk, **STALLED, "sources": [tokyo.source.pk], "publish_now": "on"},
    )

    assert response.status_code == 302
    update = StatusUpdate.objects.get(summary="No progress reported.")
    assert (update.recorded_by, update.published_by) == (alice, alice)
    assert update.history.filter(history_type="+").count() == 1  # saved once, published
    # Its sources are saved before it is published (publishing needs one): the log's one
    # event points at the audit trail's copy of it as published.
    event = PublicationEvent.objects.get(object_id=update.pk, content_type__model="statusupdate")
    assert (event.action, event.by) == (PublicationAction.PUBLISHED, alice)
    assert update.history.get(history_id=event.history_id).published_at is not None
    tokyo.outcome.refresh_from_db()
    assert tokyo.outcome.current_status == Status.STALLED


# --- Publishing --------------------------------------------------------------------------


def run_action(client, model, action: str, objects) -> object:
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def test_an_editor_publishes_draft_outcomes_from_the_list(client, alice, tokyo):
    drafts = [make_outcome(summit=tokyo.outcome.summit, published=False) for _ in range(2)]

    response = run_action(signed_in(alice), Outcome, "publish_selected", drafts)

    assert "Published 2 outcomes." in response.text
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.is_published and draft.published_by == alice


def test_publishing_and_unpublishing_a_status_update_changes_the_status(client, alice, tokyo):
    client = signed_in(alice)
    draft = make_update(
        tokyo.outcome, sources=[tokyo.source], status=Status.STALLED, published=False
    )
    draft.effective_date = D(2025, 8, 1)
    draft.save()

    run_action(client, StatusUpdate, "publish_selected", [draft])
    tokyo.outcome.refresh_from_db()
    assert tokyo.outcome.current_status == Status.STALLED

    run_action(client, StatusUpdate, "unpublish_selected", [draft])
    tokyo.outcome.refresh_from_db()
    assert tokyo.outcome.current_status == Status.IN_PROGRESS
    draft.refresh_from_db()
    assert (draft.published_at, draft.published_by) == (None, None)


@pytest.mark.parametrize("model", [Outcome, StatusUpdate], ids=["outcome", "statusupdate"])
def test_the_lists_show_and_filter_drafts(admin_client, tokyo, model):
    draft_outcome = make_outcome(summit=tokyo.outcome.summit, published=False)
    draft = draft_outcome if model is Outcome else make_update(draft_outcome, published=False)
    published = tokyo.outcome if model is Outcome else tokyo.update

    assert changelist_results(admin_client, model, "published=no") == [draft]
    assert changelist_results(admin_client, model, "published=yes") == [published]
    response = admin_client.get(admin_url(model, "changelist"))
    assert "column-published" in response.text


def test_the_publication_fields_are_shown_read_only(admin_client, admin_user, tokyo):
    unpublish([tokyo.outcome], None)
    publish([tokyo.outcome], admin_user)
    response = admin_client.get(admin_url(Outcome, "change", tokyo.outcome.pk))

    form = response.context["adminform"].form
    assert "published_at" not in form.fields and "published_by" not in form.fields
    assert "field-published_by" in response.text and admin_user.username in response.text


# --- Who may do what in the admin --------------------------------------------------------


def test_an_analyst_is_not_offered_the_publish_actions(client, bob, tokyo):
    response = signed_in(bob).get(admin_url(Outcome, "changelist"))

    action_form = response.context["action_form"]  # None: no action at all is offered
    actions = dict(action_form.fields["action"].choices) if action_form else {}
    assert "publish_selected" not in actions and "unpublish_selected" not in actions


@pytest.mark.parametrize("model", [Outcome, StatusUpdate], ids=["outcome", "statusupdate"])
def test_an_analyst_posting_the_publish_action_publishes_nothing(client, bob, tokyo, model):
    outcome = make_outcome(summit=tokyo.outcome.summit, published=False)
    draft = outcome if model is Outcome else make_update(outcome, published=False)

    response = run_action(signed_in(bob), model, "publish_selected", [draft])

    assert response.status_code == 200
    draft.refresh_from_db()
    assert not draft.is_published


def test_a_researcher_sees_the_admin_pages_but_changes_nothing(client, charlie, tokyo):
    client = signed_in(charlie)
    url = admin_url(Outcome, "change", tokyo.outcome.pk)
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page)

    assert client.post(url, {**data, "title": "Renamed"}).status_code == 403
    assert client.get(admin_url(Outcome, "add")).status_code == 403
    assert (
        client.post(admin_url(Outcome, "delete", tokyo.outcome.pk), {"post": "yes"}).status_code
        == 403
    )
    tokyo.outcome.refresh_from_db()
    assert tokyo.outcome.title == "Military hotline"


def test_a_researcher_cannot_publish_or_unpublish(client, charlie, tokyo):
    run_action(signed_in(charlie), Outcome, "unpublish_selected", [tokyo.outcome])

    tokyo.outcome.refresh_from_db()
    assert tokyo.outcome.is_published


# --- Follow-ups: their status changes go through the desk --------------------------------


def test_a_follow_ups_status_cannot_be_changed_in_the_admin(admin_client, tokyo):
    follow_up = FollowUp.objects.get()
    url = admin_url(FollowUp, "change", follow_up.pk)
    data = form_data(admin_client.get(url))
    data.update(status=FollowUpStatus.HELD, held_on="2025-08-01", note="Met in Seoul.")

    response = admin_client.post(url, data)

    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.held_on) == (FollowUpStatus.SCHEDULED, None)
    assert follow_up.note == "Met in Seoul."  # the rest of it is edited as usual


def test_a_follow_ups_status_cannot_be_changed_on_the_outcome_page_either(admin_client, tokyo):
    follow_up = FollowUp.objects.get()
    url = admin_url(Outcome, "change", tokyo.outcome.pk)
    data = form_data(admin_client.get(url))
    data.update({"follow_ups-0-status": FollowUpStatus.CANCELLED})

    assert admin_client.post(url, data).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.SCHEDULED


def test_a_follow_up_shows_its_changes_and_links_to_the_desk(admin_client, admin_user, tokyo):
    follow_up = FollowUp.objects.get()
    record_follow_up_change(
        follow_up, status=FollowUpStatus.CANCELLED, note="Called off by Tokyo.", user=admin_user
    )

    response = admin_client.get(admin_url(FollowUp, "change", follow_up.pk))

    assert response.status_code == 200
    assert "changes recorded on the follow-up desk" in response.text.lower()
    assert "Called off by Tokyo." in response.text
    assert reverse("desk_follow_up", args=[follow_up.pk]) in response.text
    assert FollowUpChange.objects.count() == 1


# --- The audit trail in the admin --------------------------------------------------------


# Accounts and API tokens are access control, not the tracker's records: no audit history.
TRACKED = [model for model in REGISTERED if model._meta.app_label not in ("auth", "authtoken")]


@pytest.mark.parametrize("model", TRACKED, ids=lambda model: model._meta.label)
def test_every_record_has_a_history_page_naming_who_changed_it(client, alice, everything, model):
    obj = model._default_manager.first()
    obj._history_user = alice
    obj.save()

    response = signed_in(alice).get(admin_url(model, "history", obj.pk))

    assert response.status_code == 200
    assert "alice" in response.text


def test_an_old_version_cannot_be_written_back_from_the_history_page(admin_client, tokyo):
    outcome = tokyo.outcome
    first = outcome.history.earliest()
    outcome.title = "Renamed"
    outcome.save()
    url = reverse("admin:outcomes_outcome_simple_history", args=[outcome.pk, first.history_id])

    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"title": first.title, "summit": outcome.summit_id})

    assert response.status_code == 403
    outcome.refresh_from_db()
    assert outcome.title == "Renamed"


def test_the_outcome_change_form_links_to_its_edit_history(admin_client, tokyo):
    response = admin_client.get(admin_url(Outcome, "change", tokyo.outcome.pk))

    assert reverse("outcome_history", args=[tokyo.outcome.slug]) in response.text


# --- The overdue filter ------------------------------------------------------------------


def test_the_overdue_filter_lists_only_open_outcomes_past_their_deadline(admin_client, db):
    summit = make_summit()
    today = timezone.localdate()
    late = make_outcome(summit=summit, due_date=today - datetime.timedelta(days=1))
    done_late = make_outcome(summit=summit, due_date=today - datetime.timedelta(days=1))
    make_update(done_late, status=Status.IMPLEMENTED)
    not_yet_due = make_outcome(summit=summit, due_date=today + datetime.timedelta(days=30))
    without_deadline = make_outcome(summit=summit)

    assert changelist_results(admin_client, Outcome, "overdue=yes") == [late]
    assert set(changelist_results(admin_client, Outcome, "overdue=no")) == {
        done_late,
        not_yet_due,
        without_deadline,
    }


# --- Queries do not grow with the rows shown ---------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_no_changelist_makes_a_query_per_row(admin_client, tokyo, model):
    url = admin_url(model, "changelist")
    with_one_summit = count_queries(admin_client, url)
    record_a_summit("PRK", "RUS")
    assert count_queries(admin_client, url) == with_one_summit


def test_the_outcome_page_makes_no_query_per_status_update(admin_client, tokyo):
    url = admin_url(Outcome, "change", tokyo.outcome.pk)
    with_one_update = count_queries(admin_client, url)
    make_update(tokyo.outcome, status=Status.NOT_STARTED, corrects=tokyo.update)
    make_update(tokyo.outcome, status=Status.STALLED, effective_date=D(2025, 8, 1))
    assert count_queries(admin_client, url) == with_one_update


# --- Mistakes come back as form errors, never as a server error --------------------------


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"effective_date": "2099-01-01"}, "The effective date cannot be in the future."),
        ({"effective_date": "2025-05-31"}, "a status cannot take effect before it."),
        ({"progress": "150"}, "Progress is a percentage, from 0 to 100."),
        ({"sources": []}, "This field is required."),
    ],
)
def test_an_invalid_status_update_comes_back_with_the_reason(admin_client, tokyo, changes, reason):
    data = {
        "outcome": tokyo.outcome.pk,
        "status": Status.STALLED,
        "effective_date": "2025-09-01",
        "effective_date_precision": "day",
        "summary": "No progress reported.",
        "sources": [tokyo.source.pk],
        **changes,
    }

    response = admin_client.post(admin_url(StatusUpdate, "add"), data)

    assert response.status_code == 200
    assert reason in response.text
    assert StatusUpdate.objects.count() == 1


def test_a_correction_of_another_outcomes_entry_comes_back_with_the_reason(admin_client, tokyo):
    other = make_update(make_outcome(summit=tokyo.outcome.summit))

    response = admin_client.post(
        admin_url(StatusUpdate, "add"),
        {
            "outcome": tokyo.outcome.pk,
            "status": Status.STALLED,
            "effective_date": "2025-09-01",
            "effective_date_precision": "day",
            "summary": "Wrong outcome.",
            "sources": [tokyo.source.pk],
            "corrects": other.pk,
        },
    )

    assert response.status_code == 200
    assert "Choose an entry of the same outcome." in response.text


def test_deleting_a_record_others_depend_on_is_refused_with_an_explanation(admin_client, tokyo):
    summit = tokyo.outcome.summit
    response = admin_client.post(admin_url(Summit, "delete", summit.pk), {"post": "yes"})

    assert response.status_code == 200
    assert "protected related objects" in response.text
    assert Summit.objects.filter(pk=summit.pk).exists()
