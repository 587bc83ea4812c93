"""Every address answers where it always has: researchers cite them. Each URL name reverses
to its permanent path and answers a visitor and a signed-in editor as it should, on the
demo data; a name added to tracker/urls.py without being listed here fails the first test.
"""

import pytest
from django.urls import get_resolver, reverse

from outcomes.models import FollowUp, StatusUpdate
from summits.models import Proposal
from tracker.releases import make_release

pytestmark = pytest.mark.django_db

SLUGS = {
    "summit": "tokyo-summit-2025",
    "outcome": "tokyo-2025-continue-talks",
    "actor": "japan",
    "process": "korean-peace-process",
    "source": "indonesia",
}

# name: (arguments, the permanent path, a visitor's status, an editor's status)
ADDRESSES = {
    "overview": ((), "/", 200, 200),
    "methodology": ((), "/methodology/", 200, 200),
    "search": ((), "/search/", 200, 200),
    "summit_list": ((), "/summits/", 200, 200),
    "summit_detail": (("summit",), "/summits/tokyo-summit-2025/", 200, 200),
    "summit_scorecard": (("summit",), "/summits/tokyo-summit-2025/scorecard/", 200, 200),
    "summit_scorecard_csv": (("summit",), "/summits/tokyo-summit-2025/scorecard.csv", 200, 200),
    "scorecards": ((), "/scorecards/", 200, 200),
    "scorecards_csv": ((), "/scorecards.csv", 200, 200),
    "process_list": ((), "/processes/", 200, 200),
    "process_detail": (("process",), "/processes/korean-peace-process/", 200, 200),
    "outcome_list": ((), "/outcomes/", 200, 200),
    "claims_csv": ((), "/outcomes/claims.csv", 200, 200),
    "claims_json": ((), "/outcomes/claims.json", 200, 200),
    "conditions_csv": ((), "/outcomes/conditions.csv", 200, 200),
    "conditions_json": ((), "/outcomes/conditions.json", 200, 200),
    "links_csv": ((), "/outcomes/links.csv", 200, 200),
    "links_json": ((), "/outcomes/links.json", 200, 200),
    "outcome_export_csv": ((), "/outcomes/export.csv", 200, 200),
    "outcome_export_json": ((), "/outcomes/export.json", 200, 200),
    "outcome_panel_csv": ((), "/outcomes/panel.csv", 200, 200),
    "outcome_panel_json": ((), "/outcomes/panel.json", 200, 200),
    "outcome_detail": (("outcome",), "/outcomes/tokyo-2025-continue-talks/", 200, 200),
    "outcome_history": (
        ("outcome",),
        "/outcomes/tokyo-2025-continue-talks/history/",
        302,
        200,
    ),
    "source_detail": (("source",), "/sources/indonesia/", 200, 200),
    "actor_list": ((), "/actors/", 200, 200),
    "actor_detail": (("actor",), "/actors/japan/", 200, 200),
    "actor_scorecard": (("actor",), "/actors/japan/scorecard/", 200, 200),
    "actor_scorecard_csv": (("actor",), "/actors/japan/scorecard.csv", 200, 200),
    "updates_feed": ((), "/feeds/updates.atom", 200, 200),
    "deadlines_ics": ((), "/deadlines.ics", 200, 200),
    "desk": ((), "/desk/", 302, 200),
    "desk_record_update": (
        ("outcome",),
        "/desk/outcomes/tokyo-2025-continue-talks/update/",
        302,
        200,
    ),
    "desk_follow_up": (("follow_up",), "/desk/follow-ups/{follow_up}/", 302, 200),
    "desk_discard_follow_up_change": (
        ("follow_up",),
        "/desk/follow-ups/{follow_up}/discard/",
        405,  # POST only, refused before sign-in is asked for
        405,
    ),
    "desk_publish": ((), "/desk/publish/", 405, 405),  # POST only
    "login": ((), "/accounts/login/", 200, 200),
    "logout": ((), "/accounts/logout/", 405, 405),  # POST only
    "password_change": ((), "/accounts/password_change/", 302, 200),
    "password_change_done": ((), "/accounts/password_change/done/", 302, 200),
    "password_reset": ((), "/accounts/password_reset/", 200, 200),
    "password_reset_done": ((), "/accounts/password_reset/done/", 200, 200),
    "password_reset_complete": ((), "/accounts/reset/done/", 200, 200),
    "citation": (
        ("kind", "outcome", "format"),
        "/outcomes/tokyo-2025-continue-talks/citation.bib",
        200,
        200,
    ),
    # The dataset releases (a release 1.0 is made for these).
    "release_list": ((), "/data/", 200, 200),
    "release": (("version",), "/data/1.0/", 200, 200),
    "release_file": (("version", "file"), "/data/1.0/outcomes.csv", 200, 200),
    "release_citation": (("version", "format"), "/data/1.0/citation.bib", 200, 200),
    # Importing CSV files, in the admin: a visitor is sent to sign in.
    "import_upload": ((), "/admin/import/", 302, 200),
    "import_review": (("pending",), "/admin/import/{pending}/", 302, 404),  # not theirs
    # Following by e-mail: what to follow is in the query string (none here: a clear 404);
    # a link's secret that matches nothing is a 404 (manage, unsubscribe) or a 400 (confirm).
    "follow": ((), "/follow/", 404, 404),
    "alerts_requested": ((), "/follow/requested/", 200, 200),
    "alerts_confirm": (("secret",), "/alerts/confirm/not-a-secret/", 400, 400),
    "alerts_manage": (("secret",), "/alerts/manage/not-a-secret/", 404, 404),
    "alerts_unsubscribe": (("secret",), "/alerts/unsubscribe/not-a-secret/", 404, 404),
    "desk_alerts": ((), "/desk/alerts/", 302, 200),
}

