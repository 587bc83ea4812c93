"""Who may do what: every role against every page that shows work in progress or writes,
with each method, checked on the server by sending the real request (a hidden button is not
security). Writes are sent with valid data, so a refusal is the permission and not the form,
and the database is checked afterwards: a refused request changes nothing.

Roles: anonymous, signed in with no role, Researcher, Analyst, Editor (all staff, so that
the admin's own staff check is not what refuses them).
"""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from core.dates import DatePrecision
from outcomes.models import FollowUp, FollowUpChange, FollowUpKind, Outcome, Status, StatusUpdate
from tests.factories import days, form_data, make, make_outcome, make_source, signed_in

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no role", "Researcher", "Analyst", "Editor"]
# Who stands for each role: the named people of tests/conftest.py.
PEOPLE = {"no role": "dave", "Researcher": "charlie", "Analyst": "bob", "Editor": "alice"}
SIGN_IN = "sign in"  # a redirect to /accounts/login/ (or the admin's own sign-in page)


def client_for(request, role: str) -> Client:
    return Client() if role == "anonymous" else signed_in(request.getfixturevalue(PEOPLE[role]))


def superuser_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="x"))
    return client


def admin_change_url(obj) -> str:
    return reverse(f"admin:outcomes_{obj._meta.model_name}_change", args=[obj.pk])


# Each case makes its records and returns (method, url, data, did_it): did_it() tells whether
# the change the request asks for has happened (False for all of them beforehand).


def draft_outcome_page():
    draft = make_outcome(published=False)
    return "get", draft.get_absolute_url(), None, None


def outcome_history():
    outcome = make_outcome()
    return "get", reverse("outcome_history", args=[outcome.slug]), None, None


def desk():
    return "get", reverse("desk"), None, None


def desk_record_update():
    outcome = make_outcome()
    source = make_source()
    outcome.sources.add(source)
    data = {
        "status": Status.IN_PROGRESS,
        "effective_date": days(-2).isoformat(),
        "effective_date_precision": DatePrecision.DAY,
        "summary": "Talks resumed.",
        "sources": [source.pk],
        "new_source_kind": "news",
    }
    url = reverse("desk_record_update", args=[outcome.slug])
    return (
        "post",
        url,
        data,
        lambda: outcome.status_updates.filter(summary="Talks resumed.").exists(),
    )


def _follow_up_change(publish_now: bool):
    follow_up = make(
        FollowUp,
        outcome=make_outcome(),
        kind=FollowUpKind.SUMMIT,
        title="Follow-up summit",
        due_date=days(10),
        due_date_precision=DatePrecision.DAY,
    )
    data = {
        "version": follow_up.version,
        "status": "postponed",
        "date": days(40).isoformat(),
        "date_precision": DatePrecision.DAY,
        "note": "Moved.",
        "new_source_url": "https://news.example/moved",
        "new_source_title": "The talks are moved",
        "new_source_kind": "news",
    }
    if publish_now:
        data["publish_now"] = "on"
    url = reverse("desk_follow_up", args=[follow_up.pk])
    return follow_up, url, data


def desk_follow_up_change():
    follow_up, url, data = _follow_up_change(publish_now=False)
    return "post", url, data, lambda: FollowUpChange.objects.filter(follow_up=follow_up).exists()


def desk_follow_up_change_published():
    follow_up, url, data = _follow_up_change(publish_now=True)
    return (
        "post",
        url,
        data,
        lambda: FollowUp.objects.filter(pk=follow_up.pk, status="postponed").exists(),
    )


def desk_publish():
    draft = make_outcome(published=False)
    data = {"kind": "outcome", "pk": draft.pk, "action": "publish"}
    return "post", reverse("desk_publish"), data, lambda: Outcome.objects.published().exists()


def admin_outcome_list():
    make_outcome()
    return "get", reverse("admin:outcomes_outcome_changelist"), None, None


def admin_outcome_add_page():
    return "get", reverse("admin:outcomes_outcome_add"), None, None


