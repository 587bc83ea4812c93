"""No lost edits: when two people edit the same record at once, the second save is refused
with what the first one changed, and the second person's input is kept to be reapplied."""

import datetime

import pytest
from django.contrib import admin

from actors.models import Actor, Source
from core.admin import AuditedAdmin, ReadOnlyInline, VersionedAdminMixin
from core.concurrency import EditConflict, Versioned, VersionedFormMixin
from outcomes.models import FollowUp, FollowUpKind, Outcome, OutcomeType
from outcomes.services import record_follow_up_change
from summits.models import Proposal, ProposalKind, Summit, Theme
from tests.factories import (
    admin_url,
    form_data,
    make,
    make_actor,
    make_follow_up,
    make_outcome,
    make_source,
    make_summit,
    signed_in,
)


@pytest.fixture
def clients(alice, erin):
    """The browsers of two editors, Alice and Erin, both signed in to the admin."""
    return signed_in(alice), signed_in(erin)


def make_cited_outcome(**kwargs) -> Outcome:
    """An outcome as the admin saves it: citing a source (its form requires one)."""
    outcome = make_outcome(**kwargs)
    outcome.sources.add(make_source())
    return outcome


def make_proposal() -> Proposal:
    proposal = make(
        Proposal,
        summit=make_summit(),
        actor=make_actor(),
        kind=ProposalKind.PROPOSAL,
        theme=Theme.COMMUNICATION,
        title="A hotline",
        text="A direct line.",
    )
    proposal.sources.add(make_source())
    return proposal


def make_report() -> FollowUp:
    return make_follow_up(make_cited_outcome(), kind=FollowUpKind.REPORT, title="First report")


# Each Versioned model, a way to make one, and a text field two people may both change.
VERSIONED = [
    (Actor, make_actor, "name"),
    (Source, make_source, "title"),
    (Summit, make_summit, "name"),
    (Proposal, make_proposal, "title"),
    (Outcome, make_cited_outcome, "title"),
    (FollowUp, make_report, "title"),
]


# --- In the model ------------------------------------------------------------------------


@pytest.mark.parametrize("model, make, field", VERSIONED, ids=lambda v: getattr(v, "__name__", v))
def test_saving_a_stale_copy_raises_edit_conflict(db, model, make, field):
    obj = make()
    first, second = model.objects.get(pk=obj.pk), model.objects.get(pk=obj.pk)
    setattr(first, field, "First")
    first.save()

    setattr(second, field, "Second")
    with pytest.raises(EditConflict):
        second.save()

    assert getattr(model.objects.get(pk=obj.pk), field) == "First"


def test_every_versioned_model_and_inline_in_the_admin_checks_versions():
    checked = []
    for model, model_admin in admin.site._registry.items():
        # Django's users and groups, and django-axes' sign-in attempts, keep their own admin.
        assert isinstance(model_admin, AuditedAdmin) or model._meta.app_label in (
            "auth",
            "axes",
            "authtoken",
        )
        if issubclass(model, Versioned):
            assert isinstance(model_admin, VersionedAdminMixin), model
            assert issubclass(model_admin.form, VersionedFormMixin), model
            checked.append(model)
        for inline_class in model_admin.inlines:
            # A read-only inline (a summit's outcomes, listed on its page) saves nothing.
            if issubclass(inline_class.model, Versioned) and not issubclass(
                inline_class, ReadOnlyInline
            ):
                assert issubclass(inline_class, VersionedAdminMixin), inline_class
    assert set(checked) == {model for model, *_ in VERSIONED}


# --- In the admin ------------------------------------------------------------------------


def test_the_second_save_of_an_outcome_is_refused_showing_the_first(clients, alice, bob):
    outcome = make_cited_outcome(title="Military hotline")
    url = admin_url(Outcome, "change", outcome.pk)
    alices, bobs = clients
    alice_form, bob_form = form_data(alices.get(url)), form_data(bobs.get(url))

    seoul = make_summit(name="Seoul summit")
    alice_form.update(title="Hotline (Alice)", type=OutcomeType.DECLARATION, summit=seoul.pk)
    assert alices.post(url, alice_form).status_code == 302
    response = bobs.post(url, {**bob_form, "title": "Hotline (Bob)"})

    assert response.status_code == 200
    assert "Someone else saved this outcome while you were editing it" in response.text
    conflict = response.context["edit_conflicts"][0]["changes"]
    assert conflict[0]["user"] == alice
    # Field by field, with choice labels and the names of related records.
    assert conflict[0]["fields"] == [
        {"field": "Summit", "old": outcome.summit.name, "new": "Seoul summit"},
        {"field": "Title", "old": "Military hotline", "new": "Hotline (Alice)"},
        {"field": "Type", "old": "Other", "new": "Declaration"},
    ]
    assert "“Other” → “Declaration”" in response.text
    assert "Hotline (Alice)" in response.text  # her change, named in the message
    assert 'value="Hotline (Bob)"' in response.text  # his input, kept in the form
    outcome.refresh_from_db()
    assert outcome.title == "Hotline (Alice)"

    # The form is rebased on her version: the fields he left alone now hold her values, the
    # one they both changed holds his, and is named as such.
    form = response.context["adminform"].form
    assert form["summit"].value() == seoul.pk
    assert form["type"].value() == OutcomeType.DECLARATION
    assert form.overlap == ["Title"]
    assert "You both changed" in response.text

    # Saving again applies his change on top of hers: neither edit is lost.
    response = bobs.post(url, form_data(response))

    assert response.status_code == 302
    outcome.refresh_from_db()
    assert (outcome.title, outcome.type, outcome.summit) == (
        "Hotline (Bob)",
        OutcomeType.DECLARATION,
        seoul,
    )


