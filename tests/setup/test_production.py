"""The production start, for real: `make serve` with the settings from the environment,
gunicorn answering over real HTTP on loopback.

- behind a TLS-terminating proxy (HTTPS on, the proxy's header configured): plain HTTP is
  redirected, pages carry HSTS, the Content-Security-Policy and the other headers, cookies
  are secure, and /healthz answers a load balancer's probe by address over plain HTTP;
- served over plain HTTP (HTTPS=0, as locally): signing in works;
- without collected static files the start refuses, saying why; with the database
  unreachable /healthz says "failing" (503);
- `manage.py check --deploy` is clean in the production configuration.
"""

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

# The servers run on SQLite files of their own, whatever the suite's database.
pytestmark = pytest.mark.own_databases
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp: Path, **extra) -> dict:
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{tmp / 'production.sqlite3'}",
        "STATIC_ROOT": str(tmp / "static"),
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "ERROR",
        **extra,
    }


class Server:
    """A server process on a free port, with requests to it over real HTTP."""

    def __init__(self, command: list[str], env: dict):
        self.port = free_port()
        env = {**env, "PORT": str(self.port)}
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def wait(self, timeout: float = 90) -> "Server":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("the server stopped:\n" + self.process.stdout.read()[-3000:])
            try:
                self.get("/healthz")
                return self
            except OSError:
                time.sleep(0.3)
        raise AssertionError("the server did not answer in time")

    def request(self, method: str, path: str, headers=None, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.text = response.read().decode("utf-8", "replace")
        connection.close()
        return response

    def get(self, path: str, headers=None):
        return self.request("GET", path, headers)

    def stop(self) -> str:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        output, _ = self.process.communicate(timeout=30)
        return output


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory):
    """`make serve` as production runs it behind a proxy that terminates TLS."""
    tmp = tmp_path_factory.mktemp("behind-proxy")
    server = Server(["make", "serve"], production_env(tmp)).wait()
    yield server
    server.stop()


HTTPS = {"X-Forwarded-Proto": "https"}


def test_a_load_balancer_probe_by_address_over_plain_http_is_answered(behind_proxy):
    response = behind_proxy.get("/healthz", {"Host": "10.0.0.7"})
    assert response.status == 200
    assert json.loads(response.text)["status"] == "ok"
    assert response.getheader("Cache-Control") == "no-store"


def test_plain_http_is_sent_to_https(behind_proxy):
    response = behind_proxy.get("/")
    assert response.status == 301
    assert response.getheader("Location") == f"https://127.0.0.1:{behind_proxy.port}/"


def test_pages_carry_hsts_the_content_security_policy_and_the_other_headers(behind_proxy):
    response = behind_proxy.get("/", HTTPS)
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
    policy = response.getheader("Content-Security-Policy")
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("Referrer-Policy") == "same-origin"
    # The static files, collected and hashed, are served by the app itself.
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', response.text)
    assert stylesheet, "the page links a hashed stylesheet"
    css = behind_proxy.get(stylesheet.group(1), HTTPS)
    assert css.status == 200 and "max-age=315360000" in css.getheader("Cache-Control")


def test_cookies_are_sent_over_https_only(behind_proxy):
    response = behind_proxy.get("/accounts/login/", HTTPS)
    assert response.status == 200
    cookie = SimpleCookie(response.getheader("Set-Cookie"))
    assert cookie["csrftoken"]["secure"]


def test_an_unknown_host_is_refused_on_every_page_but_the_probe(behind_proxy):
    assert behind_proxy.get("/", {**HTTPS, "Host": "evil.example"}).status == 400


# --- Served over plain HTTP, as locally --------------------------------------------------------


def sign_in(server: Server, username: str, password: str):
    """Sign in through the real form, as a browser does: its CSRF cookie and token."""
    form = server.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    csrf = SimpleCookie(form.getheader("Set-Cookie"))["csrftoken"].value
    return server.request(
        "POST",
        "/accounts/login/",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://127.0.0.1:{server.port}/accounts/login/",
        },
        urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}),
    )


