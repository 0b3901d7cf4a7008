"""Against real Redis, a real Celery worker in this process and a real SMTP server.

Runs when REDIS_URL is set (CI sets redis://127.0.0.1:6379/15); skipped otherwise."""

import datetime
import email
import email.policy
import os
import socket
import time

import pytest

from digests import tasks
from digests.models import Delivery
from tests.conftest import frozen_at
from tests.factories import MeetingFactory, SeatFactory, TeamFactory, UserFactory

pytestmark = [
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis broker)"),
    pytest.mark.django_db(transaction=True),
]

# Monday 09:00 UTC: people in UTC with the default Monday 08:00 are due.
NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
# The worker thread reads the same clock: what is "upcoming" is judged from NOW, not from the day CI runs.
now = pytest.fixture(autouse=True)(frozen_at(NOW))


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox(settings):
    from aiosmtpd.controller import Controller

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield handler
    controller.stop()


def header_values(message):
    return {key: str(value).strip() for key, value in message.items()}  # long values may be folded


class TestWithRedisWorkerAndSmtp:
    def test_digests_go_out_once_each_through_the_worker(self, inbox, celery_worker_thread):
        team = TeamFactory(name="Ops", slug="ops")
        joined = NOW - datetime.timedelta(days=30)  # before the week's send time: due for it
        host = UserFactory(role="host", team=TeamFactory(name="Sales", slug="sales"), date_joined=joined)
        people = [UserFactory(team=team, time_zone="UTC", date_joined=joined) for _ in range(3)]
        arabic = UserFactory(team=team, time_zone="UTC", language="ar", date_joined=joined)
        start = NOW + datetime.timedelta(days=4)
        MeetingFactory(
            title="Open ABR",
            host=host,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            signup_closes_at=start - datetime.timedelta(days=1),
        )

        tasks.plan_digests_task.delay(NOW.isoformat())
        # a duplicated delivery of the same batch changes nothing
        tasks.send_digest_batch_task.delay([p.pk for p in people + [arabic]], NOW.isoformat())
        messages = inbox.wait_for(5)
        time.sleep(1.5)  # give a duplicate the chance to show up
        recipients = sorted(m["To"] for m in inbox.messages)
        assert recipients == sorted(p.email for p in [*people, arabic, host])  # the host: "you host this"
        assert Delivery.objects.filter(status="sent", kind="digest").count() == 5

        message = next(m for m in messages if m["To"] == people[0].email)
        headers = header_values(message)
        assert headers["List-Unsubscribe"].startswith("<http") and "/u/" in headers["List-Unsubscribe"]
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.get_content_type() == "multipart/alternative"
        assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
        assert "Open ABR" in message.get_body(("plain",)).get_content()
        rtl = next(m for m in messages if m["To"] == arabic.email).get_body(("html",)).get_content()
        assert 'dir="rtl"' in rtl and 'lang="ar"' in rtl

    def test_meeting_tomorrow_reminder_carries_the_calendar_file(self, inbox, celery_worker_thread):
        host = UserFactory(role="host")
        listener = UserFactory()
        start = NOW + datetime.timedelta(hours=24)
        meeting = MeetingFactory(
            title="Acme QBR",
            host=host,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            signup_closes_at=start - datetime.timedelta(hours=2),
        )
        SeatFactory(meeting=meeting, user=listener)

        tasks.plan_reminders_task.delay(NOW.isoformat())
        tasks.plan_reminders_task.delay(NOW.isoformat())
        [message] = inbox.wait_for(1)
        time.sleep(1.5)
        assert len(inbox.messages) == 1
        assert message["To"] == listener.email
        assert header_values(message)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        types = [part.get_content_type() for part in message.walk()]
        assert "multipart/alternative" in types and "text/calendar" in types
        calendar = next(part for part in message.walk() if part.get_content_type() == "text/calendar")
        assert "BEGIN:VEVENT" in calendar.get_content() and meeting.ical_uid() in calendar.get_content()
