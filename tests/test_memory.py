"""Remembered feed validators and catalog rankings, through Flask-Caching (memory.py).

Each worker's own memory (SimpleCache) and Redis (CACHE_REDIS_URL); a Redis outage only costs
the work the cache would have saved.
"""

import logging
import os
import uuid
from array import array
from datetime import UTC, datetime

import pytest
import redis
import time_machine
from flask import Flask

from learning_platform import memory
from learning_platform.calendar.feeds import Validator
from learning_platform.extensions import cache
from tests.conftest import IN_CI, statements_of
from tests.test_workspace import in_days

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def bare_app(**settings) -> Flask:
    app = Flask(__name__)
    app.config.update(
        {
            "FEED_VALIDATOR_SECONDS": 10,
            "CATALOG_RANKING_SECONDS": 10,
            "CACHE_REDIS_URL": "",
            "CACHE_KEY_PREFIX": "learning_platform:",
            "CACHE_THRESHOLD": 1000,
            **settings,
        }
    )
    cache.init_app(app, config=memory.cache_settings(app.config))
    return app


def counting(calls: list, value):
    def work_out():
        calls.append(value)
        return value

    return work_out


def remember(key: str, work_out, seconds: float = 10):
    return memory.remembered("test", key, seconds, work_out, dump=list, load=tuple)


def test_a_value_is_worked_out_once_until_it_expires():
    calls: list = []
    moment = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with time_machine.travel(moment, tick=False) as clock, bare_app().app_context():
        assert remember("a", counting(calls, (1, 2))) == (1, 2)
        assert remember("a", counting(calls, (1, 2))) == (1, 2)
        assert remember("b", counting(calls, (3,))) == (3,)
        clock.shift(9)
        remember("a", counting(calls, (1, 2)))
        assert calls == [(1, 2), (3,)]
        clock.shift(2)
        remember("a", counting(calls, (1, 2)))
        assert calls == [(1, 2), (3,), (1, 2)]


def test_nothing_is_remembered_at_zero_seconds():
    calls: list = []
    app = bare_app(FEED_VALIDATOR_SECONDS=0, CATALOG_RANKING_SECONDS=0)
    with app.app_context():
        assert type(cache.cache).__name__ == "NullCache"
        remember("x", counting(calls, (1,)), seconds=0)
        remember("x", counting(calls, (1,)), seconds=0)
    assert calls == [(1,), (1,)]


def test_validators_and_rankings_come_back_as_they_went_in():
    validator = Validator('"abc"', datetime(2026, 3, 1, 12, 30, tzinfo=UTC), ("Changwon City",))
    ranking = array("q", [5, 3, 2**40])
    with bare_app().app_context():
        for _ in range(2):  # worked out, then read back from the cache
            got = memory.remembered(
                "v", "k", 10, lambda: validator, dump=Validator.dump, load=Validator.load
            )
            assert got == validator
            got = memory.remembered(
                "r", "k", 10, lambda: ranking, dump=array.tolist, load=lambda ids: array("q", ids)
            )
            assert got == ranking


def test_a_value_of_another_shape_is_worked_out_again():
    validator = Validator('"abc"', datetime(2026, 3, 1, 12, 30, tzinfo=UTC))
    with bare_app().app_context():
        for stored in (["an older shape"], {"etag": "x"}, [1, "not a time", []]):
            cache.set(f"v:{_hashed('k')}", stored)
            got = memory.remembered(
                "v", "k", 10, lambda: validator, dump=Validator.dump, load=Validator.load
            )
            assert got == validator


def _hashed(key: str) -> str:
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()[:32]


# Redis ------------------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    """Redis at TEST_REDIS_URL: skipped when it is down, except in CI, where that fails."""
    client = redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"Redis is required in CI: {error}")
        pytest.skip(f"Redis not available: {error}")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url):
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"lp-test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


def test_redis_keeps_namespaced_keys_of_bounded_size(redis_url, redis_prefix):
    app = bare_app(CACHE_REDIS_URL=redis_url, CACHE_KEY_PREFIX=redis_prefix)
    calls: list = []
    with app.app_context():
        key = "all|" + "x" * 5000
        assert remember(key, counting(calls, (1, 2))) == (1, 2)
        assert remember(key, counting(calls, (1, 2))) == (1, 2)
    assert calls == [(1, 2)]
    client = redis.from_url(redis_url)
    [name] = list(client.scan_iter(match=f"{redis_prefix}*"))
    assert name.decode() == f"{redis_prefix}test:{_hashed(key)}"
    assert 0 < client.ttl(name) <= 10
    assert client.get(name) == b"[1, 2]"  # JSON, never a pickle
    client.close()


@pytest.mark.parametrize("path", ["/feeds/all.ics", "/feeds/partners/{slug}.ics"])
def test_two_workers_share_a_feed_validator_through_redis(
    make_app, redis_url, redis_prefix, make_partner, make_offering, path
):
    settings = {
        "FEED_VALIDATOR_SECONDS": 10,
        "CACHE_REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": redis_prefix,
    }
    first, second = make_app(**settings), make_app(**settings)
    partner = make_partner()
    make_offering(partner, status="published", sessions=[in_days(3)])
    path = path.format(slug=partner.slug)
    etag = first.test_client().get(path).headers["ETag"]
    with statements_of(second) as statements:
        again = second.test_client().get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert statements == []  # the other worker's validator, from Redis


def test_catalog_rankings_are_shared_through_redis(
    make_app, redis_url, redis_prefix, make_partner, make_offering
):
    settings = {
        "CATALOG_RANKING_SECONDS": 10,
        "CACHE_REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": redis_prefix,
    }
    first, second = make_app(**settings), make_app(**settings)
    partner = make_partner()
    make_offering(partner, status="published", sessions=[in_days(3)], title="Rain gardens")
    assert "Rain gardens" in first.test_client().get("/offerings").get_data(as_text=True)
    make_offering(partner, status="published", sessions=[in_days(4)], title="Tree walk")
    page = second.test_client().get("/offerings").get_data(as_text=True)
    assert "Rain gardens" in page
    assert "Tree walk" not in page  # the ranking the first worker stored, for a few seconds


def test_a_redis_outage_only_costs_the_saved_work(make_app, make_partner, make_offering, caplog):
    # Nothing listens on port 1: every connection is refused.
    app = make_app(
        FEED_VALIDATOR_SECONDS=10,
        CATALOG_RANKING_SECONDS=10,
        CACHE_REDIS_URL="redis://127.0.0.1:1/0",
    )
    client = app.test_client()
    partner = make_partner()
    make_offering(partner, status="published", sessions=[in_days(3)], title="Rain gardens")
    with caplog.at_level(logging.WARNING):
        feed = client.get("/feeds/all.ics")
        assert feed.status_code == 200
        assert b"Rain gardens" in feed.get_data()
        again = client.get("/feeds/all.ics", headers={"If-None-Match": feed.headers["ETag"]})
        assert again.status_code == 304
        assert "Rain gardens" in client.get("/offerings").get_data(as_text=True)
    warnings = [r for r in caplog.records if "Cache unavailable" in r.getMessage()]
    assert len(warnings) == 1  # then the worker leaves Redis alone for a while
