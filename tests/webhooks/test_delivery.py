"""Each item reaches each channel once: retried on 429 (after its Retry-After), 5xx and network errors,
never posted twice by a task that runs twice, and a channel that keeps refusing is disabled with a
notice to the admins. A failing post never turns the write that caused it into an error."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.models import PendingTask
from stories import services as stories
from tests.factories import StoryFactory, UserFactory
from webhooks import services
from webhooks.models import Channel, Delivery
from webhooks.services import deliveries_plan, retry_delay
from webhooks.tasks import announce_task, post_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(customer, publisher):
    story = StoryFactory(customer=customer, author=publisher, title="Ken's crew kept its schedule")
    return story


@pytest.fixture
def planned(make_channel, story):
    """A channel and this story's pending delivery to it."""
    channel = make_channel()
    [delivery_id] = deliveries_plan(kind="story_published", pk=story.pk)
    return channel, delivery_id


@pytest.fixture
def countdowns(monkeypatch):
    """The countdowns post_task asked Celery to wait before each retry. Eager runs retry at once, in the
    same call, as a worker would after the countdown (a retry is not an error to propagate here)."""
    from portal.celery import app

    previous = app.either("task_eager_propagates", None)
    app.conf.task_eager_propagates = False
    asked = []
    original = post_task.retry

    def spy(*args, **kwargs):
        asked.append(kwargs.get("countdown"))
        return original(*args, **kwargs)

    monkeypatch.setattr(post_task, "retry", spy)
    yield asked
    app.conf.task_eager_propagates = previous


@pytest.fixture
def announce(django_capture_on_commit_callbacks):
    """Run announce_task and the posts it enqueues after commit, as a worker would."""

    def announce(kind, pk):
        with django_capture_on_commit_callbacks(execute=True):
            return announce_task.apply(args=[kind, pk]).get()

    return announce


