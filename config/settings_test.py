"""The test suite's settings: the app's own (config.settings, from the environment), with
what makes tests fast and each one's pages its own."""

from config.settings import *  # noqa: F403

# Hashing passwords the real way costs ~0.2 s per sign-in; tests only need them to match.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Pages are rendered afresh, so that each test's query counts and contents are those of the
# page itself; tests/site/test_cache.py turns the page cache on where it tests it.
CACHE_PAGES = False

# No connection outlives its request: a live server's threads would otherwise keep theirs
# open for a minute, and PostgreSQL refuses to drop a test database someone is still using.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
