import datetime
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from digests import selectors, services, tasks
from digests.models import Delivery, NotificationPreferences
from digests.selectors import digest_period, due_users
from tests.factories import CustomerFactory, MeetingFactory, SeatFactory, TeamFactory, UserFactory

from .conftest import NOW, make_people

LATER = NOW + datetime.timedelta(hours=3)  # 09:00 UTC: people in UTC are due


def digests_to(email):
    return [m for m in mail.outbox if m.to == [email]]


class TestDueUsers:
    """Each person gets theirs at their own 08:00 on Monday (the default)."""

    @pytest.fixture
    def people(self, db):
        team = TeamFactory(name="Zones", slug="zones")
        joined = NOW - datetime.timedelta(days=30)
        return {
            "hcm": UserFactory(email="hcm@example.com", time_zone="Asia/Ho_Chi_Minh", team=team, date_joined=joined),
            "jlm": UserFactory(email="jlm@example.com", time_zone="Asia/Jerusalem", team=team, date_joined=joined),
        }

    def test_ho_chi_minh_first_then_jerusalem(self, people):
        hcm, jlm = people["hcm"].pk, people["jlm"].pk
        assert due_users(now=datetime.datetime(2026, 11, 23, 0, 59, tzinfo=datetime.UTC)) == []
        assert due_users(now=datetime.datetime(2026, 11, 23, 1, 0, tzinfo=datetime.UTC)) == [
            hcm
        ]  # 08:00 in HCM
        assert due_users(now=datetime.datetime(2026, 11, 23, 5, 59, tzinfo=datetime.UTC)) == [hcm]
        assert sorted(due_users(now=datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC))) == sorted(
            [hcm, jlm]
        )

    def test_once_sent_they_are_not_due_again_this_week(self, people, fake_sections):
        services.digest_send_batch(
            [people["hcm"].pk], now=datetime.datetime(2026, 11, 23, 1, 0, tzinfo=datetime.UTC)
        )
        assert due_users(now=NOW) == [people["jlm"].pk]
        # next Monday they are due again
        assert len(due_users(now=NOW + datetime.timedelta(days=7))) == 2

    def test_their_own_day_and_hour_and_switch(self, people):
        NotificationPreferences.objects.create(user=people["hcm"], digest_weekday=2, digest_hour=17)
        NotificationPreferences.objects.create(user=people["jlm"], digest_enabled=False)
        assert due_users(now=NOW) == []
        wednesday_17_hcm = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)
        assert due_users(now=wednesday_17_hcm) == [people["hcm"].pk]

    def test_a_send_time_missed_while_nothing_ran_is_still_honoured(self, people):
        thursday = NOW + datetime.timedelta(days=3)
        assert sorted(due_users(now=thursday)) == sorted([people["hcm"].pk, people["jlm"].pk])

    def test_nobody_is_due_for_a_send_time_that_passed_before_they_joined(self, people, fake_sections):
        """Seeded on a Sunday evening: not "last week's" digest at once and another on Monday morning,
        but the first one on Monday morning."""
        sunday_evening = datetime.datetime(2026, 11, 29, 18, 0, tzinfo=datetime.UTC)
        newcomer = UserFactory(email="new@example.com", time_zone="UTC", date_joined=sunday_evening)
        assert newcomer.pk not in due_users(now=sunday_evening + datetime.timedelta(hours=1))
        standing = selectors.digest_standing([newcomer.pk], now=sunday_evening + datetime.timedelta(hours=1))
        assert standing[newcomer.pk] == "not yet: joined after this week's, first one Monday 08:00 UTC"
        assert newcomer.pk not in due_users(now=sunday_evening + datetime.timedelta(hours=13, minutes=59))
        monday_8 = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=datetime.UTC)
        assert newcomer.pk in due_users(now=monday_8)
        # Joined on the hour itself (an account made by the run that sends): that one counts.
        on_the_hour = UserFactory(email="hour@example.com", time_zone="UTC", date_joined=monday_8)
        assert on_the_hour.pk in due_users(now=monday_8 + datetime.timedelta(minutes=10))

    def test_the_period_is_the_iso_week_in_their_zone(self):
        sunday_late_utc = datetime.datetime(2026, 11, 29, 20, 0, tzinfo=datetime.UTC)
        assert digest_period("UTC", sunday_late_utc) == "2026-W48"
        assert digest_period("Asia/Ho_Chi_Minh", sunday_late_utc) == "2026-W49"  # already Monday there