class TestRetries:
    def test_a_429_is_retried_after_its_retry_after(self, receiver, planned, countdowns):
        receiver.answer((429, {"Retry-After": "7"}))
        assert post_task.apply(args=[planned[1]]).get() == "sent"
        assert len(receiver.requests) == 2
        assert countdowns == [7]
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("sent", 2, 200)

    def test_5xx_is_retried_with_backoff(self, receiver, planned, countdowns):
        receiver.answer(500, 503)
        assert post_task.apply(args=[planned[1]]).get() == "sent"
        assert len(receiver.requests) == 3
        assert countdowns == [30, 60]

    def test_it_gives_up_after_the_last_retry(self, receiver, planned, countdowns):
        receiver.answer(*[500] * 10)
        post_task.apply(args=[planned[1]])
        assert len(receiver.requests) == services.MAX_RETRIES + 1
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.response_code) == ("failed", 500)
        assert "server_error" in delivery.last_error
        assert Channel.objects.get().enabled  # a service that is down is not a refusal

    def test_a_network_error_is_retried(self, receiver, make_channel, story, countdowns):
        make_channel(url="http://127.0.0.1:9/services/nothing-listens-here")
        [delivery_id] = deliveries_plan(kind="story_published", pk=story.pk)
        post_task.apply(args=[delivery_id])
        delivery = Delivery.objects.get()
        assert delivery.status == "failed" and delivery.response_code is None
        assert "ConnectionError" in delivery.last_error
        assert len(countdowns) == services.MAX_RETRIES

    def test_retry_after_may_be_a_date_and_is_capped(self):
        now = timezone.now().replace(microsecond=0)
        later = (now + datetime.timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
        assert retry_delay(retries=0, retry_after=later, now=now) == 90
        assert retry_delay(retries=0, retry_after="86400") == 3600
        assert retry_delay(retries=0, retry_after="0") == 1
        assert retry_delay(retries=2, retry_after="soon") == 120
        assert retry_delay(retries=9) == 30 * 60


class TestExactlyOnce:
    def test_running_the_post_twice_posts_once(self, receiver, planned):
        assert post_task.apply(args=[planned[1]]).get() == "sent"
        assert post_task.apply(args=[planned[1]]).get() == "taken"
        assert len(receiver.requests) == 1

    def test_announcing_twice_posts_once(self, receiver, make_channel, story, announce):
        make_channel()
        announce("story_published", story.pk)
        announce("story_published", story.pk)
        assert len(receiver.requests) == 1
        assert Delivery.objects.count() == 1

    def test_publishing_again_does_not_post_again(self, receiver, make_channel, story, publisher, announce,
                                                  django_capture_on_commit_callbacks):
        make_channel()
        announce("story_published", story.pk)
        with django_capture_on_commit_callbacks(execute=True):
            stories.story_unpublish(by=publisher, story=story)
            stories.story_publish(by=publisher, story=story)
        assert len(receiver.requests) == 1

    def test_each_channel_gets_its_own(self, receiver, make_channel, story, announce):
        make_channel("#one")
        make_channel("#two", service=Channel.Service.TEAMS)
        announce("story_published", story.pk)
        assert sorted(r.path.split("/")[-1] for r in receiver.requests) == ["one-secret-token", "two-secret-token"]


class TestNeverFailsTheWrite:
    """Without Celery the post runs in-process after the commit: once, then it is recorded for later."""

    pytestmark = pytest.mark.django_db(transaction=True)

    def test_publishing_answers_while_slack_is_down(self, receiver, make_channel, customer, publisher, as_user):
        make_channel()
        draft = StoryFactory(customer=customer, author=publisher, status="draft", published_at=None)
        receiver.answer(503)
        response = as_user(publisher).post(reverse("stories:publish", args=[draft.pk]), follow=True)
        assert response.status_code == 200
        draft.refresh_from_db()
        assert draft.is_published
        assert len(receiver.requests) == 1
        assert Delivery.objects.get().status == "pending"
        assert PendingTask.objects.get().task == "webhooks.tasks.post_task"
        call_command("retry_tasks")  # Slack is back (the receiver answers 200 now)
        call_command("retry_tasks")
        assert len(receiver.requests) == 2
        assert Delivery.objects.get().status == "sent"
        assert not PendingTask.objects.exists()


class TestDisabling:
    def refuse(self, receiver, announce, stories_, code=404):
        receiver.answer(*[code] * len(stories_))
        for story in stories_:
            announce("story_published", story.pk)

    def test_five_refusals_in_a_row_disable_the_channel_and_tell_the_admins(
        self, receiver, make_channel, customer, admin_user, announce
    ):
        channel = make_channel()
        other_admin = UserFactory(email="root@example.com", is_staff=True, language="ar")
        UserFactory(email="staff@example.com")
        many = StoryFactory.create_batch(6, customer=customer)
        self.refuse(receiver, announce, many[:4])
        assert Channel.objects.get().enabled
        self.refuse(receiver, announce, many[4:5])
        channel.refresh_from_db()
        assert not channel.enabled and channel.failures == 5
        assert "5 messages in a row were refused" in channel.disabled_reason
        assert "404" in channel.disabled_reason
        assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_user.email, other_admin.email])
        english = next(m for m in mail.outbox if m.to == [admin_user.email])
        assert english.subject == "Channel disabled: #stories"
        assert channel.url_hint in english.body and "secret-token" not in english.body
        # Disabled: the next story is not even planned, and no second notice goes out.
        announce("story_published", many[5].pk)
        assert len(receiver.requests) == 5
        assert Delivery.objects.count() == 5
        assert len(mail.outbox) == 2

    def test_a_success_starts_the_count_again(self, receiver, make_channel, customer, announce):
        channel = make_channel()
        receiver.answer(404, 404, 404, 404, 200, 404)
        for story in StoryFactory.create_batch(6, customer=customer):
            announce("story_published", story.pk)
        channel.refresh_from_db()
        assert channel.enabled and channel.failures == 1

    def test_429_and_5xx_are_not_refusals(self, receiver, make_channel, customer, countdowns, announce):
        channel = make_channel()
        receiver.answer(*[429] * 40)
        for story in StoryFactory.create_batch(5, customer=customer):
            announce("story_published", story.pk)
        channel.refresh_from_db()
        assert channel.enabled and channel.failures == 0

    def test_enabling_again_starts_afresh(self, receiver, make_channel, customer, admin_user):
        channel = make_channel()
        services.channel_disable(channel_id=channel.pk, reason="404 Not Found")
        services.channel_enable(by=admin_user, channel=channel)
        channel.refresh_from_db()
        assert channel.enabled and channel.failures == 0 and channel.disabled_reason == ""
