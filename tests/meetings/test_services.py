import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.utils import timezone, translation
from icalendar import Calendar

from meetings import services
from meetings.digest import load_meeting_tomorrow
from meetings.models import DEFAULT_BRIEFING, Debrief, DebriefReaction, Meeting, Seat
from meetings.tasks import debrief_requests_task, meeting_changed_task, seat_email_task
from tests.factories import DebriefFactory, SeatFactory


def ics_of(message):
    """The parsed .ics attached to an email, and its content type."""
    for filename, content, mimetype in message.attachments:
        if filename == "invite.ics":
            return Calendar.from_ical(content), mimetype
    raise AssertionError("no invite.ics attached")


def statuses(meeting):
    return list(meeting.seat_set.order_by("created_at", "id").values_list("user__email", "status"))


@pytest.mark.django_db(transaction=False)
class TestSeatClaim:
    def test_it_confirms_while_seats_are_left(self, meeting, staff, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            seat = services.seat_claim(by=staff, meeting=meeting)
        assert seat.status == Seat.Status.CONFIRMED
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [staff.email]
        assert mail.outbox[0].subject == "Your seat: Annual review with Ken"

    def test_it_waitlists_when_full(self, meeting, make_users, staff):
        for user in make_users(2):
            services.seat_claim(by=user, meeting=meeting)
        seat = services.seat_claim(by=staff, meeting=meeting)
        assert seat.status == Seat.Status.WAITLISTED

    def test_a_double_click_gives_one_seat(self, meeting, staff):
        first = services.seat_claim(by=staff, meeting=meeting)
        second = services.seat_claim(by=staff, meeting=meeting)
        assert first.pk == second.pk
        assert meeting.seat_set.count() == 1

    def test_it_refuses_the_host(self, meeting, host):
        with pytest.raises(ValidationError, match="You host this meeting"):
            services.seat_claim(by=host, meeting=meeting)
        assert not meeting.seat_set.exists()

    def test_it_refuses_after_signup_closes(self, meeting, staff):
        meeting.signup_closes_at = timezone.now() - datetime.timedelta(minutes=1)
        meeting.save()
        with pytest.raises(ValidationError, match="Sign-up for this meeting has closed"):
            services.seat_claim(by=staff, meeting=meeting)
        assert not meeting.seat_set.exists()

    def test_it_refuses_past_meetings(self, past_meeting, staff):
        with pytest.raises(ValidationError):
            services.seat_claim(by=staff, meeting=past_meeting)

    def test_it_refuses_cancelled_meetings(self, meeting, host, staff):
        services.meeting_cancel(by=host, meeting=meeting)
        with pytest.raises(ValidationError, match="cancelled"):
            services.seat_claim(by=staff, meeting=meeting)

    def test_signing_up_again_goes_to_the_back_of_the_queue(self, meeting, make_users, staff):
        first, second = make_users(2)
        services.seat_claim(by=first, meeting=meeting)
        services.seat_claim(by=second, meeting=meeting)
        services.seat_claim(by=staff, meeting=meeting)  # waitlisted, number 1
        services.seat_cancel(by=first, meeting=meeting)  # staff promoted
        seat = services.seat_claim(by=first, meeting=meeting)
        assert seat.status == Seat.Status.WAITLISTED
        assert meeting.seat_set.filter(user=first).count() == 1

    def test_a_lock_timeout_becomes_a_friendly_busy_message(self, meeting, staff, monkeypatch):
        def timeout(*args, **kwargs):
            raise OperationalError("canceling statement due to lock timeout")

        monkeypatch.setattr(services, "_locked", timeout)
        with pytest.raises(services.MeetingBusy) as error:
            services.seat_claim(by=staff, meeting=meeting)
        assert "try again" in error.value.messages[0]


@pytest.mark.django_db
class TestSeatCancel:
    def test_it_offers_the_seat_to_the_first_on_the_waitlist_and_tells_them(
        self, meeting, make_users, django_capture_on_commit_callbacks
    ):
        a, b, c, d = make_users(4)
        for user in (a, b, c, d):
            services.seat_claim(by=user, meeting=meeting)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.seat_cancel(by=a, meeting=meeting)
        offered = Seat.objects.get(meeting=meeting, user=c)
        assert offered.status == Seat.Status.OFFERED
        assert Seat.objects.get(meeting=meeting, user=d).status == Seat.Status.WAITLISTED
        by_recipient = {m.to[0]: m for m in mail.outbox}
        assert set(by_recipient) == {a.email, c.email}
        assert by_recipient[c.email].subject == "A seat is held for you: Annual review with Ken"
        assert not by_recipient[c.email].attachments  # no invitation until they accept
        cal, mimetype = ics_of(by_recipient[a.email])
        assert cal["method"] == "CANCEL"

    def test_the_email_claims_no_waitlist_when_nobody_waits(self, meeting, staff, django_capture_on_commit_callbacks):
        services.seat_claim(by=staff, meeting=meeting)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.seat_cancel(by=staff, meeting=meeting)
        [email] = mail.outbox
        assert "your seat is open to colleagues again." in email.body and "waiting" not in email.body

    def test_cancelling_twice_is_harmless(self, meeting, staff):
        services.seat_claim(by=staff, meeting=meeting)
        services.seat_cancel(by=staff, meeting=meeting)
        services.seat_cancel(by=staff, meeting=meeting)
        assert Seat.objects.get(meeting=meeting, user=staff).status == Seat.Status.CANCELLED

    def test_cancelling_without_a_seat_is_harmless(self, meeting, staff):
        assert services.seat_cancel(by=staff, meeting=meeting) is None

    def test_leaving_the_waitlist_promotes_nobody(self, meeting, make_users):
        a, b, c, d = make_users(4)
        for user in (a, b, c, d):
            services.seat_claim(by=user, meeting=meeting)
        services.seat_cancel(by=c, meeting=meeting)
        assert Seat.objects.get(meeting=meeting, user=d).status == Seat.Status.WAITLISTED


@pytest.mark.django_db
class TestSeatRemove:
    @pytest.mark.parametrize("persona,allowed", [
        ("leader", False), ("staff", False), ("host", True), ("admin_user", True), ("outsider", False),
    ])
    def test_only_the_host_and_admins_remove(self, request, persona, allowed, meeting, make_users):
        (listener,) = make_users(1)
        seat = services.seat_claim(by=listener, meeting=meeting)
        user = request.getfixturevalue(persona)
        if allowed:
            services.seat_remove(by=user, meeting=meeting, seat=seat)
            assert Seat.objects.get(pk=seat.pk).status == Seat.Status.REMOVED
        else:
            with pytest.raises(PermissionDenied):
                services.seat_remove(by=user, meeting=meeting, seat=seat)
            assert Seat.objects.get(pk=seat.pk).status == Seat.Status.CONFIRMED

    def test_the_removed_person_is_told_and_the_waitlist_moves_up(
        self, meeting, host, make_users, django_capture_on_commit_callbacks
    ):
        a, b, c = make_users(3)
        seats = [services.seat_claim(by=u, meeting=meeting) for u in (a, b, c)]
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.seat_remove(by=host, meeting=meeting, seat=seats[0])
        assert Seat.objects.get(pk=seats[2].pk).status == Seat.Status.OFFERED
        subjects = {m.to[0]: m.subject for m in mail.outbox}
        assert subjects[a.email] == "You are no longer listening in on Annual review with Ken"
        assert c.email in subjects


@pytest.mark.django_db
class TestMeetingCreate:
    def data(self, customer, **changes):
        start = timezone.now() + datetime.timedelta(days=10)
        return {
            "customer": customer, "kind": Meeting.Kind.SITE_VISIT, "title": "Visit the warehouse",
            "starts_at": start, "ends_at": start + datetime.timedelta(hours=2),
            "signup_closes_at": start - datetime.timedelta(days=1), "seats": 3, "place": "Dayton, Ohio",
            **changes,
        }

    @pytest.mark.parametrize("persona,allowed", [
        ("leader", False), ("staff", False), ("host", True), ("admin_user", True), ("outsider", False),
    ])
    def test_only_hosts_and_admins_open_meetings(self, request, persona, allowed, customer):
        user = request.getfixturevalue(persona)
        if allowed:
            meeting = services.meeting_create(by=user, **self.data(customer))
            assert meeting.host == user
            assert str(meeting.briefing) == "Your only job is to listen."
        else:
            with pytest.raises(PermissionDenied):
                services.meeting_create(by=user, **self.data(customer))
            assert not Meeting.objects.exists()

    def test_it_touches_the_customer(self, host, customer):
        customer.last_activity_at = timezone.now() - datetime.timedelta(days=100)
        customer.save()
        services.meeting_create(by=host, **self.data(customer))
        customer.refresh_from_db()
        assert customer.last_activity_at > timezone.now() - datetime.timedelta(minutes=1)

    # Times as offsets from the moment the test runs (not from when the module was collected).
    @pytest.mark.parametrize("changes,field", [
        ({"ends_at": 0}, "ends_at"),
        ({"seats": 0}, "seats"),
        ({"signup_closes_at": 30}, "signup_closes_at"),
        ({"video_url": "http://meet.example.com/x", "place": ""}, "video_url"),
        ({"place": ""}, "place"),
        ({"starts_at": -1, "ends_at": 0, "signup_closes_at": -2}, "starts_at"),
    ])
    def test_it_refuses_bad_input(self, host, customer, changes, field):
        now = timezone.now()
        changes = {
            name: now + datetime.timedelta(days=value) if name.endswith("_at") else value
            for name, value in changes.items()
        }
        with pytest.raises(ValidationError) as error:
            services.meeting_create(by=host, **self.data(customer, **changes))
        assert field in error.value.message_dict
        assert not Meeting.objects.exists()


@pytest.mark.django_db
class TestMeetingUpdate:
    def test_it_bumps_the_sequence_and_sends_an_update(
        self, meeting, host, staff, django_capture_on_commit_callbacks
    ):
        services.seat_claim(by=staff, meeting=meeting)
        mail.outbox.clear()
        new_start = meeting.starts_at + datetime.timedelta(hours=2)
        with django_capture_on_commit_callbacks(execute=True):
            updated = services.meeting_update(
                by=host, meeting=meeting, starts_at=new_start, ends_at=new_start + datetime.timedelta(hours=1)
            )
        assert updated.sequence == 1
        (message,) = mail.outbox
        assert message.subject == "Changed: Annual review with Ken"
        cal, _ = ics_of(message)
        event = cal.walk("VEVENT")[0]
        assert cal["method"] == "REQUEST"
        assert event["sequence"] == 1
        assert event["uid"] == f"meeting-{meeting.pk}@lifeline"
        assert event.decoded("dtstart") == new_start

    def test_nothing_changed_sends_nothing(self, meeting, host, staff, django_capture_on_commit_callbacks):
        services.seat_claim(by=staff, meeting=meeting)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            updated = services.meeting_update(by=host, meeting=meeting, title=meeting.title)
        assert updated.sequence == 0
        assert mail.outbox == []

    def test_more_seats_promote_the_waitlist(self, meeting, host, make_users):
        users = make_users(3)
        for user in users:
            services.seat_claim(by=user, meeting=meeting)
        services.meeting_update(by=host, meeting=meeting, seats=3)
        assert Seat.objects.get(meeting=meeting, user=users[2]).status == Seat.Status.OFFERED

    def test_it_will_not_lower_seats_below_the_listeners(self, meeting, host, make_users):
        for user in make_users(2):
            services.seat_claim(by=user, meeting=meeting)
        with pytest.raises(ValidationError) as error:
            services.meeting_update(by=host, meeting=meeting, seats=1)
        assert "seats" in error.value.message_dict
        meeting.refresh_from_db()
        assert meeting.seats == 2 and meeting.sequence == 0

    def test_others_may_not_edit(self, meeting, staff):
        with pytest.raises(PermissionDenied):
            services.meeting_update(by=staff, meeting=meeting, title="Mine now")


@pytest.mark.django_db
class TestMeetingCancel:
    def test_it_sends_a_cancel_with_the_same_uid(self, meeting, host, staff, django_capture_on_commit_callbacks):
        services.seat_claim(by=staff, meeting=meeting)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_cancel(by=host, meeting=meeting)
        (message,) = mail.outbox
        cal, mimetype = ics_of(message)
        event = cal.walk("VEVENT")[0]
        assert cal["method"] == "CANCEL" and "method=CANCEL" in mimetype
        assert event["uid"] == f"meeting-{meeting.pk}@lifeline"
        assert event["sequence"] == 1
        assert event["status"] == "CANCELLED"

    def test_cancelling_twice_is_harmless(self, meeting, host):
        services.meeting_cancel(by=host, meeting=meeting)
        again = services.meeting_cancel(by=host, meeting=meeting)
        assert again.sequence == 1

    @pytest.mark.parametrize("persona", ["leader", "staff", "outsider"])
    def test_others_may_not_cancel(self, request, persona, meeting):
        with pytest.raises(PermissionDenied):
            services.meeting_cancel(by=request.getfixturevalue(persona), meeting=meeting)
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.SCHEDULED


@pytest.mark.django_db
class TestEmailTasks:
    def test_running_a_seat_email_twice_sends_once(self, meeting, staff):
        seat = SeatFactory(meeting=meeting, user=staff)
        assert seat_email_task.apply(args=(seat.pk, "confirmed")).get() == 1
        assert seat_email_task.apply(args=(seat.pk, "confirmed")).get() == 0
        assert len(mail.outbox) == 1

    def test_no_invitation_for_a_meeting_already_over(self, past_meeting, staff):
        """Seats recorded after the meeting (the demo's past meetings, say) send no calendar invitation."""
        seat = SeatFactory(meeting=past_meeting, user=staff)
        assert seat_email_task.apply(args=(seat.pk, "confirmed")).get() == 0
        assert mail.outbox == []

    def test_running_a_meeting_update_twice_sends_once(self, meeting, staff):
        SeatFactory(meeting=meeting, user=staff)
        Meeting.objects.filter(pk=meeting.pk).update(sequence=3)
        assert meeting_changed_task.apply(args=(meeting.pk,)).get() == 1
        assert meeting_changed_task.apply(args=(meeting.pk,)).get() == 0

    def test_the_invitation_names_the_host_and_only_the_recipient(self, meeting, staff, make_users):
        other = make_users(1)[0]
        SeatFactory(meeting=meeting, user=other)
        seat = SeatFactory(meeting=meeting, user=staff)
        seat_email_task.apply(args=(seat.pk, "confirmed"))
        cal, _ = ics_of(mail.outbox[-1])
        event = cal.walk("VEVENT")[0]
        assert str(event["organizer"]) == f"mailto:{meeting.host.email}"
        assert str(event["attendee"]) == f"mailto:{staff.email}"
        assert other.email not in cal.to_ical().decode()
        assert event["dtstart"].to_ical() == meeting.starts_at.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ").encode()
        assert event["dtend"].dt == meeting.ends_at

    def test_the_email_shows_the_time_in_the_recipients_zone(self, meeting, staff):
        staff.time_zone = "Asia/Ho_Chi_Minh"
        staff.save()
        seat = SeatFactory(meeting=meeting, user=staff)
        seat_email_task.apply(args=(seat.pk, "confirmed"))
        local = timezone.localtime(meeting.starts_at, timezone=__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
        assert local.strftime("%H:%M") in mail.outbox[0].body

    @pytest.mark.parametrize(("language", "gap"), [("en", "right"), ("ar", "left"), ("he", "left"), ("fa", "left")])
    def test_the_gap_after_each_label_sits_between_label_and_value(self, meeting, staff, language, gap):
        """Right-to-left, the value stands to the label's left: the padding goes there, or the two run together."""
        staff.language = language
        staff.save(update_fields=["language"])
        seat_email_task.apply(args=(SeatFactory(meeting=meeting, user=staff).pk, "confirmed"))
        [(html, _)] = mail.outbox[0].alternatives
        with translation.override(language):
            label = translation.gettext("Host")
        assert f'<td style="padding:4px 0;padding-{gap}:12px;font-weight:bold;">{label}</td>' in html
        assert "12px 4px 0" not in html

    @pytest.mark.parametrize("reason", ["confirmed", "removed"])
    def test_the_calendar_file_is_in_the_recipients_language(self, meeting, staff, reason):
        """The untouched default briefing reads in the listener's language in the .ics, as in the email."""
        staff.language = "ar"
        staff.save(update_fields=["language"])
        seat = SeatFactory(meeting=meeting, user=staff, status=Seat.Status.CONFIRMED if reason == "confirmed" else Seat.Status.REMOVED)
        seat_email_task.apply(args=(seat.pk, reason))
        cal, _ = ics_of(mail.outbox[0])
        with translation.override("ar"):
            arabic = str(DEFAULT_BRIEFING)
        assert arabic != "Your only job is to listen."
        assert str(cal.walk("VEVENT")[0]["description"]).startswith(arabic + "\n\n")

    def test_a_meeting_update_sends_each_listener_the_calendar_file_in_their_language(self, meeting, staff, leader):
        staff.language = "he"
        staff.save(update_fields=["language"])
        SeatFactory(meeting=meeting, user=staff)
        SeatFactory(meeting=meeting, user=leader)
        Meeting.objects.filter(pk=meeting.pk).update(sequence=1)
        meeting_changed_task.apply(args=(meeting.pk,))
        descriptions = {m.to[0]: str(ics_of(m)[0].walk("VEVENT")[0]["description"]) for m in mail.outbox}
        with translation.override("he"):
            hebrew = str(DEFAULT_BRIEFING)
        assert descriptions[staff.email].startswith(hebrew)
        assert descriptions[leader.email].startswith("Your only job is to listen.")

    def test_the_reminder_the_day_before_carries_the_calendar_file_in_the_listeners_language(self, meeting, staff):
        staff.language = "he"
        staff.save(update_fields=["language"])
        SeatFactory(meeting=meeting, user=staff)
        [attachment] = load_meeting_tomorrow(staff, meeting.pk, timezone.now())["attachments"]
        [event] = Calendar.from_ical(attachment.content).walk("VEVENT")
        with translation.override("he"):
            assert str(event["description"]).startswith(str(DEFAULT_BRIEFING))


@pytest.mark.django_db
class TestDebriefRequests:
    def test_it_asks_each_listener_once(self, past_meeting, make_users, customer):
        a, b = make_users(2)
        SeatFactory(meeting=past_meeting, user=a)
        SeatFactory(meeting=past_meeting, user=b, status=Seat.Status.CANCELLED)
        assert debrief_requests_task.apply().get() == 1
        assert debrief_requests_task.apply().get() == 0
        assert [m.to for m in mail.outbox] == [[a.email]]
        assert "What did you hear at Ken's Plumbing Supply?" == mail.outbox[0].subject
        past_meeting.refresh_from_db()
        assert past_meeting.debriefs_requested_at is not None

    def test_it_leaves_future_and_cancelled_meetings_alone(self, meeting, past_meeting, make_users):
        Meeting.objects.filter(pk=past_meeting.pk).update(status=Meeting.Status.CANCELLED)
        SeatFactory(meeting=meeting, user=make_users(1)[0])
        assert debrief_requests_task.apply().get() == 0


@pytest.mark.django_db
class TestDebriefs:
    def test_an_attendee_writes_a_debrief_after_the_meeting(self, past_meeting, leader):
        SeatFactory(meeting=past_meeting, user=leader)
        debrief = services.debrief_save(by=leader, meeting=past_meeting, goals_and_needs="Predictable deliveries.")
        again = services.debrief_save(by=leader, meeting=past_meeting, goals_and_needs="Predictable, early deliveries.")
        assert debrief.pk == again.pk
        assert Debrief.objects.get().goals_and_needs == "Predictable, early deliveries."

    def test_it_refuses_non_attendees(self, past_meeting, staff):
        with pytest.raises(PermissionDenied):
            services.debrief_save(by=staff, meeting=past_meeting, goals_and_needs="x")

    def test_it_refuses_before_the_meeting(self, meeting, staff):
        SeatFactory(meeting=meeting, user=staff)
        with pytest.raises(ValidationError):
            services.debrief_save(by=staff, meeting=meeting, goals_and_needs="x")

    def test_a_reaction_is_unique_per_person(self, past_meeting, staff, leader):
        debrief = DebriefFactory(seat=SeatFactory(meeting=past_meeting, user=leader))
        assert services.debrief_react(by=staff, debrief=debrief, helpful=True) is True
        assert services.debrief_react(by=staff, debrief=debrief, helpful=True) is True
        assert DebriefReaction.objects.count() == 1
        assert services.debrief_react(by=staff, debrief=debrief) is False
        assert DebriefReaction.objects.count() == 0

    def test_nobody_reacts_to_their_own_debrief(self, past_meeting, leader):
        debrief = DebriefFactory(seat=SeatFactory(meeting=past_meeting, user=leader))
        with pytest.raises(ValidationError):
            services.debrief_react(by=leader, debrief=debrief)

    def test_a_debrief_becomes_a_draft_story_once(self, past_meeting, leader, customer):
        pytest.importorskip("stories.services")
        debrief = DebriefFactory(seat=SeatFactory(meeting=past_meeting, user=leader))
        story_id = services.debrief_to_story(by=leader, debrief=debrief)
        assert services.debrief_to_story(by=leader, debrief=debrief) == story_id
        from stories.models import Story

        story = Story.objects.get(pk=story_id)
        assert story.customer == customer
        assert story.author == leader
        assert "They want deliveries they can plan a crew around." in story.body
        assert Story.objects.count() == 1

    def test_only_the_author_turns_it_into_a_story(self, past_meeting, leader, admin_user):
        pytest.importorskip("stories.services")
        debrief = DebriefFactory(seat=SeatFactory(meeting=past_meeting, user=leader))
        with pytest.raises(PermissionDenied):
            services.debrief_to_story(by=admin_user, debrief=debrief)


@pytest.mark.django_db
class TestCalendarFeed:
    def test_reset_changes_the_token(self, staff):
        feed = services.calendar_feed_get(user=staff)
        assert services.calendar_feed_get(user=staff).token == feed.token
        assert services.calendar_feed_reset(by=staff).token != feed.token


@pytest.mark.django_db
class TestSeatsTaken:
    """`Meeting.seats_taken` (what every page shows as seats left) follows every seat write, and
    leaves the meeting's `updated_at`, and so its cached card, alone."""

    def taken(self, meeting):
        return Meeting.objects.values_list("seats_taken", "updated_at").get(pk=meeting.pk)

    def test_it_follows_sign_ups_leaving_promotions_and_removals(self, meeting, host, make_users):
        a, b, c = make_users(3)
        _, updated_at = self.taken(meeting)
        services.seat_claim(by=a, meeting=meeting)
        assert self.taken(meeting) == (1, updated_at)
        services.seat_claim(by=b, meeting=meeting)
        services.seat_claim(by=c, meeting=meeting)  # waitlisted
        assert self.taken(meeting) == (2, updated_at)
        services.seat_cancel(by=a, meeting=meeting)  # c moves up
        assert self.taken(meeting) == (2, updated_at)
        services.seat_remove(by=host, meeting=meeting, seat=Seat.objects.get(meeting=meeting, user=b))
        assert self.taken(meeting) == (1, updated_at)
        services.seat_cancel(by=c, meeting=meeting)
        assert self.taken(meeting) == (0, updated_at)

    def test_more_seats_promote_the_waitlist_and_count_them(self, meeting, host, make_users):
        for user in make_users(4):
            services.seat_claim(by=user, meeting=meeting)
        services.meeting_update(by=host, meeting=meeting, seats=3)
        assert self.taken(meeting)[0] == 3

    def test_the_migration_counts_the_seats_already_there(self, meeting, past_meeting, make_users):
        import importlib

        from django.apps import apps

        for user in make_users(3):
            SeatFactory(meeting=meeting, user=user, status="confirmed" if user.pk % 3 else "waitlisted")
        SeatFactory(meeting=past_meeting, status="cancelled")
        expected = meeting.seat_set.filter(status="confirmed").count()
        Meeting.objects.update(seats_taken=7)
        importlib.import_module("meetings.migrations.0003_meeting_seats_taken").count_confirmed_seats(apps, None)
        assert self.taken(meeting)[0] == expected and self.taken(past_meeting)[0] == 0

    def test_a_seat_fixed_in_the_admin_is_counted(self, client, admin_user, meeting, staff):
        seat = SeatFactory(meeting=meeting, user=staff)
        client.force_login(admin_user)
        created = timezone.localtime(seat.created_at)
        response = client.post(f"/admin/meetings/seat/{seat.pk}/change/", {
            "meeting": meeting.pk, "user": staff.pk, "status": "cancelled",
            "created_at_0": created.strftime("%Y-%m-%d"), "created_at_1": created.strftime("%H:%M:%S"),
        })
        assert response.status_code == 302
        assert self.taken(meeting)[0] == 0
