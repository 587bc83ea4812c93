"""Brute force, addresses behind proxies, the Content-Security-Policy, and the health probe,
in-process (tests/setup/test_production.py runs the production start for real).

Sign-in is locked after AXES_FAILURE_LIMIT wrong passwords in a row for one account from
one address: the right password is refused too until the cool-off ends or an administrator
lifts the lock; from another address the account still signs in.
"""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from core.security import client_ip
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = {"site": reverse("login"), "admin": reverse("admin:login")}
ATTACKER, EDITOR = "203.0.113.9", "198.51.100.4"


def attempt(page: str, password: str, address: str = ATTACKER, **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post(PAGES[page], {"username": "alice", "password": password})
    return response, client


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("page", PAGES)
def test_repeated_wrong_passwords_lock_the_account_from_that_address_only(alice, page):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response, _ = attempt(page, "guess")
        assert response.status_code == 200  # the form again, "wrong password"
    assert attempt(page, "guess")[0].status_code == 429  # the last one allowed locks it
    response, client = attempt(page, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    text = response.content.decode()
    assert "Sign-in paused" in text and "15 minutes" in text
    assert "ask an administrator" in text
    # The editor, elsewhere, is not locked out.
    response, client = attempt(page, PASSWORD, address=EDITOR)
    assert response.status_code == 302 and signed_in(client)


def test_an_administrator_lifts_the_lock(alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("site", "guess")
    assert attempt("site", PASSWORD)[0].status_code == 429
    call_command("axes_reset_username", "alice", verbosity=0)
    response, client = attempt("site", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_the_lock_ends_after_the_cool_off(alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("site", "guess")
    assert attempt("site", PASSWORD)[0].status_code == 429
    ago = datetime.timedelta(minutes=16)
    for lock in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=lock.pk).update(attempt_time=lock.attempt_time - ago)
    response, client = attempt("site", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_a_success_resets_the_count(alice):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("site", "guess")
    assert attempt("site", PASSWORD)[0].status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt("site", "guess")[0].status_code == 200
    assert attempt("site", PASSWORD)[0].status_code == 302


# --- The client's address behind proxies --------------------------------------------------


def request_from(remote: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_trusted_proxies_a_forwarded_header_is_ignored():
    assert client_ip(request_from("198.51.100.4", "10.9.9.9")) == "198.51.100.4"


@override_settings(TRUSTED_PROXIES=1)
def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_sent():
    # The proxy appends the address it received the request from.
    assert client_ip(request_from("127.0.0.1", "198.51.100.4")) == "198.51.100.4"
    assert client_ip(request_from("127.0.0.1", "10.9.9.9, 198.51.100.4")) == "198.51.100.4"
    # A request that came round the proxy has no entry it added: its own address.
    assert client_ip(request_from("203.0.113.9", "")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=2)
def test_behind_two_proxies_the_outer_ones_view_counts():
    forwarded = "10.9.9.9, 198.51.100.4, 10.0.0.2"
    assert client_ip(request_from("127.0.0.1", forwarded)) == "198.51.100.4"


@override_settings(TRUSTED_PROXIES=1)
def test_behind_a_proxy_the_lockout_counts_each_client_apart(alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("site", "guess", address="127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER)
    locked, _ = attempt("site", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER)
    assert locked.status_code == 429
    # A spoofed first entry changes nothing: the proxy's own entry is the attacker's.
    spoofed, _ = attempt(
        "site", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{EDITOR}, {ATTACKER}"
    )
    assert spoofed.status_code == 429
    response, client = attempt("site", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR=EDITOR)
    assert response.status_code == 302 and signed_in(client)


# --- Headers and the probe ----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/admin/login/", "/accounts/login/", "/outcomes/export.csv"])
def test_every_response_carries_the_content_security_policy(client, url):
    policy = client.get(url)["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy


def test_the_probe_reports_a_cache_that_fails_as_degraded(client, tmp_path):
    # A real cache backend that cannot work: its folder would be inside a file.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    broken = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache"}
    caches = {**settings.CACHES, "pages": {**broken, "LOCATION": str(blocker / "cache")}}
    with override_settings(CACHES=caches):
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache pages"].startswith("unreachable")