# The API's addresses (namespace "api"): name, arguments and permanent path; each answers
# 200 to anyone.
API_ADDRESSES = {
    "root": ((), "/api/v1/"),
    "schema": ((), "/api/v1/schema/"),
    "docs": ((), "/api/v1/docs/"),
    "summits": ((), "/api/v1/summits/"),
    "summit": (("summit",), "/api/v1/summits/tokyo-summit-2025/"),
    "processes": ((), "/api/v1/processes/"),
    "process": (("process",), "/api/v1/processes/korean-peace-process/"),
    "actors": ((), "/api/v1/actors/"),
    "actor": (("actor",), "/api/v1/actors/japan/"),
    "sources": ((), "/api/v1/sources/"),
    "source": (("source",), "/api/v1/sources/indonesia/"),
    "proposals": ((), "/api/v1/proposals/"),
    "proposal": (("proposal",), "/api/v1/proposals/{proposal}/"),
    "outcomes": ((), "/api/v1/outcomes/"),
    "outcome": (("outcome",), "/api/v1/outcomes/tokyo-2025-continue-talks/"),
    "status-entries": ((), "/api/v1/status-entries/"),
    "status-entry": (("status_entry",), "/api/v1/status-entries/{status_entry}/"),
    "follow-ups": ((), "/api/v1/follow-ups/"),
    "follow-up": (("follow_up",), "/api/v1/follow-ups/{follow_up}/"),
}


@pytest.fixture
def arguments(two_texts):
    return {
        **SLUGS,
        "follow_up": str(FollowUp.objects.get().pk),
        "proposal": str(Proposal.objects.public().first().pk),
        "status_entry": str(StatusUpdate.objects.public().first().pk),
        "kind": "outcomes",
        "format": "bib",
        "version": "1.0",
        "file": "outcomes.csv",
        "pending": "999999",
        "secret": "not-a-secret",
    }


def test_every_named_address_is_listed():
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    # The password reset confirmation carries a token: its address is Django's own.
    assert names - {"password_reset_confirm"} == set(ADDRESSES)


@pytest.mark.parametrize("name", sorted(ADDRESSES))
def test_each_address_answers_where_it_always_has(client, alice, arguments, name):
    needs, path, visitor, editor = ADDRESSES[name]
    if "version" in needs:
        make_release("1.0", "https://tracker.example/data/1.0/")
    url = reverse(name, args=[arguments[argument] for argument in needs])
    assert url == path.format(**arguments)

    assert client.get(url).status_code == visitor
    client.force_login(alice)
    assert client.get(url).status_code == editor


def test_every_api_address_is_listed():
    _, api = get_resolver().namespace_dict["api"]
    names = {name for name in api.reverse_dict if isinstance(name, str)}
    assert names - {"no-such-address"} == set(API_ADDRESSES)


@pytest.mark.parametrize("name", sorted(API_ADDRESSES))
def test_each_api_address_answers_where_it_always_has(client, arguments, name):
    needs, path = API_ADDRESSES[name]
    url = reverse(f"api:{name}", args=[arguments[argument] for argument in needs])
    assert url == path.format(**arguments)
    assert client.get(url).status_code == 200


def test_the_admin_answers_at_its_address(admin_client):
    assert reverse("admin:index") == "/admin/"
    assert admin_client.get("/admin/").status_code == 200
