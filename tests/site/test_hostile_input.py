"""Every parameter of every view, fed a shared corpus of hostile values: never a server error,
and a write that is refused changes nothing.

PARAMETERS lists what each page reads; a test records the parameters each view actually
reads (every QueryDict access, on a plain request) and fails if the list misses one, so that
a parameter added later is fed the corpus too. Run on both databases like the rest of the
suite: PostgreSQL refuses values (NUL, integers past 64 bits) that SQLite takes.
"""

import pytest
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.http import QueryDict
from django.urls import reverse

from outcomes.models import FollowUp, StatusUpdate
from tests.factories import days, form_data, make_follow_up, make_outcome, make_summit, signed_in

pytestmark = pytest.mark.django_db

# NUL, huge and negative numbers, unicode digits, impossible and extreme dates, long strings,
# markup and quoting, whitespace, the empty value.
CORPUS = [
    "\x00",
    "tokyo\x00",
    "9" * 40,
    "9223372036854775808",
    "-9223372036854775809",
    "-1",
    "0",
    "1e9",
    "NaN",
    "²",
    "٣",
    "１２",
    "0001-01-01",
    "0000-00-00",
    "9999-12-31",
    "2025-02-30",
    "2025-13-01",
    "+2025-01-01",
    "2025-1-1",
    "x" * 10_000,
    "é" * 3_000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "../../etc/passwd",
    "//evil.example/",
    "javascript:alert(1)",
    "\u202e",
    " ",
    "",
]

TOKYO = "tokyo-summit-2025"
TALKS = "tokyo-2025-continue-talks"
COMMON = ["as_of", "known_at"]
LIST = [
    "status",
    "type",
    "summit",
    "actor",
    "overdue",
    "process",
    "disputed",
    "waiting",
    "due_after",
    "due_before",
    "q",
    "sort",
    "page",
    *COMMON,
]
# Each page, how to reach it, whether it needs signing in, and the parameters it reads.
PARAMETERS = {
    "overview": (lambda w: reverse("overview"), False, COMMON),
    "methodology": (lambda w: reverse("methodology"), False, COMMON),
    "search": (lambda w: reverse("search"), False, ["q", *COMMON]),
    "summit_list": (
        lambda w: reverse("summit_list"),
        False,
        ["year", "actor", "status", "page", *COMMON],
    ),
    "summit_detail": (lambda w: reverse("summit_detail", args=[TOKYO]), False, COMMON),
    "outcome_list": (lambda w: reverse("outcome_list"), False, LIST),
    "outcome_export_csv": (lambda w: reverse("outcome_export_csv"), False, LIST),
    "outcome_export_json": (lambda w: reverse("outcome_export_json"), False, LIST),
    "outcome_panel_csv": (lambda w: reverse("outcome_panel_csv"), False, [*LIST, "last_year"]),
    "outcome_panel_json": (lambda w: reverse("outcome_panel_json"), False, [*LIST, "last_year"]),
    "outcome_detail": (lambda w: reverse("outcome_detail", args=[TALKS]), False, COMMON),
    "claims_csv": (lambda w: reverse("claims_csv"), False, COMMON),
    "claims_json": (lambda w: reverse("claims_json"), False, COMMON),
    "conditions_csv": (lambda w: reverse("conditions_csv"), False, COMMON),
    "conditions_json": (lambda w: reverse("conditions_json"), False, COMMON),
    "links_csv": (lambda w: reverse("links_csv"), False, COMMON),
    "links_json": (lambda w: reverse("links_json"), False, COMMON),
    "process_list": (lambda w: reverse("process_list"), False, ["page", *COMMON]),
    "process_detail": (
        lambda w: reverse("process_detail", args=["korean-peace-process"]),
        False,
        ["page", *COMMON],
    ),
    "outcome_history": (
        lambda w: reverse("outcome_history", args=[TALKS]),
        True,
        ["from", "to", *COMMON],
    ),
    "summit_scorecard": (
        lambda w: reverse("summit_scorecard", args=[TOKYO]),
        False,
        ["from", "to", "page", *COMMON],
    ),
    "summit_scorecard_csv": (
        lambda w: reverse("summit_scorecard_csv", args=[TOKYO]),
        False,
        ["from", "to", *COMMON],
    ),
    "scorecards": (
        lambda w: reverse("scorecards"),
        False,
        ["year", "actor", "status", "from", "to", "page", *COMMON],
    ),
    "scorecards_csv": (
        lambda w: reverse("scorecards_csv"),
        False,
        ["year", "actor", "status", "from", "to", *COMMON],
    ),
    "actor_scorecard": (
        lambda w: reverse("actor_scorecard", args=["north-korea"]),
        False,
        ["summit", "type", "from", "to", "page", *COMMON],
    ),
    "actor_scorecard_csv": (
        lambda w: reverse("actor_scorecard_csv", args=["north-korea"]),
        False,
        ["summit", "type", "from", "to", *COMMON],
    ),
    "actor_list": (lambda w: reverse("actor_list"), False, ["kind", "page", *COMMON]),
    "actor_detail": (
        lambda w: reverse("actor_detail", args=["north-korea"]),
        False,
        ["page", "summits", "proposals", *COMMON],
    ),
    "updates_feed": (lambda w: reverse("updates_feed"), False, ["summit", "actor", "outcome"]),
    "deadlines_ics": (
        lambda w: reverse("deadlines_ics"),
        False,
        ["summit", "actor", "outcome", "from"],
    ),
    "desk": (lambda w: reverse("desk"), True, ["quiet"]),
    "desk_record_update": (
        lambda w: reverse("desk_record_update", args=[TALKS]),
        True,
        ["next"],
    ),
    "desk_follow_up": (lambda w: reverse("desk_follow_up", args=[w["follow_up"]]), True, ["next"]),
    "login": (lambda w: reverse("login"), False, ["next"]),
    "follow": (
        lambda w: reverse("follow"),
        False,
        ["outcome", "summit", "process", "actor", "search"],
    ),
}