class TestDigestEmail:
    def test_it_sends_html_and_text_with_one_click_unsubscribe(self, week, staff, settings):
        result = services.digest_send_batch([staff.pk], now=NOW)
        assert result.sent == [staff.pk]
        [message] = mail.outbox
        assert message.to == [staff.email]
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = message.extra_headers["List-Unsubscribe"]
        assert unsubscribe.startswith(f"<{settings.SITE_URL}/u/") and unsubscribe.endswith("/>")
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert unsubscribe[1:-1] in html and unsubscribe[1:-1] in message.body
        assert "Ken&#x27;s crew" in html and "Ken's crew" in message.body
        assert f"{settings.SITE_URL}/stories/" in message.body
        assert "60-day terms" in message.body and "Acme annual review" in message.body
        assert (
            message.body.index("Ken's crew")
            < message.body.index("For finance")
            < message.body.index("A plain story")
        )
        assert 'dir="ltr"' in html and 'lang="en"' in html
        delivery = Delivery.objects.get(user=staff)
        assert (delivery.status, delivery.period, delivery.attempts) == ("sent", "2026-W48", 1)
        assert abs(delivery.sent_at - timezone.now()) < datetime.timedelta(minutes=1)  # marked by raw SQL

    def test_the_first_digest_speaks_of_this_week_and_the_next_of_the_last_digest(self, week, staff):
        services.digest_send_batch([staff.pk], now=NOW)
        services.digest_send_batch([staff.pk], now=NOW + datetime.timedelta(days=7))
        first, second = mail.outbox
        for message in (first, second):
            assert "Hello" in message.body  # the same email otherwise
        assert "Here is what happened with our customers this week." in first.body
        assert "Here is what happened with our customers this week." in first.alternatives[0][0]
        assert "since your last digest" not in first.body + first.alternatives[0][0]
        assert "Here is what happened with our customers since your last digest." in second.body
        assert "Here is what happened with our customers since your last digest." in second.alternatives[0][0]

    def test_the_browser_link_says_it_is_the_next_digest_as_the_text_part_does(self, week, staff, settings):
        services.digest_send_batch([staff.pk], now=NOW)
        [message] = mail.outbox
        html = message.alternatives[0][0]
        preview = f"{settings.SITE_URL}/digests/preview/"
        assert f"See your next digest in the browser: {preview}" in message.body
        assert f'<a href="{preview}" style="color:#0f5c57;">Preview my next digest</a>' in html
        assert "View in the browser" not in html

    def test_arabic_reader_gets_right_to_left(self, week, finance):
        reader = UserFactory(language="ar", time_zone="Asia/Dubai", team=finance)
        services.digest_send_batch([reader.pk], now=NOW)
        [message] = mail.outbox
        html = message.alternatives[0][0]
        assert 'dir="rtl"' in html and 'lang="ar"' in html
        assert "text-align:right" in html

    def test_nothing_to_say_sends_nothing(self, db):
        lonely = UserFactory(team=TeamFactory(name="Lonely", slug="lonely"))
        result = services.digest_send_batch([lonely.pk], now=NOW)
        assert mail.outbox == [] and result.skipped == [lonely.pk]
        assert Delivery.objects.get(user=lonely).status == "skipped"
        assert due_users(now=NOW) == []  # not recomposed every ten minutes

    def test_switched_off_or_inactive_people_get_nothing(self, week, staff, leader):
        NotificationPreferences.objects.create(user=staff, digest_enabled=False)
        leader.is_active = False
        leader.save()
        services.digest_send_batch([staff.pk, leader.pk], now=NOW)
        assert mail.outbox == []


class FlakyBackend(EmailBackend):
    """locmem, but the n-th message (1-based, counted across instances) raises once."""

    calls = 0
    fail_on = None
    error = smtplib.SMTPServerDisconnected("connection dropped")

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls == type(self).fail_on:
            raise type(self).error
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.digests.test_sending.FlakyBackend"
    FlakyBackend.calls = 0
    FlakyBackend.fail_on = None
    FlakyBackend.error = smtplib.SMTPServerDisconnected("connection dropped")
    return FlakyBackend


class AcceptedThenCrash(EmailBackend):
    """locmem, but the worker dies right after the first message was accepted, before its row is marked."""

    crashed = False

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        if not type(self).crashed:
            type(self).crashed = True
            raise KeyboardInterrupt
        return sent


