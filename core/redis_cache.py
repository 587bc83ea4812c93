"""Django's Redis cache backend, made to survive the loss of Redis.

With several app servers the caches of core/cache.py (figures under the data version, whole
public pages) live in one Redis (CACHE_URL), so that a page rendered by one server is served
by all. Everything cached there can be computed again from the database, so Redis is a
speed-up, never a dependency: Django's backend raises on a lost connection, and this one
instead answers as an empty cache (a get misses, a set is dropped), logs a warning once per
outage, and does not ask Redis again for `retry_after` seconds (an OPTIONS key, default 5),
so that an outage costs each worker one failed connection per interval, not one per call.
When Redis answers again, caching resumes and the log says so.

Its module imports no model: settings name it, and caches are built before apps may be.
"""

import logging
import time
from functools import wraps
from urllib.parse import urlsplit

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# When each Redis (by address) may next be asked, after a failure: shared by the caches of a
# process that use the same server, so that the pages cache learns of an outage from the
# figures cache.
_down_until: dict[str, float] = {}


def _survives(fallback):
    """Wrap a cache method: while Redis is down, or if it fails now, return fallback(args)."""

    def decorate(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            if _down_until.get(self.address, 0) > time.monotonic():
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except RedisError as error:
                self._went_down(error)
                return fallback(*args, **kwargs)
            if self.address in _down_until:
                del _down_until[self.address]
                logger.warning("Redis at %s answers again: caching resumes.", self.address)
            return result

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


def _none(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _all_keys(data, *args, **kwargs):
    return list(data)  # set_many's answer: the keys that were not stored


def _incr(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found: the cache is unreachable.")


def _without_password(url: str) -> str:
    """The server's address as the log may show it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("retry_after", 5))
        # A server that does not answer fails a call in half a second, not the OS's minutes.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self.address = ",".join(_without_password(url) for url in self._servers)

    def _went_down(self, error: Exception) -> None:
        if self.address not in _down_until:
            logger.warning(
                "Redis at %s is unreachable (%s): pages are served without the cache, from "
                "the database, and Redis is asked again every %g s.",
                self.address,
                error,
                self.retry_after,
            )
        _down_until[self.address] = time.monotonic() + self.retry_after

    get = _survives(_default)(RedisCache.get)
    set = _survives(_none)(RedisCache.set)
    add = _survives(_false)(RedisCache.add)
    touch = _survives(_false)(RedisCache.touch)
    delete = _survives(_false)(RedisCache.delete)
    has_key = _survives(_false)(RedisCache.has_key)
    incr = _survives(_incr)(RedisCache.incr)
    get_many = _survives(_empty)(RedisCache.get_many)
    set_many = _survives(_all_keys)(RedisCache.set_many)
    delete_many = _survives(_none)(RedisCache.delete_many)
    clear = _survives(_none)(RedisCache.clear)
