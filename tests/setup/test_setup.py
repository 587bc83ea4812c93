"""Configuration from the environment, and the local-only demo superuser."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**environ):
    """Import the settings in a fresh interpreter with exactly this environment."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **environ}
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], settings.ALLOWED_HOSTS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_with_nothing_set_it_runs_in_debug_on_sqlite():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True django.db.backends.sqlite3")


def test_without_debug_it_refuses_to_start_without_a_secret_key():
    result = load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_database_url_and_allowed_hosts_come_from_the_environment():
    result = load_settings(
        DEBUG="false",
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://someone@db.example:5432/tracker",
        ALLOWED_HOSTS="tracker.example, www.tracker.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False django.db.backends.postgresql ['tracker.example', 'www.tracker.example']"
    )


def test_the_demo_runs_without_debug_on_the_embedded_file_only():
    result = load_settings(DEMO="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False django.db.backends.sqlite3")
    assert "127.0.0.1" in result.stdout
    refused = load_settings(DEMO="1", DATABASE_URL="postgres://someone@db.example:5432/tracker")
    assert refused.returncode != 0
    assert "DEMO=1 runs the demo on the embedded SQLite file" in refused.stderr


def test_a_misspelt_boolean_is_refused_rather_than_guessed():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(("debug", "demo"), [(True, False), (False, True)])
def test_one_demo_account_per_role_is_created_once_on_the_local_sqlite_database(
    settings, capsys, debug, demo
):
    settings.DEBUG, settings.DEMO, settings.USING_DEFAULT_DATABASE = debug, demo, True
    call_command("create_demo_accounts", url="http://127.0.0.1:8000/")
    call_command("create_demo_accounts")
    users = {u.username: u for u in get_user_model().objects.prefetch_related("groups")}
    assert set(users) == {"admin", "analyst", "editor", "researcher"}
    assert users["admin"].is_superuser and users["admin"].check_password("admin")
    for role in ("analyst", "editor", "researcher"):
        user = users[role]
        assert not user.is_superuser and user.is_staff
        assert [g.name for g in user.groups.all()] == [role.capitalize()]
        assert user.check_password(f"{role}-demo")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/accounts/login/" in out
    assert "editor-demo" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("debug", "demo", "default_database"),
    [(False, False, True), (True, False, False), (False, True, False), (False, False, False)],
)
def test_demo_accounts_are_never_created_elsewhere(settings, debug, demo, default_database):
    settings.DEBUG, settings.DEMO, settings.USING_DEFAULT_DATABASE = debug, demo, default_database
    with pytest.raises(CommandError, match="only created on the default SQLite"):
        call_command("create_demo_accounts")
    assert not get_user_model().objects.exists()
