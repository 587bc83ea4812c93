"""What every test shares: an empty cache, pages rendered afresh, and the named people.

The people, one role each, as the model codebases name them, so that permission tests read
as prose (all are staff; password tests.factories.PASSWORD):

    alice    Editor       publishes, records follow-up changes, deletes what nothing needs
    bob      Analyst      enters records and drafts status updates
    charlie  Researcher   reads work in progress, changes nothing
    dave     no role      signed in, but sees and does only what the public does
    erin     Editor       a second editor, for two people editing at once
"""

from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connections, transaction

from tests.factories import load_two_texts, staff_member
from tests.mailbox import mailbox_serving


@pytest.fixture(scope="session", autouse=True)
def database_features(django_db_setup, django_db_blocker):
    """Django asks SQLite whether it has JSON once per connection, in three queries: ask
    before any test counts its own."""
    with django_db_blocker.unblock():
        for connection in connections.all():
            assert connection.features.supports_json_field


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a test's rolled-back data version must not
    meet the figures an earlier test cached under the same token."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def mailbox(settings):
    """A real SMTP server in the test process (tests/mailbox.py) that the app sends to."""
    box, controller = mailbox_serving(settings)
    yield box
    controller.stop()


@pytest.fixture
def alice(db):
    return staff_member("alice", "Editor")


@pytest.fixture
def bob(db):
    return staff_member("bob", "Analyst")


@pytest.fixture
def charlie(db):
    return staff_member("charlie", "Researcher")


@pytest.fixture
def dave(db):
    return staff_member("dave", None)


@pytest.fixture
def erin(db):
    return staff_member("erin", "Editor")


@contextmanager
def loaded_for_the_module(django_db_blocker, load):
    """What load() writes, for a module whose tests only read it: each test runs in a
    transaction of its own inside this one, which is rolled back after the module.
    (Module-scoped fixtures are set up before a test's db, so it is there first.)"""
    with django_db_blocker.unblock():
        module = transaction.atomic()
        module.__enter__()
        load()
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The whole demo dataset, loaded once for the module (loaded_for_the_module)."""
    with loaded_for_the_module(django_db_blocker, lambda: call_command("load_demo", verbosity=0)):
        yield


@pytest.fixture(scope="module")
def two_texts_data(django_db_setup, django_db_blocker):
    """The demo's two source documents, loaded once for the module (load_two_texts)."""
    with loaded_for_the_module(django_db_blocker, load_two_texts):
        yield


@pytest.fixture
def two_texts(two_texts_data, db):
    """The demo's two source documents (two_texts_data) for one test."""


@pytest.fixture
def demo(demo_data, db):
    """The demo dataset (demo_data) for one test."""
