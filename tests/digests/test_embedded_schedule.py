"""`make run` has no Redis: it starts a Celery worker with beat on kombu's filesystem broker under
var/celery/ (CELERY_BROKER_URL=filesystem://), so scheduled email goes out there too. Here the same
broker, in a folder of the test's, carries a beat entry to a real worker thread."""

import datetime
import time

import pytest
from django.core import mail
from django.db import close_old_connections

from digests.models import Delivery
from portal.celery import app as celery_app
from tests.factories import StoryFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def forget_connections():
    """The app keeps its connection and producer pools for the broker it first used: start afresh."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def filesystem_worker(tmp_path, settings):
    from celery.contrib.testing.worker import start_worker

    conf = celery_app.conf
    previous = {
        name: conf[name] for name in ("broker_url", "broker_transport_options", "task_always_eager")
    }
    folder = str(tmp_path)
    conf.update(
        broker_url="filesystem://",
        broker_transport_options={
            "data_folder_in": folder, "data_folder_out": folder, "control_folder": f"{folder}/control",
            "store_processed": False,
        },
        task_always_eager=False,
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    forget_connections()
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        conf.update(previous)
        forget_connections()
        close_old_connections()


def test_the_digest_beat_entry_is_carried_out_by_the_worker(filesystem_worker, settings):
    person = UserFactory(time_zone="UTC")
    entry = settings.CELERY_BEAT_SCHEDULE["digests-plan"]
    monday_late = datetime.datetime(2026, 11, 23, 20, 0, tzinfo=datetime.UTC)
    StoryFactory(published_at=monday_late - datetime.timedelta(days=1))
    celery_app.send_task(entry["task"], args=[monday_late.isoformat()])  # what beat does on schedule
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [message.to for message in mail.outbox] == [[person.email]]
    assert Delivery.objects.get(user=person).status == Delivery.Status.SENT