def admin_outcome_change():
    outcome = make_outcome(title="Old title")
    outcome.sources.add(make_source())  # the form requires one
    data = form_data(superuser_client().get(admin_change_url(outcome)))
    data["title"] = "New title"
    return (
        "post",
        admin_change_url(outcome),
        data,
        lambda: Outcome.objects.filter(title="New title").exists(),
    )


def admin_outcome_delete():
    outcome = make_outcome()
    url = reverse("admin:outcomes_outcome_delete", args=[outcome.pk])
    return "post", url, {"post": "yes"}, lambda: not Outcome.objects.filter(pk=outcome.pk)


def admin_publish_action():
    draft = make_outcome(published=False)
    data = {"action": "publish_selected", "_selected_action": [draft.pk]}
    url = reverse("admin:outcomes_outcome_changelist")
    return "post", url, data, lambda: Outcome.objects.published().exists()


def admin_status_update_delete():
    outcome = make_outcome()
    update = make(
        StatusUpdate,
        outcome=outcome,
        status=Status.IN_PROGRESS,
        effective_date=days(-3),
        summary="Draft.",
        published=False,
    )
    url = reverse("admin:outcomes_statusupdate_delete", args=[update.pk])
    return "post", url, {"post": "yes"}, lambda: not StatusUpdate.objects.filter(pk=update.pk)


def admin_user_add():
    return "get", reverse("admin:auth_user_add"), None, None


# The expected answer per role, in ROLES order: a status code, SIGN_IN, or for a write that
# succeeds, "done" (a redirect after the change was made).
MATRIX = {
    draft_outcome_page: [404, 404, 200, 200, 200],
    outcome_history: [SIGN_IN, 403, 200, 200, 200],
    desk: [SIGN_IN, 403, 200, 200, 200],
    desk_record_update: [SIGN_IN, 403, 403, "done", "done"],
    # Analysts record a follow-up's change as a draft; only an editor's changes the follow-up
    # (the analyst's "publish now" is ignored: the change waits for review).
    desk_follow_up_change: [SIGN_IN, 403, 403, "done", "done"],
    desk_follow_up_change_published: [SIGN_IN, 403, 403, "not done", "done"],
    desk_publish: [SIGN_IN, 403, 403, 403, "done"],
    admin_outcome_list: [SIGN_IN, 403, 200, 200, 200],
    admin_outcome_add_page: [SIGN_IN, 403, 403, 200, 200],
    admin_outcome_change: [SIGN_IN, 403, 403, "done", "done"],
    admin_outcome_delete: [SIGN_IN, 403, 403, 403, "done"],
    # The admin answers an action the user may not run by not offering it: the list is shown
    # again with "No action selected" (200 or a redirect), and nothing is published.
    admin_publish_action: [SIGN_IN, 403, "not done", "not done", "done"],
    admin_status_update_delete: [SIGN_IN, 403, 403, "done", "done"],
    admin_user_add: [SIGN_IN, 403, 403, 403, 403],
}


@pytest.mark.parametrize("case", MATRIX, ids=lambda case: case.__name__)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_who_may_do_what(request, case, role_index):
    role, expected = ROLES[role_index], MATRIX[case][role_index]
    method, url, data, did_it = case()
    assert did_it is None or not did_it()

    response = getattr(client_for(request, role), method)(url, data or {})

    if expected == SIGN_IN:
        assert response.status_code == 302
        assert "/login/" in response.url
    elif expected in ("done", "not done"):
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == expected
    if did_it is not None:
        # A refused request changes nothing; a granted one did what it asked.
        assert did_it() == (expected == "done"), f"{role}: {case.__name__}"


@pytest.mark.parametrize("role", ["Analyst", "Editor"])
def test_writes_need_the_csrf_token_even_for_those_allowed(role):
    _, url, data, did_it = admin_outcome_change()
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create_user("x", is_staff=True))
    User.objects.get(username="x").groups.add(Group.objects.get(name=role))
    response = client.post(url, data)
    assert response.status_code == 403
    assert not did_it()