@pytest.fixture
def world(two_texts):
    return {"follow_up": FollowUp.objects.filter(status="planned").first().pk}


def client_for(needs_staff: bool, alice, client):
    return signed_in(alice) if needs_staff else client


def body_of(response) -> bytes:
    # A streamed export fails, if it fails, while its rows are read.
    return b"".join(response.streaming_content) if response.streaming else response.content


CASES = [(page, param) for page, (_, _, params) in PARAMETERS.items() for param in params]


@pytest.mark.parametrize(("page", "param"), CASES, ids=[f"{p}-{q}" for p, q in CASES])
def test_no_hostile_value_of_any_parameter_is_a_server_error(client, alice, world, page, param):
    url, needs_staff, _ = PARAMETERS[page]
    client = client_for(needs_staff, alice, client)
    for value in CORPUS:
        response = client.get(url(world), {param: value})
        assert response.status_code < 500, (page, param, value[:40])
        body_of(response)
    # The same key many times, as a crafted link would send it.
    response = client.get(f"{url(world)}?{param}=1&{param}=2&{param}=%00&{param}=")
    assert response.status_code < 500
    body_of(response)


@pytest.mark.parametrize("value", ["\x00", "x" * 300, "é", "-", "..", "%00", "9" * 40])
@pytest.mark.parametrize("name", ["summit_detail", "outcome_detail", "actor_detail"])
def test_a_hostile_address_is_a_404(client, two_texts, name, value):
    url = reverse(name, args=["placeholder"]).replace("placeholder", value)
    assert client.get(url).status_code == 404


def test_the_list_of_parameters_is_every_parameter_each_view_reads(
    client, alice, world, monkeypatch
):
    read: set[str] = set()
    for method in ("get", "getlist", "__getitem__", "__contains__"):
        original = getattr(QueryDict, method)

        def recording(self, key, *args, _original=original, **kwargs):
            read.add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(QueryDict, method, recording)
    for page, (url, needs_staff, params) in PARAMETERS.items():
        read.clear()
        body_of(client_for(needs_staff, alice, client).get(url(world)))
        # Django's own reads (the CSRF token, the login form's fields) are not parameters,
        # nor a template's look-up of a method such as request.GET.lists.
        ours = {key for key in read if not hasattr(QueryDict, key)}
        ours -= {"csrfmiddlewaretoken", "username", "password"}
        assert ours <= set(params), (page, ours - set(params))


