"""The suite runs in several processes (pytest-xdist) against one Redis server: every test empties its
cache, and that must never empty another process's cache or the broker's queues (a queued task lost there
is an email a worker-thread test waits for in vain)."""

import os
import uuid

import pytest
from django.core.cache import caches

from portal.celery import app as celery_app
from tests.conftest import cache_database, redis_database


@pytest.mark.parametrize(("cache", "broker"), [(15, 15), (1, 0), (0, 0), (3, None)])
def test_each_process_gets_a_cache_database_of_its_own_never_the_brokers(cache, broker):
    chosen = [cache_database(cache, broker, worker) for worker in range(8)]
    assert broker not in chosen
    assert len(set(chosen)) == len(chosen)


def test_a_cache_configured_apart_from_the_broker_stays_where_it_was_put():
    assert cache_database(1, 0, 0) == 1
    assert cache_database(15, 15, 0) == 14


def test_the_database_is_read_from_the_url():
    assert redis_database("redis://127.0.0.1:6379/15") == 15
    assert redis_database("redis://redis:6379") == 0
    assert redis_database("rediss://:secret@cache.example:6380/2?ssl_cert_reqs=none") == 2
    assert redis_database("memory://") is None


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis broker)")
def test_emptying_the_cache_leaves_the_brokers_queues_alone():
    name = f"test-{uuid.uuid4().hex[:8]}"
    with celery_app.connection_for_write() as connection:
        queue = connection.SimpleQueue(name)
        try:
            queue.put({"task": "waiting"})
            caches["default"].clear()
            assert queue.qsize() == 1
            assert queue.get(timeout=1).payload == {"task": "waiting"}
        finally:
            queue.clear()
            queue.close()
