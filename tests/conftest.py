"""What every test shares: an empty cache, pages rendered afresh, and the named people.

The people, one role each, as the model codebases name them, so that permission tests read
as prose (all are staff; password tests.factories.PASSWORD):

    alice    Editor       publishes, records follow-up changes, deletes what nothing needs
    bob      Analyst      enters records and drafts status updates
    charlie  Researcher   reads work in progress, changes nothing
    dave     no role      signed in, but sees and does only what the public does
    erin     Editor       a second editor, for two people editing at once
"""

import pytest

from tests.factories import staff_member


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
