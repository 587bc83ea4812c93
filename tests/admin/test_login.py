"""Signing in (/accounts/login/) and out, and what the header shows either way."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
LOGOUT = reverse("logout")


def test_the_sign_in_page_has_the_sites_look_and_a_form(client):
    html = client.get(LOGIN).content.decode()
    assert "Summit Outcome Tracker</a>" in html  # the header of base.html
    assert 'name="username"' in html and 'name="password"' in html
    assert "csrfmiddlewaretoken" in html


def test_wrong_credentials_are_refused_with_a_message(client, alice):
    response = client.post(LOGIN, {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_in_leads_to_the_desk(client, alice):
    response = client.post(LOGIN, {"username": "alice", "password": "correct horse"})
    assert response.status_code == 302
    assert response.url == reverse("desk")
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_signing_in_returns_to_the_page_asked_for(client, alice):
    response = client.post(
        LOGIN, {"username": "alice", "password": "correct horse", "next": "/outcomes/?q=x"}
    )
    assert response.url == "/outcomes/?q=x"


def test_signing_in_never_redirects_to_another_site(client, alice):
    response = client.post(
        LOGIN, {"username": "alice", "password": "correct horse", "next": "https://evil.example/"}
    )
    assert response.url == reverse("desk")


def test_the_desk_sends_anonymous_visitors_to_sign_in_and_back(client, alice):
    response = client.get(reverse("desk"))
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/desk/"
    html = client.get(response.url).content.decode()
    assert 'name="next" value="/desk/"' in html


def test_signing_out_takes_a_post_and_returns_to_the_overview(client, alice):
    client.force_login(alice)
    assert client.get(LOGOUT).status_code == 405  # a link cannot sign anyone out
    response = client.post(LOGOUT, {"next": reverse("overview")})
    assert response.status_code == 302
    assert response.url == reverse("overview")
    assert "_auth_user_id" not in client.session


def test_anonymous_visitors_see_a_sign_in_link_only(client):
    html = client.get(reverse("overview")).content.decode()
    assert f'href="{LOGIN}"' in html
    assert "Sign out" not in html
    assert f'href="{reverse("desk")}"' not in html


def test_signed_in_staff_see_the_desk_their_name_and_a_sign_out_form(client, alice):
    client.force_login(alice)
    html = client.get(reverse("overview")).content.decode()
    assert f'href="{reverse("desk")}"' in html
    assert "alice" in html
    form = html[html.index(f'action="{LOGOUT}"') :]
    assert 'method="post"' in html[html.rindex("<form", 0, html.index(f'action="{LOGOUT}"')) :]
    assert "csrfmiddlewaretoken" in form[: form.index("</form>")]
    assert "Sign out" in form[: form.index("</form>")]


def test_signing_in_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "alice", "password": "correct horse"})
    assert response.status_code == 403