def test_over_plain_http_signing_in_works(tmp_path):
    env = production_env(tmp_path, HTTPS="0")
    subprocess.run(
        [str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    create = "from django.contrib.auth.models import User; User.objects.create_user('eve', password='a long passphrase', is_staff=True)"  # noqa: E501
    subprocess.run(
        [str(BIN / "python"), "manage.py", "shell", "-c", create], cwd=ROOT, env=env, check=True
    )
    server = Server(["make", "serve"], env).wait()
    try:
        assert server.get("/").status == 200  # no redirect to HTTPS
        response = sign_in(server, "eve", "a long passphrase")
        assert response.status == 302, response.text[-500:]
        session = SimpleCookie(response.getheader("Set-Cookie"))["sessionid"]
        assert not session["secure"]
        desk = server.get("/desk/", {"Cookie": f"sessionid={session.value}"})
        assert desk.status in (200, 403)  # signed in: eve has no role, so the desk says no
        assert "/accounts/login/" not in (desk.getheader("Location") or "")
    finally:
        server.stop()


# --- The demo, `make run`, as a visitor sees it --------------------------------------------------


def test_the_demo_serves_the_site_as_a_visitor_sees_it_with_its_accounts(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "SQLITE_PATH": str(tmp_path / "demo.sqlite3"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "WEB_CONCURRENCY": "1",
    }
    server = Server(["make", "run"], env).wait(180)
    try:
        overview = server.get("/")
        assert overview.status == 200  # over plain HTTP, no redirect
        assert "What summits promised, and what happened since" in overview.text
        # A mistyped address gets the site's own 404 page, not Django's list of every URL.
        missing = server.get("/summits/no-such-summit-at-all/")
        assert missing.status == 404
        assert "Page not found · Summit Outcome Tracker" in missing.text
        assert "URLconf" not in missing.text and "DEBUG = True" not in missing.text
        # Static files collected with hashed names and served by the app, as in production.
        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', overview.text)
        assert stylesheet, "the page links a hashed stylesheet"
        assert server.get(stylesheet.group(1)).status == 200
        # The demo accounts it printed sign in.
        response = sign_in(server, "analyst", "analyst-demo")
        assert response.status == 302, response.text[-500:]
    finally:
        output = server.stop()
    assert "analyst-demo" in output
    assert (tmp_path / "demo.sqlite3").exists()


# --- Refusals ----------------------------------------------------------------------------------


def gunicorn() -> list[str]:
    """gunicorn as `make serve` starts it, on the port the Server picked."""
    return ["sh", "-c", f"exec {BIN / 'gunicorn'} config.wsgi --preload --bind 127.0.0.1:$PORT"]


def test_the_start_refuses_without_static_files_saying_why(tmp_path):
    server = Server(gunicorn(), production_env(tmp_path))
    output = server.process.communicate(timeout=60)[0]
    assert server.process.returncode != 0
    assert "Static files have not been collected" in output and "collectstatic" in output


def test_the_probe_says_failing_when_the_database_is_unreachable(tmp_path):
    env = production_env(tmp_path, DATABASE_URL=f"postgres://nobody@127.0.0.1:{free_port()}/x")
    subprocess.run(
        [str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = Server(gunicorn(), env).wait()
    try:
        response = server.get("/healthz", {"Host": "10.0.0.7"})
        assert response.status == 503
        body = json.loads(response.text)
        assert body["status"] == "failing"
        assert body["checks"]["database"].startswith("unreachable")
    finally:
        server.stop()


def test_check_deploy_is_clean_in_the_production_configuration(tmp_path):
    env = production_env(tmp_path)
    manage = [str(BIN / "python"), "manage.py"]
    missing = subprocess.run(
        [*manage, "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert missing.returncode != 0 and "core.E001" in missing.stderr
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    result = subprocess.run(
        [*manage, "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
