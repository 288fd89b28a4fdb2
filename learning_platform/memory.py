"""Values worked out once and shared for a few seconds, through Flask-Caching.

Feed validators and catalog rankings are remembered here: in Redis when CACHE_REDIS_URL is set
(every worker then shares them), else in each worker's memory (at most CACHE_THRESHOLD values).
Values are stored as JSON, never pickled, so whoever can write to Redis cannot make the app run
code. Redis is only a shortcut: when it fails, the value is worked out again.
"""

import hashlib
import math
from collections.abc import Callable, Mapping
from time import monotonic
from typing import Any, TypeVar

from cachelib.serializers import JSONSerializer
from flask import current_app
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from learning_platform.extensions import cache

T = TypeVar("T")

#: After Redis fails, a worker leaves it alone this long: an outage costs one failed attempt
#: per worker, not a connection attempt (and a log line) per request.
PAUSE_AFTER_FAILURE = 30.0
#: A remembered value only saves work; a slow Redis must not hold a request up.
REDIS_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
    "retry": Retry(NoBackoff(), 0),
}


def cache_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """Flask-Caching's settings: Redis when CACHE_REDIS_URL is set, else each worker's memory;
    no store at all when nothing is remembered (the tests' default)."""
    seconds = ("FEED_VALIDATOR_SECONDS", "CATALOG_RANKING_SECONDS", "IMPACT_PAGE_SECONDS")
    if all(config.get(name, 0) <= 0 for name in seconds):
        return {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}
    common = {"CACHE_KEY_PREFIX": config["CACHE_KEY_PREFIX"], "CACHE_SERIALIZER": JSONSerializer}
    if config["CACHE_REDIS_URL"]:
        return {
            **common,
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": config["CACHE_REDIS_URL"],
            "CACHE_OPTIONS": dict(REDIS_OPTIONS),
        }
    return {**common, "CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": config["CACHE_THRESHOLD"]}


def remembered(
    namespace: str,
    key: str,
    seconds: float,
    work_out: Callable[[], T],
    *,
    dump: Callable[[T], Any],
    load: Callable[[Any], T],
) -> T:
    """`work_out()`, remembered for `seconds` under `key` in `namespace`.

    `dump` turns the value into JSON data and `load` turns that back. With `seconds` at 0 or
    below nothing is remembered (the tests' default).
    """
    if seconds <= 0 or current_app.extensions.get("memory_paused_until", 0.0) > monotonic():
        return work_out()
    # Keys are made of query strings: hashed, every key takes the same few bytes.
    name = f"{namespace}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    try:
        stored = cache.get(name)
    except RedisError as error:
        _pause(error)
        return work_out()
    if stored is not None:
        try:
            return load(stored)
        except (KeyError, TypeError, ValueError):
            pass  # stored by another version of the app: worked out again below
    value = work_out()
    try:
        cache.set(name, dump(value), timeout=math.ceil(seconds))
    except RedisError as error:
        _pause(error)
    return value


def _pause(error: RedisError) -> None:
    current_app.extensions["memory_paused_until"] = monotonic() + PAUSE_AFTER_FAILURE
    current_app.logger.warning(
        "Cache unavailable (%s); working values out without it for %d s",
        error,
        PAUSE_AFTER_FAILURE,
    )
