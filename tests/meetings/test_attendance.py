"""The host marks who came; quotas and the scorecard count attended meetings; a no-show is seen only by
the person, the host and admins."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from meetings import selectors, services
from meetings.models import Debrief, Meeting, Seat
from tests.conftest import frozen_at
from tests.factories import MeetingFactory, SeatFactory, UserFactory

NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)
_now = pytest.fixture(autouse=True)(frozen_at(NOW))


@pytest.fixture
def held(host, customer, leader, staff):
    """A meeting that took place last week, with `leader` and `staff` as confirmed listeners."""
    start = NOW - datetime.timedelta(days=7)
    meeting = MeetingFactory(host=host, customer=customer, title="Quarterly review", starts_at=start,
                             ends_at=start + datetime.timedelta(hours=1), signup_closes_at=start - datetime.timedelta(days=1))
    return meeting, SeatFactory(meeting=meeting, user=leader), SeatFactory(meeting=meeting, user=staff)


def url(meeting):
    return reverse("meetings:attendance", args=[meeting.pk])


@pytest.mark.django_db
class TestAttendanceMark:
    def test_the_ticked_attended_and_the_others_did_not(self, held, host):
        meeting, mine, theirs = held
        services.attendance_mark(by=host, meeting=meeting, attended=[mine.pk])
        mine.refresh_from_db(), theirs.refresh_from_db()
        assert (mine.attendance, theirs.attendance) == ("attended", "no_show")
        assert Meeting.objects.get(pk=meeting.pk).attendance_marked_by == host

    def test_marking_again_corrects_it(self, held, host):
        meeting, mine, theirs = held
        services.attendance_mark(by=host, meeting=meeting, attended=[mine.pk])
        services.attendance_mark(by=host, meeting=meeting, attended=[mine.pk, theirs.pk])
        assert set(meeting.seat_set.values_list("attendance", flat=True)) == {"attended"}

    def test_only_the_host_and_admins(self, held, admin_user, leader, staff, outsider):
        meeting, mine, theirs = held
        for person in (leader, staff, outsider):
            with pytest.raises(PermissionDenied):
                services.attendance_mark(by=person, meeting=meeting, attended=[])
        services.attendance_mark(by=admin_user, meeting=meeting, attended=[])
        assert set(meeting.seat_set.values_list("attendance", flat=True)) == {"no_show"}

    def test_not_before_the_meeting_has_taken_place(self, meeting, host, staff):
        seat = services.seat_claim(by=staff, meeting=meeting)
        with pytest.raises(ValidationError):
            services.attendance_mark(by=host, meeting=meeting, attended=[seat.pk])
        assert meeting.seat_set.get().attendance == ""

    def test_a_seat_of_another_meeting_changes_nothing(self, held, host):
        meeting, mine, theirs = held
        stranger = SeatFactory()
        with pytest.raises(ValidationError):
            services.attendance_mark(by=host, meeting=meeting, attended=[mine.pk, stranger.pk])
        assert set(Seat.objects.values_list("attendance", flat=True)) == {""}


@pytest.mark.django_db
class TestAttendanceView:
    def test_everyone_confirmed_starts_ticked(self, held, as_user, host):
        meeting, mine, theirs = held
        page = as_user(host).get(url(meeting)).content.decode()
        assert page.count(" checked>") == 2
        assert mine.user.name in page and theirs.user.name in page

    def test_marked_attendance_is_shown_as_marked(self, held, as_user, host):
        meeting, mine, theirs = held
        services.attendance_mark(by=host, meeting=meeting, attended=[mine.pk])
        assert as_user(host).get(url(meeting)).content.decode().count(" checked>") == 1

    def test_saving_marks_and_returns_to_the_meeting(self, held, as_user, host):
        meeting, mine, theirs = held
        response = as_user(host).post(url(meeting), {"attended": [str(mine.pk)]})
        assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
        theirs.refresh_from_db()
        assert theirs.attendance == "no_show"

    def test_a_foreign_seat_is_refused_with_a_message_and_nothing_changes(self, held, as_user, host):
        meeting, mine, theirs = held
        response = as_user(host).post(url(meeting), {"attended": [str(mine.pk), str(SeatFactory().pk)]})
        assert response.status_code == 200
        assert "Tick only people who had a seat at this meeting." in response.content.decode()
        assert set(Seat.objects.values_list("attendance", flat=True)) == {""}

    def test_listeners_and_colleagues_are_refused(self, held, as_user, leader, staff, outsider):
        meeting, mine, theirs = held
        for person in (leader, staff, outsider):
            client = as_user(person)
            assert client.get(url(meeting)).status_code == 403
            assert client.post(url(meeting), {"attended": []}).status_code == 403
        assert set(meeting.seat_set.values_list("attendance", flat=True)) == {""}

    def test_before_the_meeting_it_sends_the_host_back(self, meeting, as_user, host):
        response = as_user(host).get(url(meeting))
        assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()

    @pytest.mark.parametrize("listeners", [2, 40])
    def test_it_runs_a_fixed_number_of_queries(self, as_user, host, listeners, django_assert_num_queries):
        start = NOW - datetime.timedelta(days=2)
        meeting = MeetingFactory(host=host, seats=listeners, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                                 signup_closes_at=start - datetime.timedelta(days=1))
        for user in UserFactory.create_batch(listeners):
            SeatFactory(meeting=meeting, user=user)
        client = as_user(host)
        # session, user, meeting, the confirmed seats with their people and teams
        with django_assert_num_queries(4):
            response = client.get(url(meeting))
        assert response.content.decode().count(" checked>") == listeners

    @pytest.mark.parametrize("listeners", [2, 40])
    def test_the_host_sees_marks_on_the_meeting_page_in_fixed_queries(
        self, as_user, host, listeners, django_assert_num_queries
    ):
        start = NOW - datetime.timedelta(days=2)
        meeting = MeetingFactory(host=host, seats=listeners, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                                 signup_closes_at=start - datetime.timedelta(days=1))
        seats = [SeatFactory(meeting=meeting, user=user) for user in UserFactory.create_batch(listeners)]
        services.attendance_mark(by=host, meeting=meeting, attended=[s.pk for s in seats[1:]])
        client = as_user(host)
        # session, user, meeting, my seat, listeners and waitlist, debriefs
        with django_assert_num_queries(11):  # 6, and the listener brief the host reads (tests/meetings/test_brief.py)
            page = client.get(meeting.get_absolute_url()).content.decode()
        assert page.count("Did not attend") == 1 and "Correct attendance" in page


@pytest.mark.django_db
class TestNoShowsAreSeenByFew:
    def test_the_person_sees_their_own_mark(self, held, host, as_user, staff):
        meeting, mine, theirs = held  # theirs is staff's
        services.attendance_mark(by=host, meeting=meeting, attended=[mine.pk])
        page = as_user(staff).get(meeting.get_absolute_url()).content.decode()
        assert "The host marked you as not attending this meeting." in page
        assert "Marked as not attended" in as_user(staff).get(reverse("meetings:mine")).content.decode()

    def test_other_listeners_and_colleagues_do_not(self, held, host, as_user, leader, outsider):
        meeting, mine, theirs = held
        services.attendance_mark(by=host, meeting=meeting, attended=[mine.pk])
        for person in (leader, outsider):
            page = as_user(person).get(meeting.get_absolute_url()).content.decode()
            assert "not attend" not in page and "Did not attend" not in page
        team = as_user(outsider).get(reverse("meetings:team", args=[leader.team.slug])).content.decode()
        assert "Did not attend" not in team

    def test_a_no_show_is_not_asked_for_a_debrief(self, held, host, as_user, staff):
        meeting, mine, theirs = held
        services.attendance_mark(by=host, meeting=meeting, attended=[mine.pk])
        with pytest.raises(ValidationError):
            services.debrief_save(by=staff, meeting=meeting, goals_and_needs="x")
        assert as_user(staff).get(reverse("meetings:debrief", args=[meeting.pk])).status_code == 302
        assert selectors.home_panel(staff) is None

    def test_a_debrief_sent_after_being_marked_absent_keeps_what_was_typed(self, held, host, as_user, staff):
        meeting, mine, theirs = held
        client = as_user(staff)
        client.get(reverse("meetings:debrief", args=[meeting.pk]))  # the form is open
        services.attendance_mark(by=host, meeting=meeting, attended=[mine.pk])  # meanwhile, by the host
        response = client.post(reverse("meetings:debrief", args=[meeting.pk]), {
            "goals_and_needs": "They want fewer, bigger deliveries.", "surprises": "", "do_differently": ""})
        page = response.content.decode()
        assert "The host marked you as not attending, so there is no debrief to write." in page
        assert "They want fewer, bigger deliveries." in page
        assert not Debrief.objects.exists()


@pytest.mark.django_db
class TestQuotasCountAttendedMeetings:
    def test_a_no_show_does_not_count_and_an_unmarked_meeting_counts_provisionally(self, held, host, leader, staff):
        meeting, mine, theirs = held
        mine_year = selectors.my_meetings(user=leader)
        assert (mine_year["attended"], mine_year["provisional"]) == (1, 1)
        services.attendance_mark(by=host, meeting=meeting, attended=[theirs.pk])
        mine_year = selectors.my_meetings(user=leader)
        assert (mine_year["attended"], mine_year["provisional"]) == (0, 0)
        assert selectors.my_meetings(user=staff)["attended"] == 1
        [row] = selectors.team_leaders(team=leader.team)
        assert row.attended == 0

    def test_the_digest_counts_attended_meetings(self, held, host, leader):
        from meetings.digest import pick_quota, prepare

        meeting, mine, theirs = held
        assert "listened in on 1 of your" in pick_quota(prepare([leader], {}, NOW), leader, None, NOW)["note"]
        services.attendance_mark(by=host, meeting=meeting, attended=[theirs.pk])
        assert "listened in on 0 of your" in pick_quota(prepare([leader], {}, NOW), leader, None, NOW)["note"]

    def test_the_scorecard_counts_attended_meetings(self, held, host, leader):
        from insights.selectors import _attended_seats

        meeting, mine, theirs = held
        assert _attended_seats(NOW).count() == 2
        services.attendance_mark(by=host, meeting=meeting, attended=[theirs.pk])
        assert list(_attended_seats(NOW).values_list("user_id", flat=True)) == [theirs.user_id]

    def test_the_rule_is_said_where_the_counts_are(self, held, as_user, leader):
        page = as_user(leader).get(reverse("meetings:mine")).content.decode()
        assert "Until the host marks attendance, a meeting you had a seat at counts provisionally." in page
        assert "1 of your meetings counts provisionally." in page