class TestMessageId:
    """A resend after a crash is the same message (same Message-ID), which mail systems fold into one."""

    @pytest.fixture
    def crash(self, settings):
        settings.EMAIL_BACKEND = "tests.digests.test_sending.AcceptedThenCrash"
        settings.SITE_URL = "https://lifeline.example.com"
        AcceptedThenCrash.crashed = False

    def resend_after_the_stale_window(self, send):
        with pytest.raises(KeyboardInterrupt):
            send()
        stuck = Delivery.objects.get(status="sending")
        Delivery.objects.filter(pk=stuck.pk).update(claimed_at=stuck.claimed_at - Delivery.STALE_AFTER)
        send()
        first, second = mail.outbox
        assert first.to == second.to
        return stuck, first.message()["Message-ID"], second.message()["Message-ID"]

    def test_a_digest_sent_twice_carries_one_message_id(self, crash, week, staff):
        stuck, first, second = self.resend_after_the_stale_window(
            lambda: services.digest_send_batch([staff.pk], now=NOW))
        assert first == second == f"<digest-{stuck.pk}@lifeline.example.com>"

    def test_a_reminder_sent_twice_carries_one_message_id(self, crash, staff, host):
        start = NOW + datetime.timedelta(hours=24)
        meeting = MeetingFactory(host=host, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                                 signup_closes_at=start - datetime.timedelta(hours=2))
        SeatFactory(meeting=meeting, user=staff)
        [delivery_id] = services.reminder_plan(now=NOW)
        stuck, first, second = self.resend_after_the_stale_window(lambda: services.reminder_send(delivery_id, now=NOW))
        assert first == second == f"<{stuck.kind}-{stuck.pk}@lifeline.example.com>"

    def test_every_delivery_has_its_own(self, week, staff, leader):
        services.digest_send_batch([staff.pk, leader.pk], now=NOW)
        assert len({m.message()["Message-ID"] for m in mail.outbox}) == 2


class TestIdempotency:
    @pytest.fixture
    def batch(self, fake_sections, db):
        return [u.pk for u in make_people(6)]

    def test_the_same_batch_twice_sends_once(self, batch):
        services.digest_send_batch(batch, now=NOW)
        services.digest_send_batch(batch, now=NOW)
        tasks.send_digest_batch_task.delay(batch, NOW.isoformat())
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            UserFactory._meta.model.objects.filter(pk__in=batch).values_list("email", flat=True)
        )
        assert Delivery.objects.filter(status="sent").count() == 6

    def test_a_task_failing_halfway_is_retried_and_everyone_gets_one(self, batch, flaky):
        flaky.fail_on = 4  # the SMTP server drops the 4th message
        tasks.send_digest_batch_task.apply(
            args=[batch, NOW.isoformat()], throw=False
        )  # eager: the retry runs inline
        recipients = [m.to[0] for m in mail.outbox]
        assert len(recipients) == 6 and len(set(recipients)) == 6
        assert Delivery.objects.filter(status="sent").count() == 6
        assert Delivery.objects.get(attempts=2).last_error.startswith("SMTPServerDisconnected")

    def test_a_crash_midway_is_picked_up_after_the_stale_window(self, batch, flaky):
        flaky.fail_on = 3
        flaky.error = KeyboardInterrupt()  # the worker dies mid-send: nothing catches it
        with pytest.raises(KeyboardInterrupt):
            services.digest_send_batch(batch, now=NOW)
        assert len(mail.outbox) == 2
        stuck = Delivery.objects.get(status="sending")
        # redelivered at once: the first two are done, the stuck one is left alone, the rest go out
        services.digest_send_batch(batch, now=NOW)
        assert len(mail.outbox) == 5
        assert stuck.user_id not in due_users(now=LATER)  # in flight, not stale yet
        Delivery.objects.filter(pk=stuck.pk).update(claimed_at=stuck.claimed_at - datetime.timedelta(hours=1))
        assert stuck.user_id in due_users(now=LATER)  # stale: planned again
        services.digest_send_batch(batch, now=NOW)
        recipients = [m.to[0] for m in mail.outbox]
        assert len(recipients) == 6 and len(set(recipients)) == 6

    def test_the_last_attempt_records_the_failure_for_admins(self, batch, flaky):
        flaky.fail_on = 1
        result = services.digest_send_batch(batch[:1], now=NOW, final_attempt=True)
        delivery = Delivery.objects.get(user_id=batch[0])
        assert result.failed == [batch[0]]
        assert (delivery.status, delivery.attempts) == ("failed", 1)
        assert "connection dropped" in delivery.last_error
        assert due_users(now=LATER) == batch[1:]

    def test_a_bug_in_one_email_fails_only_that_one(self, batch, flaky):
        flaky.fail_on = 2
        flaky.error = ValueError("template bug")
        result = services.digest_send_batch(batch, now=NOW, final_attempt=False)
        assert len(result.sent) == 5 and len(result.failed) == 1 and result.errors == []
        assert Delivery.objects.get(status="failed").last_error.startswith("ValueError")


