"""An email that fails after the write committed never turns the write into an error: without Celery
the email is recorded and sent again later (manage.py retry_tasks); with Celery the worker retries it
with backoff, then records it the same way."""

import datetime
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from decisions.models import ReviewRequest
from meetings import services
from meetings.models import Meeting, Seat
from portal.models import PendingTask
from tests.factories import CustomerFactory, DecisionFactory, MeetingFactory, UserFactory

# on_commit callbacks run for real, inside the request, as they do in production.
pytestmark = pytest.mark.django_db(transaction=True)


class SMTPDown(BaseEmailBackend):
    attempts = 0

    def send_messages(self, messages):
        SMTPDown.attempts += 1
        raise SMTPException("451 mail server unavailable")


@pytest.fixture
def smtp_down(settings):
    SMTPDown.attempts = 0
    settings.EMAIL_BACKEND = f"{__name__}.SMTPDown"
    settings.REDIS_URL = ""  # tasks in-process (the conftest runs them eagerly)

    def back_up():
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    return back_up


@pytest.fixture
def meeting(host):
    start = timezone.now() + datetime.timedelta(days=14)
    return MeetingFactory(host=host, customer=CustomerFactory(name="Ken's Plumbing Supply"), seats=2,
                          title="Annual review with Ken", starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                          signup_closes_at=start - datetime.timedelta(days=1))


def retried(back_up):
    """SMTP is back: the periodic retry sends what was recorded, once."""
    back_up()
    mail.outbox.clear()
    call_command("retry_tasks")
    assert not PendingTask.objects.exists()
    return [m.subject for m in mail.outbox]


class TestWithoutCelery:
    def test_signing_up_answers_and_the_email_follows_later(self, smtp_down, as_user, staff, meeting):
        response = as_user(staff).post(reverse("meetings:signup", args=[meeting.pk]), follow=True)
        assert response.status_code == 200
        assert Seat.objects.get(meeting=meeting, user=staff).status == "confirmed"
        assert SMTPDown.attempts == 1
        assert PendingTask.objects.get().task == "meetings.tasks.seat_email_task"
        assert len(retried(smtp_down)) == 1
        call_command("retry_tasks")
        assert len(mail.outbox) == 1  # sent once

    def test_leaving_answers(self, smtp_down, as_user, staff, meeting):
        services.seat_claim(by=staff, meeting=meeting)
        PendingTask.objects.all().delete()
        response = as_user(staff).post(reverse("meetings:cancel_seat", args=[meeting.pk]), follow=True)
        assert response.status_code == 200
        assert "You are no longer signed up for this meeting." in response.content.decode()
        assert Seat.objects.get(meeting=meeting, user=staff).status == "cancelled"
        assert PendingTask.objects.count() == 1

    def test_editing_a_meeting_answers(self, smtp_down, as_user, staff, host, meeting):
        from tests.meetings.test_views import form_data

        services.seat_claim(by=staff, meeting=meeting)
        PendingTask.objects.all().delete()
        response = as_user(host).post(reverse("meetings:edit", args=[meeting.pk]),
                                      form_data(meeting.customer, title="Annual review, moved"), follow=True)
        assert response.status_code == 200
        assert "Meeting saved." in response.content.decode()
        assert Meeting.objects.get(pk=meeting.pk).title == "Annual review, moved"
        assert PendingTask.objects.get().task == "meetings.tasks.meeting_changed_task"
        assert len(retried(smtp_down)) == 1

    def test_cancelling_a_meeting_answers(self, smtp_down, as_user, staff, host, meeting):
        services.seat_claim(by=staff, meeting=meeting)
        PendingTask.objects.all().delete()
        response = as_user(host).post(reverse("meetings:cancel_meeting", args=[meeting.pk]), follow=True)
        assert response.status_code == 200
        assert Meeting.objects.get(pk=meeting.pk).is_cancelled
        assert len(retried(smtp_down)) == 1

    def test_requesting_reviews_answers(self, smtp_down, as_user, staff, finance, it_team):
        UserFactory(name="IT member", team=it_team)
        decision = DecisionFactory(title="60-day terms", team=finance, owner=staff, status="in_review")
        due = timezone.localdate() + datetime.timedelta(days=7)
        response = as_user(staff).post(reverse("decisions:request_reviews", args=[decision.pk]),
                                       {"teams": [it_team.pk], "due_date": due.isoformat()})
        assert response.status_code == 302
        assert ReviewRequest.objects.get(decision=decision).emailed_at is None  # not sent yet
        assert len(retried(smtp_down)) == 1
        assert ReviewRequest.objects.get(decision=decision).emailed_at is not None

    def test_a_task_that_keeps_failing_stays_recorded_with_its_error(self, smtp_down, as_user, staff, meeting):
        as_user(staff).post(reverse("meetings:signup", args=[meeting.pk]))
        call_command("retry_tasks")
        pending = PendingTask.objects.get()
        assert pending.attempts == 2 and "451 mail server unavailable" in pending.last_error


class TestWithCelery:
    def test_the_worker_retries_then_records(self, smtp_down, staff, meeting):
        from meetings.tasks import seat_email_task

        seat = Seat.objects.create(meeting=meeting, user=staff, status="confirmed")
        # As the worker runs it: failures stay inside the run (apply() retries at once, not after backoff).
        conf = seat_email_task.app.conf
        propagates, conf.task_eager_propagates = conf.task_eager_propagates, False
        try:
            result = seat_email_task.apply(args=[seat.pk, "confirmed"])
        finally:
            conf.task_eager_propagates = propagates
        assert result.failed()
        assert SMTPDown.attempts == 1 + seat_email_task.max_retries
        assert PendingTask.objects.get().args == [seat.pk, "confirmed"]
        assert len(retried(smtp_down)) == 1