@pytest.mark.parametrize("model, make, field", VERSIONED, ids=lambda v: getattr(v, "__name__", v))
def test_no_versioned_record_loses_an_edit_in_the_admin(clients, model, make, field):
    obj = make()
    url = admin_url(model, "change", obj.pk)
    alices, bobs = clients
    alice_form, bob_form = form_data(alices.get(url)), form_data(bobs.get(url))

    assert alices.post(url, {**alice_form, field: "Alice’s"}).status_code == 302
    response = bobs.post(url, {**bob_form, field: "Bob’s"})

    assert response.status_code == 200
    assert "while you were editing it" in response.text
    assert getattr(model.objects.get(pk=obj.pk), field) == "Alice’s"
    assert bobs.post(url, form_data(response)).status_code == 302
    assert getattr(model.objects.get(pk=obj.pk), field) == "Bob’s"


def test_the_race_between_the_check_and_the_save_is_refused_too(clients, monkeypatch):
    """Alice saves after Bob's form passed its version check but before his save: the model's
    save refuses, and the admin shows the same friendly refusal instead of an error."""
    outcome = make_cited_outcome(title="Military hotline")
    url = admin_url(Outcome, "change", outcome.pk)
    alices, bobs = clients
    alice_form, bob_form = form_data(alices.get(url)), form_data(bobs.get(url))
    assert alices.post(url, {**alice_form, "title": "Hotline (Alice)"}).status_code == 302
    checks = []
    real_clean = VersionedFormMixin.clean

    def check_passed_before_alice_saved(form):
        checks.append(form)
        if len(checks) == 1:  # the first check ran before Alice's save: it passed
            form.instance.version = form.cleaned_data["version"]
            return form.cleaned_data
        return real_clean(form)

    monkeypatch.setattr(VersionedFormMixin, "clean", check_passed_before_alice_saved)

    response = bobs.post(url, {**bob_form, "title": "Hotline (Bob)"})

    assert response.status_code == 200
    assert len(checks) == 2  # the view ran again after the model refused to save
    assert "Someone else saved this outcome" in response.text
    assert 'value="Hotline (Bob)"' in response.text
    outcome.refresh_from_db()
    assert outcome.title == "Hotline (Alice)"


def test_an_inline_follow_up_edited_by_two_people_is_not_overwritten(clients):
    follow_up = make_report()
    url = admin_url(Outcome, "change", follow_up.outcome_id)
    alices, bobs = clients
    alice_form, bob_form = form_data(alices.get(url)), form_data(bobs.get(url))

    assert (
        alices.post(url, {**alice_form, "follow_ups-0-title": "Report (Alice)"}).status_code == 302
    )
    response = bobs.post(url, {**bob_form, "follow_ups-0-title": "Report (Bob)"})

    assert response.status_code == 200
    assert "Someone else saved this follow-up" in response.text
    conflict = response.context["edit_conflicts"][0]
    assert len(response.context["edit_conflicts"]) == 1  # the outcome itself was not saved
    assert conflict["label"] == "follow-up “Report (Bob)”"  # the row as in his form
    assert conflict["changes"][0]["fields"] == [
        {"field": "Title", "old": "First report", "new": "Report (Alice)"}
    ]
    assert 'value="Report (Bob)"' in response.text
    follow_up.refresh_from_db()
    assert follow_up.title == "Report (Alice)"

    assert bobs.post(url, form_data(response)).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.title == "Report (Bob)"


def test_editing_the_outcome_does_not_conflict_with_its_own_inlines(admin_client):
    follow_up = make_report()
    url = admin_url(Outcome, "change", follow_up.outcome_id)
    data = form_data(admin_client.get(url))
    data.update({"title": "Renamed", "follow_ups-0-title": "Renamed report"})

    assert admin_client.post(url, data).status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.title, follow_up.outcome.title) == ("Renamed report", "Renamed")


def test_an_inline_proposal_on_the_summit_page_is_not_overwritten(clients):
    proposal = make_proposal()
    url = admin_url(Summit, "change", proposal.summit_id)
    alices, bobs = clients
    alice_form, bob_form = form_data(alices.get(url)), form_data(bobs.get(url))

    assert alices.post(url, {**alice_form, "proposals-0-title": "Alice’s"}).status_code == 302
    response = bobs.post(url, {**bob_form, "proposals-0-title": "Bob’s"})

    assert response.status_code == 200
    assert "Someone else saved this proposal" in response.text
    proposal.refresh_from_db()
    assert proposal.title == "Alice’s"


def test_a_follow_up_changed_on_the_desk_meanwhile_is_not_overwritten(clients, alice):
    follow_up = make_report()
    follow_up.due_date, follow_up.due_date_precision = datetime.date(2025, 9, 1), "day"
    follow_up.save()
    url = admin_url(FollowUp, "change", follow_up.pk)
    alices, bobs = clients
    bob_form = form_data(bobs.get(url))

    record_follow_up_change(
        FollowUp.objects.get(pk=follow_up.pk),
        status="cancelled",
        sources=[make_source()],
        user=alice,
        publish=True,
    )
    response = bobs.post(url, {**bob_form, "note": "Bob’s note"})

    assert response.status_code == 200
    assert "Someone else saved this follow-up" in response.text
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.note) == ("cancelled", "")