class TestPlanTask:
    def test_it_fans_out_batches_of_thirty(self, fake_sections, db, monkeypatch):
        people = make_people(65, time_zone="UTC")
        seen = []
        monkeypatch.setattr(tasks.send_digest_batch_task, "delay", lambda ids, now: seen.append(ids))
        assert tasks.plan_digests_task.delay(LATER.isoformat()).get() == 65
        assert [len(ids) for ids in seen] == [30, 30, 5]
        assert sorted(i for ids in seen for i in ids) == sorted(p.pk for p in people)

    def test_in_process_it_sends(self, fake_sections, db):
        make_people(3, time_zone="UTC")
        tasks.plan_digests_task.delay(LATER.isoformat())
        assert len(mail.outbox) == 3
        tasks.plan_digests_task.delay(LATER.isoformat())
        assert len(mail.outbox) == 3


class TestReminders:
    @pytest.fixture
    def tomorrow(self, staff, host):
        start = NOW + datetime.timedelta(hours=24)
        meeting = MeetingFactory(
            title="Acme quarterly",
            customer=CustomerFactory(name="Ken's Plumbing Supply", slug="kens"),
            host=host,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            signup_closes_at=start - datetime.timedelta(hours=2),
        )
        SeatFactory(meeting=meeting, user=staff)
        return meeting

    def test_meeting_tomorrow_with_its_calendar_file_once(self, tomorrow, staff):
        ids = services.reminder_plan(now=NOW)
        assert len(ids) == 1
        assert services.reminder_send(ids[0], now=NOW) == "sent"
        assert services.reminder_send(ids[0], now=NOW) is None
        assert services.reminder_plan(now=NOW) == []
        [message] = mail.outbox
        assert "Acme quarterly" in message.body and message.extra_headers["List-Unsubscribe-Post"]
        assert message.subject == "Tomorrow: your customer meeting with Ken's Plumbing Supply"  # not escaped
        [(filename, content, mimetype)] = message.attachments
        assert filename == "invite.ics" and mimetype.startswith("text/calendar")
        assert b"BEGIN:VEVENT" in (content if isinstance(content, bytes) else content.encode())

    def test_turned_off_means_no_reminder(self, tomorrow, staff):
        NotificationPreferences.objects.create(user=staff, meeting_tomorrow=False)
        assert services.reminder_plan(now=NOW) == []

    def test_a_meeting_cancelled_meanwhile_is_skipped(self, tomorrow):
        [delivery_id] = services.reminder_plan(now=NOW)
        tomorrow.status = "cancelled"
        tomorrow.save()
        assert services.reminder_send(delivery_id, now=NOW) == "skipped"
        assert mail.outbox == []

    def test_debrief_due(self, staff, host):
        ended = NOW - datetime.timedelta(days=3)
        meeting = MeetingFactory(
            host=host,
            starts_at=ended - datetime.timedelta(hours=1),
            ends_at=ended,
            signup_closes_at=ended - datetime.timedelta(days=1),
        )
        SeatFactory(meeting=meeting, user=staff)
        tasks.plan_reminders_task.delay(NOW.isoformat())
        [message] = mail.outbox
        assert "debrief" in message.subject.lower()
        assert Delivery.objects.get(kind="debrief_due").status == "sent"

    def test_review_due_soon(self, week, staff):
        week["request"].due_date = NOW.date() + datetime.timedelta(days=1)
        week["request"].save()
        tasks.plan_reminders_task.delay(NOW.isoformat())
        [message] = mail.outbox
        assert "60-day terms" in message.subject
        tasks.plan_reminders_task.delay(NOW.isoformat())
        assert len(mail.outbox) == 1

    @pytest.mark.parametrize(("due_in_days", "reminded"), [(2, False), (1, True), (-2, True), (-3, False)])
    def test_review_due_soon_counts_days_where_the_reviewer_is(self, week, staff, due_in_days, reminded):
        """Monday 06:00 UTC is still Sunday evening in Los Angeles: "due within two days, or overdue by
        one" is counted from their Sunday, as their pages count it."""
        staff.time_zone = "America/Los_Angeles"
        staff.save(update_fields=["time_zone"])
        week["request"].due_date = NOW.date() + datetime.timedelta(days=due_in_days)
        week["request"].save()
        tasks.plan_reminders_task.delay(NOW.isoformat())
        assert len(mail.outbox) == (1 if reminded else 0)

    def test_a_transient_error_is_retried(self, tomorrow, flaky):
        flaky.fail_on = 1
        [delivery_id] = services.reminder_plan(now=NOW)
        tasks.send_reminder_task.apply(args=[delivery_id], throw=False)
        assert len(mail.outbox) == 1
        assert Delivery.objects.get(pk=delivery_id).attempts == 2


