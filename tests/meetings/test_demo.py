"""The demo's meetings as a portal that has been running would have left them."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from digests.tasks import plan_reminders_task
from meetings.models import Meeting
from meetings.tasks import debrief_requests_task
from tests.conftest import frozen_at

NOW = datetime.datetime(2026, 12, 7, 8, 30, tzinfo=datetime.UTC)
now = pytest.fixture(autouse=True, name="now")(frozen_at(NOW))


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    mail.outbox.clear()


def test_past_meetings_asked_for_their_debriefs_when_they_ended(demo):
    past = Meeting.objects.filter(ends_at__lt=NOW)
    assert past.count() == 3
    for meeting in past:
        assert meeting.debriefs_requested_at == meeting.ends_at


def test_the_first_run_of_the_schedule_asks_for_no_debrief_again(demo):
    """Chloe listened in on the Persepolis call ten days ago: she was asked then, not on the first start."""
    assert debrief_requests_task.apply().get() == 0
    assert mail.outbox == []


def test_the_first_run_of_the_reminders_sends_no_debrief_reminder_a_running_portal_sent_long_ago(demo):
    """Two days after the Persepolis call, a running portal reminded Chloe once; the first start does not again."""
    plan_reminders_task.apply()
    assert [m.subject for m in mail.outbox if "debrief" in m.subject.lower() or "Persepolis" in m.subject] == []
