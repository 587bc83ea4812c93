import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a test's rolled-back data version must not
    meet the figures an earlier test cached under the same token."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def render_pages(settings):
    """Pages are rendered afresh in tests, so that each test's query counts and contents
    are those of the page itself; tests/test_cache.py tests the cache of whole pages."""
    settings.CACHE_PAGES = False