class TestWants:
    def test_defaults_and_switches(self, staff):
        from digests.preferences import wants

        assert wants(staff, "review_requested") and wants(staff, "waitlist_promoted")
        NotificationPreferences.objects.create(user=staff, waitlist_promoted=False)
        staff.refresh_from_db()
        assert wants(staff, "review_requested") and not wants(staff, "waitlist_promoted")
        staff.is_active = False
        assert not wants(staff, "review_requested")


class TestCommand:
    def test_dry_run_prints_and_sends_nothing(self, week, staff, capsys):
        from django.core.management import call_command

        call_command("send_digests", "--dry-run", "--user", staff.email)
        out = capsys.readouterr().out
        assert staff.email in out and "stories 3" in out and "nothing sent" in out
        assert mail.outbox == [] and not Delivery.objects.exists()

    def test_a_dry_run_when_nobody_is_due_says_why(self, week, staff, capsys):
        from django.core.management import call_command

        call_command("send_digests", "--dry-run")  # Monday 06:00 UTC: due at 08:00
        out = capsys.readouterr().out
        assert "Nobody is due now (" in out and "not yet" in out and "nothing sent" in out
        assert mail.outbox == [] and not Delivery.objects.exists()

    def test_one_user(self, week, staff, capsys):
        from django.core.management import call_command

        call_command("send_digests", "--user", staff.email)
        call_command("send_digests", "--user", staff.email)
        assert len(mail.outbox) == 1
        assert f"{staff.email}: already sent this week" in capsys.readouterr().out

    def test_a_second_run_says_why_nobody_is_due(self, week, staff, leader, capsys):
        from django.core.management import call_command

        from digests.models import NotificationPreferences

        NotificationPreferences.objects.create(user=leader, digest_enabled=False)
        call_command("send_digests")
        early = capsys.readouterr().out
        assert "0 digests sent" in early and "not yet" in early  # Monday 06:00 UTC: due at 08:00
        with time_machine.travel(NOW + datetime.timedelta(hours=3)):
            call_command("send_digests")
            first = capsys.readouterr().out
            call_command("send_digests")
            second = capsys.readouterr().out
        assert "0 digests sent" not in first
        assert "0 digests sent, 0 with nothing to say, 0 failed" in second
        assert "already sent this week" in second and "1 switched off" in second

    def test_switched_off_is_named(self, week, staff, capsys):
        from django.core.management import call_command

        from digests.models import NotificationPreferences

        NotificationPreferences.objects.create(user=staff, digest_enabled=False)
        call_command("send_digests", "--user", staff.email)
        assert f"{staff.email}: switched off" in capsys.readouterr().out
        assert mail.outbox == []

    def test_people_with_nothing_to_say_are_named(self, outsider, capsys):
        from django.core.management import call_command

        call_command("send_digests", "--user", outsider.email)
        assert f"{outsider.email}: nothing to say this week" in capsys.readouterr().out

    def test_unknown_user(self, db):
        from django.core.management import CommandError, call_command

        with pytest.raises(CommandError):
            call_command("send_digests", "--user", "nobody@example.com")


class TestPlanningQueries:
    """The planners run the same number of queries however many people are due."""

    @pytest.mark.parametrize("size", [3, 15])
    def test_due_users_runs_two_queries(self, db, size, django_assert_num_queries):
        make_people(size, time_zone="UTC")
        with django_assert_num_queries(2):
            assert len(due_users(now=LATER)) == size

    @pytest.mark.parametrize("size", [2, 10])
    def test_reminder_plan_runs_a_fixed_number(self, db, size, host, django_assert_num_queries):
        start = NOW + datetime.timedelta(hours=24)
        meeting = MeetingFactory(
            host=host, seats=20, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
            signup_closes_at=start - datetime.timedelta(hours=2),
        )
        for person in make_people(size):
            SeatFactory(meeting=meeting, user=person)
        # candidates 4 (one per reminder) + people 1 + preferences 1 + insert 1 + the list 1
        with django_assert_num_queries(8):
            assert len(services.reminder_plan(now=NOW)) == size