# --- Writes: refused hostile input changes nothing ---------------------------------------------


def table_counts() -> dict[str, int]:
    """Every table's row count (but the sessions' and the lockout's), in one query: it is
    taken after each of hundreds of refused submissions."""
    with connection.cursor() as cursor:
        tables = [
            table
            for table in connection.introspection.table_names(cursor)
            if not table.startswith(("django_session", "axes_"))
        ]
        quote = connection.ops.quote_name
        cursor.execute(
            " UNION ALL ".join(f"SELECT %s, COUNT(*) FROM {quote(table)}" for table in tables),
            tables,
        )
        return dict(cursor.fetchall())


def outcome_statuses():
    return list(StatusUpdate.objects.order_by("pk").values_list("pk", "status", "published_at"))


def follow_up_states():
    return list(FollowUp.objects.order_by("pk").values_list("pk", "status", "due_date", "version"))


def refused(response) -> bool:
    """Not a redirect after success: a form shown again, an error page, or a redirect with an
    error message."""
    if response.status_code != 302:
        return True
    return any(m.level_tag == "error" for m in get_messages(response.wsgi_request))


def update_form(world) -> dict:
    return {
        "status": "in_progress",
        "effective_date": "2025-07-01",
        "effective_date_precision": "day",
        "summary": "Talks resumed.",
        "progress": "",
        "corrects": "",
        "new_source_url": "https://news.example/resumed",
        "new_source_title": "Talks resumed",
        "new_source_kind": "news",
    }


def change_form(world) -> dict:
    follow_up = FollowUp.objects.get(pk=world["follow_up"])
    return {
        "version": follow_up.version,
        "status": "cancelled",
        "date": "",
        "date_precision": "day",
        "resulting_summit": "",
        "note": "Called off.",
        "new_source_url": "https://news.example/off",
        "new_source_title": "Called off",
        "new_source_kind": "news",
    }


def publish_form(world) -> dict:
    update = StatusUpdate.objects.filter(published_at__isnull=False).first()
    return {"record": f"outcomes.statusupdate:{update.pk}", "action": "unpublish"}


# Each form, where it posts, and a valid submission to vary one field of at a time.
FORMS = {
    "record update": (lambda w: reverse("desk_record_update", args=[TALKS]), update_form),
    "follow-up change": (lambda w: reverse("desk_follow_up", args=[w["follow_up"]]), change_form),
    "publish": (lambda w: reverse("desk_publish"), publish_form),
}
FIELDS = {
    "record update": [*update_form(None), "sources", "existing_source", "publish_now", "next"],
    "follow-up change": [
        "version",
        "status",
        "date",
        "date_precision",
        "resulting_summit",
        "note",
        "sources",
        "existing_source",
        "new_source_url",
        "new_source_title",
        "new_source_kind",
        "publish_now",
        "next",
    ],
    "publish": ["record", "action", "kind", "pk", "with_parents", "next"],
}
WRITES = [(form, field) for form, fields in FIELDS.items() for field in fields]
# Free text, which takes any value but NUL; `next`, whose hostile values are replaced by the
# default; boxes that any value ticks.
FREE_TEXT = {"summary", "note", "new_source_title", "next", "publish_now", "with_parents"}
# What no other field may accept.
NEVER_VALID = {
    "\x00",
    "tokyo\x00",
    "9" * 40,
    "9223372036854775808",
    "-9223372036854775809",
    "²",
    "0001-01-01",
    "0000-00-00",
    "9999-12-31",
    "2025-02-30",
    "2025-13-01",
    "x" * 10_000,
}


@pytest.mark.parametrize(("form", "field"), WRITES, ids=[f"{f}-{g}" for f, g in WRITES])
def test_a_hostile_value_in_any_field_is_refused_cleanly_or_saved_as_given(
    alice, world, form, field
):
    url, valid = FORMS[form]
    client = signed_in(alice)
    # Each submission in a transaction of its own, rolled back: each starts from the same.
    before = (table_counts(), outcome_statuses(), follow_up_states())
    for value in CORPUS:
        with transaction.atomic():
            response = client.post(url(world), {**valid(world), field: value})
            assert response.status_code < 500, (form, field, value[:40])
            if refused(response):
                after = (table_counts(), outcome_statuses(), follow_up_states())
                assert after == before, (form, field, value[:40])
            else:
                # A valid submission after all (free text, a choice written in other
                # digits, a `next` replaced by the default), never with a value no field
                # can mean.
                assert field in FREE_TEXT or value not in NEVER_VALID, (form, field, value[:40])
            transaction.set_rollback(True)


