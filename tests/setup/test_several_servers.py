"""Two app servers (two gunicorn processes on their own ports) on one PostgreSQL database and
the machine's Redis (CACHE_URL), as several servers run behind a load balancer: a page is
rendered once for both; a status entry recorded through one is on the other's pages at once;
a session begun on one is known to the other; signed-in staff are never served a kept page.

It runs in the PostgreSQL suite (DATABASE_URL set to PostgreSQL), in a database of its own,
and uses a Redis database number of its own; keys carry the data version, which is new for
every database, so nothing it keeps meets anything else's."""

import os
import re
import subprocess
import uuid
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest

from tests.setup.test_production import BIN, ROOT, Server, gunicorn, production_env, sign_in

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("TEST_CACHE_URL", "redis://127.0.0.1:6379/7")
pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres"), reason="runs in the PostgreSQL suite"
)


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("two-servers")
    url = urlsplit(DATABASE_URL)
    name = f"tracker_two_servers_{uuid.uuid4().hex[:8]}"
    admin = {"PGHOST": url.hostname, "PGPORT": str(url.port or 5432), "PGUSER": url.username}
    subprocess.run(["createdb", name], env={**os.environ, **admin}, check=True)
    env = production_env(
        tmp,
        DATABASE_URL=url._replace(path=f"/{name}").geturl(),
        CACHE_URL=REDIS_URL,
        HTTPS="0",
    )
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "generate_synthetic", "--outcomes", "20")
        editor = (
            "from django.contrib.auth.models import Group, User; "
            "u = User.objects.create_user('ed', password='a long passphrase', is_staff=True); "
            "u.groups.add(Group.objects.get(name='Editor'))"
        )
        manage(env, "shell", "-c", editor)
        slug = manage(
            env,
            "shell",
            "-v0",
            "-c",
            "from outcomes.models import Outcome; print(Outcome.objects.order_by('pk')[0].slug)",
        ).splitlines()[-1]
        servers = [Server(gunicorn(), env).wait(), Server(gunicorn(), env).wait()]
        try:
            yield servers, f"/outcomes/{slug}/"
        finally:
            for server in servers:
                server.stop()
    finally:
        subprocess.run(["dropdb", "--force", name], env={**os.environ, **admin}, check=True)


def test_a_page_is_rendered_once_for_both_servers(two_servers):
    (one, other), page = two_servers
    first = one.get(page)
    assert first.status == 200 and first.getheader("X-Cache") == "miss"
    second = other.get(page)
    assert second.status == 200 and second.getheader("X-Cache") == "hit"
    assert second.text == first.text


def test_an_entry_recorded_through_one_is_on_the_others_pages_at_once(two_servers):
    (one, other), page = two_servers
    other.get(page)  # kept, before the change
    session = sign_in(one, "ed", "a long passphrase")
    assert session.status == 302, session.text[-500:]
    cookie = SimpleCookie(session.getheader("Set-Cookie"))["sessionid"].value
    # A session begun on one server is known to the other: the desk opens there.
    assert other.get("/desk/", {"Cookie": f"sessionid={cookie}"}).status == 200

    form_url = f"/desk{page}update/"
    form = one.get(form_url, {"Cookie": f"sessionid={cookie}"})
    assert form.status == 200, form.text[-500:]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    csrf = SimpleCookie(form.getheader("Set-Cookie"))["csrftoken"].value
    source = re.search(r'name="sources" value="(\d+)"', form.text).group(1)
    summary = f"Stalled, recorded through one server ({uuid.uuid4().hex[:6]})."
    fields = {
        "status": "stalled",
        "effective_date": "2026-01-15",
        "effective_date_precision": "day",
        "summary": summary,
        "sources": source,
        "new_source_kind": "news",  # the form's choice for a new source, left as it is
        "publish_now": "on",
        "csrfmiddlewaretoken": token,
    }
    saved = one.request(
        "POST",
        form_url,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={cookie}; csrftoken={csrf}",
            "Referer": f"http://127.0.0.1:{one.port}{form_url}",
        },
        urlencode(fields),
    )
    assert saved.status == 302, re.findall(r"errorlist[^>]*>(.*?)</ul>", saved.text, re.S)

    seen = other.get(page)
    assert seen.status == 200 and seen.getheader("X-Cache") == "miss"  # the new version
    assert summary in seen.text

    # Signed in, the editor gets the page rendered for them, never the visitors' copy.
    staff = other.get(page, {"Cookie": f"sessionid={cookie}"})
    assert staff.status == 200 and staff.getheader("X-Cache") is None
    assert summary in staff.text and "Sign out" in staff.text
