import datetime
import os
import uuid
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.cache import caches
from django.utils import translation

from portal.celery import app as celery_app
from portal.models import Team, User

from .factories import TeamFactory, UserFactory


@pytest.fixture(autouse=True, scope="session")
def _test_clock():
    """`LIFELINE_TEST_NOW=2027-03-01T09:00Z make test` runs the whole suite as if it were that moment
    (the clock still moves), so CI can prove that no test depends on the day it runs. Tests where a
    date matters freeze their own moment inside it (`frozen_at`)."""
    when = os.environ.get("LIFELINE_TEST_NOW")
    if not when:
        yield
        return
    with time_machine.travel(datetime.datetime.fromisoformat(when), tick=True):
        yield


def frozen_at(moment, *, tick=True):
    """A fixture that runs each test of a module at `moment` (an aware datetime), the clock moving on
    from there: `now = pytest.fixture(autouse=True)(frozen_at(NOW))`."""

    def fixture():
        with time_machine.travel(moment, tick=tick):
            yield moment

    return fixture


def redis_database(url):
    """The database number in a redis:// URL (0 when it names none); None for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return None
    path = parts.path.strip("/")
    return int(path) if path.isdigit() else 0


def cache_database(cache, broker, worker):
    """The Redis database the cache of test process `worker` (0, 1, … under pytest-xdist) uses: counting
    down from the configured one, one each, never the broker's. Every test empties its cache (FLUSHDB),
    and a process that emptied the broker's database would drop the tasks another process's worker
    thread is waiting for."""
    free = [(cache - step) % 16 for step in range(16) if (cache - step) % 16 != broker]
    return free[worker % len(free)]


@pytest.fixture(autouse=True, scope="session")
def _cache_of_this_worker():
    """With the cache in Redis, each test process uses a Redis database of its own (cache_database), so
    one emptying its cache never empties another's, nor the broker's queues."""
    from django.conf import settings
    from django.test import override_settings

    default = settings.CACHES["default"]
    if "redis" not in default["BACKEND"]:
        yield
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker[2:]) if worker.startswith("gw") else 0
    database = cache_database(redis_database(default["LOCATION"]), redis_database(settings.CELERY_BROKER_URL), index)
    location = urlsplit(default["LOCATION"])._replace(path=f"/{database}").geturl()
    with override_settings(CACHES={**settings.CACHES, "default": {**default, "LOCATION": location}}):
        yield


@pytest.fixture(autouse=True)
def _english():
    """Tests read English unless they switch language themselves."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Pages keep some figures and HTML in the cache (the scorecard), and each worker its last
    fragments in memory; every test starts without them."""
    for alias in ("default", "template_fragments"):
        caches[alias].clear()
    yield
    for alias in ("default", "template_fragments"):
        caches[alias].clear()


@pytest.fixture
def as_worker(settings):
    """`with as_worker("a"):` — what follows runs with worker "a"'s own fragment memory, as a second
    gunicorn worker would (the shared cache and the database are the same for all)."""
    import contextlib

    @contextlib.contextmanager
    def worker(name):
        previous = settings.CACHES
        settings.CACHES = {
            **previous, "template_fragments": {**previous["template_fragments"], "LOCATION": f"worker-{name}"}
        }
        try:
            yield caches["template_fragments"]
        finally:
            settings.CACHES = previous

    return worker


@pytest.fixture(autouse=True)
def _eager_tasks(settings):
    """Unit tests run tasks in-process; the integration tests start a real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def celery_worker_thread(settings):
    """A real Celery worker thread consuming a queue of its own (so no other test run's worker takes our
    tasks), for the tests that run against a real Redis broker."""
    from celery.contrib.testing.worker import start_worker
    from django.db import close_old_connections

    queue = f"test-{uuid.uuid4().hex[:8]}"
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_default_queue = queue
    try:
        with start_worker(
            celery_app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue], shutdown_timeout=30
        ):
            yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        close_old_connections()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def finance(db):
    return TeamFactory(name="Finance", slug="finance")


@pytest.fixture
def it_team(db):
    return TeamFactory(name="IT", slug="it")


@pytest.fixture
def success_team(db):
    return TeamFactory(name="Customer Success", slug="customer-success", kind=Team.Kind.CUSTOMER_FACING)


@pytest.fixture
def leader(finance):
    return UserFactory(name="Grace Okafor", email="grace@example.com", team=finance, role=User.Role.LEADER)


@pytest.fixture
def staff(finance):
    return UserFactory(name="Minh Anh", email="minhanh@example.com", team=finance, role=User.Role.STAFF)


@pytest.fixture
def host(success_team):
    return UserFactory(name="Sam Carter", email="sam@example.com", team=success_team, role=User.Role.HOST)


@pytest.fixture
def admin_user(db):
    return UserFactory(name="Ada Admin", email="ada@example.com", team=None, is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(it_team):
    """Signed in, but in another team with no special role."""
    return UserFactory(name="Noa Levi", email="noa@example.com", team=it_team, role=User.Role.STAFF)


PERSONAS = ["leader", "staff", "host", "admin_user", "outsider"]


@pytest.fixture
def as_user(client):
    """Sign the test client in as someone: `as_user(leader)`."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
