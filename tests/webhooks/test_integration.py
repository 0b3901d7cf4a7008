"""Against real Redis and a real Celery worker in this process, with the local stand-in for Slack: a
429 is retried after its Retry-After by the worker, and a task delivered twice posts once.

Runs when REDIS_URL is set (CI sets it); skipped otherwise."""

import os
import time

import pytest

from stories import services as stories
from tests.factories import StoryFactory
from webhooks.models import Delivery
from webhooks.tasks import post_task

pytestmark = [
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis broker)"),
    pytest.mark.django_db(transaction=True),
]


def wait_for(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


class TestWithRedisAndAWorker:
    def test_the_worker_waits_for_retry_after_then_posts_once(
        self, receiver, make_channel, customer, publisher, celery_worker_thread
    ):
        make_channel("#stories")
        receiver.answer((429, {"Retry-After": "2"}))
        draft = StoryFactory(customer=customer, author=publisher, status="draft", published_at=None)
        stories.story_publish(by=publisher, story=draft)
        assert wait_for(lambda: Delivery.objects.filter(status="sent").exists())
        first, second = [r.at for r in receiver.requests]
        assert second - first >= 1.9
        delivery = Delivery.objects.get()
        assert (delivery.attempts, delivery.response_code) == (2, 200)
        # A duplicated task (Redis delivers at least once) posts nothing more.
        post_task.delay(delivery.pk)
        time.sleep(1.5)
        assert len(receiver.requests) == 2