@pytest.mark.parametrize("value", CORPUS[:12] + ["x" * 5000])
@pytest.mark.parametrize("field", ["username", "password", "next"])
@pytest.mark.parametrize("login", ["login", "admin:login"])
def test_hostile_sign_in_input_is_refused_without_an_error(client, alice, login, field, value):
    data = {"username": "alice", "password": "wrong", "next": "/desk/", field: value}
    response = client.post(reverse(login), data)
    assert response.status_code in (200, 403, 429)
    assert "_auth_user_id" not in client.session


def test_an_overlong_username_counts_towards_the_lockout_as_a_username_can_be(client, alice):
    # Django's sign-in form passes a 5,000-character username on to authentication; the
    # lockout records it cut to the 150 characters a username can have (PostgreSQL refused
    # the longer row: a server error), and still counts it.
    response = client.post(reverse("login"), {"username": "x" * 5000, "password": "wrong"})
    assert response.status_code == 200
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        ("x" * 150, 1)
    ]


# --- The admin ---------------------------------------------------------------------------------

ADMIN_PARAMETERS = ["q", "p", "o", "e", "published", "_to_field", "_popup"]
# One value of each kind the admin's own parsing meets (its pages are slower to render).
ADMIN_CORPUS = ["\x00", "9" * 40, "-1", "²", "0001-01-01", "2025-02-30", "x" * 10_000, "%"]


@pytest.mark.parametrize("model", sorted(admin.site._registry, key=lambda m: m._meta.label))
def test_no_hostile_value_on_an_admin_list_is_a_server_error(alice, two_texts, model):
    client = signed_in(alice)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    for param in ADMIN_PARAMETERS:
        for value in ADMIN_CORPUS:
            response = client.get(url, {param: value})
            assert response.status_code < 500, (model, param, value[:40])


# A record of each kind an analyst edits most, by its change page (small ones: the page is
# rendered again for every value).
ADMIN_RECORDS = {
    "outcome": lambda: make_outcome(due_within=6, due_within_unit="months"),
    "summit": lambda: make_summit(city="Tokyo"),
    "follow-up": lambda: make_follow_up(due_date=days(30)),
}


@pytest.mark.parametrize("kind", ADMIN_RECORDS)
def test_a_hostile_value_in_any_admin_field_is_refused_cleanly(admin_client, kind):
    record = ADMIN_RECORDS[kind]()
    url = reverse(
        f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk]
    )
    page = admin_client.get(url)
    valid = form_data(page)
    form = page.context["adminform"].form
    before = table_counts()  # each submission below is rolled back
    # A disabled field (a follow-up's status, changed on the desk only) ignores what is sent.
    editable = [name for name, field in form.fields.items() if not field.disabled]
    for field in [name for name in editable if name != "version"]:
        # Text takes any value but NUL; a slug, any run of digits.
        text = isinstance(form.fields[field], forms.CharField)
        for value in ADMIN_CORPUS:
            with transaction.atomic():
                response = admin_client.post(url, {**valid, field: value})
                assert response.status_code < 500, (kind, field, value[:40])
                if response.status_code == 302:  # saved
                    assert text and "\x00" not in value, (kind, field, value[:40])
                else:
                    assert table_counts() == before, (kind, field, value[:40])
                transaction.set_rollback(True)


@pytest.mark.parametrize("amount", ["32767", "500"])
def test_a_relative_deadline_past_the_calendar_is_refused_beside_its_field(admin_client, amount):
    outcome = make_outcome(due_within=6, due_within_unit="months")
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    data = {**form_data(admin_client.get(url)), "due_within": amount, "due_within_unit": "years"}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "That deadline would fall after 2200" in errors["due_within"][0]
