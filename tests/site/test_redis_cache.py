"""Several app servers share their caches in Redis (CACHE_URL, core.redis_cache): pages are
kept there, and when Redis goes away pages are still served, from the database, with a
warning in the log, and caching resumes when it is back. Against a real Redis of the test's
own (never the machine's shared one), which the tests stop and start again."""

import logging
import shutil
import socket
import subprocess
import time

import pytest
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from core import redis_cache
from core.cache import public_page
from core.redis_cache import ResilientRedisCache

REDIS = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(not REDIS, reason="redis-server is not installed")


class Server:
    """A redis-server of the test's own on a free port, keeping nothing on disk."""

    def __init__(self, tmp_path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.dir, self.process = tmp_path, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def redis_server(tmp_path):
    server = Server(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()
    redis_cache._down_until.clear()


def redis_caches(url: str) -> dict:
    return {
        alias: {
            "BACKEND": "core.redis_cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-{alias}",
            "OPTIONS": {"retry_after": 0.2},
        }
        for alias in ("default", "pages")
    }


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "core.redis_cache"]


def test_the_cache_misses_while_redis_is_away_and_resumes_when_it_is_back(redis_server, caplog):
    cache = ResilientRedisCache(redis_server.url, {"OPTIONS": {"retry_after": 0.2}})
    cache.set("figure", 1)
    assert cache.get("figure") == 1

    redis_server.stop()
    caplog.set_level(logging.WARNING, logger="core.redis_cache")
    assert cache.get("figure") is None and cache.get("figure", "default") == "default"
    cache.set("figure", 2)  # dropped, without an error
    assert cache.get_many(["figure"]) == {} and cache.set_many({"a": 1}) == ["a"]
    assert not cache.add("other", 1) and not cache.delete("figure")
    (warning,) = warnings(caplog)  # once for the outage, not once a call
    assert "unreachable" in warning and f"127.0.0.1:{redis_server.port}" in warning

    redis_server.start()
    time.sleep(0.3)  # past retry_after
    cache.set("figure", 3)
    assert cache.get("figure") == 3
    assert "answers again" in warnings(caplog)[-1]


def test_the_address_in_the_log_has_no_password():
    cache = ResilientRedisCache("redis://:s3cret@127.0.0.1:1/2", {})
    assert cache.address == "redis://127.0.0.1:1/2"


def test_pages_are_kept_in_redis_and_served_from_the_database_without_it(
    redis_server, two_texts, client, caplog
):
    with override_settings(CACHES=redis_caches(redis_server.url), CACHE_PAGES=True):
        client.get("/outcomes/")
        with CaptureQueriesContext(connection) as kept:
            assert client.get("/outcomes/").status_code == 200
        assert len(kept) == 1  # the data version; the page came from Redis

        redis_server.stop()
        caplog.set_level(logging.WARNING, logger="core.redis_cache")
        with CaptureQueriesContext(connection) as fresh:
            response = client.get("/outcomes/")
        assert response.status_code == 200 and "Resumption of inter-Korean" in response.text
        assert len(fresh) > 1 and "unreachable" in warnings(caplog)[0]

        redis_server.start()
        time.sleep(0.3)
        client.get("/outcomes/")
        with CaptureQueriesContext(connection) as again:
            client.get("/outcomes/")
        assert len(again) == 1


@override_settings(CACHE_PAGES=True)
def test_a_page_that_holds_a_visitors_token_or_cookie_is_not_kept(db, rf: RequestFactory):
    from django.contrib.auth.models import AnonymousUser

    renders = []

    def view_with(extra):
        @public_page
        def view(request):
            renders.append(extra)
            response = HttpResponse(get_token(request) if extra == "token" else "plain")
            if extra == "cookie":
                response.set_cookie("seen", "1")
            return response

        return view

    for extra in ("token", "cookie", "plain"):
        view = view_with(extra)
        for _ in range(2):
            request = rf.get(f"/{extra}/")
            request.user = AnonymousUser()
            request._messages = []
            view(request)
    assert renders == ["token", "token", "cookie", "cookie", "plain"]
