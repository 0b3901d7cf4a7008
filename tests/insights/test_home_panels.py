"""The home panels "Open seats this month" and "Customers I follow" (insights/selectors.py, drawn by
templates/insights/panels/*.html): each viewer's own, read on every request in one query each, so
every change reaches the next home page and nobody sees another person's panel."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.services import customer_touch, follow_set, follow_toggle
from insights import selectors
from meetings import services
from stories.services import story_create
from tests.conftest import frozen_at
from tests.factories import CustomerFactory, DecisionFactory, MeetingFactory, SeatFactory, StoryFactory

from .builders import follow

pytestmark = pytest.mark.django_db
# The month's open seats need room left in the month: every test runs on the 10th at 10:00 UTC.
_now = pytest.fixture(autouse=True)(frozen_at(datetime.datetime(2026, 11, 10, 10, 0, tzinfo=datetime.UTC)))
HOME = reverse("home")
MANY = 20  # more meetings than the panel shows, with a seat of the viewer's at each


def open_seat_rows(user, **kwargs):
    return [(m.pk, m.title) for m in selectors.open_seats_panel(user, **kwargs)["meetings"]]


def followed_ids(user):
    return [c.pk for c in selectors.followed_panel(user)["customers"]]


def older_and_newer(*followers):
    """Two customers, active three days and one day ago, followed by each of `followers`."""
    older, newer = CustomerFactory(name="Older Co"), CustomerFactory(name="Newer Co")
    customer_touch(customer_id=older.pk, at=timezone.now() - datetime.timedelta(days=3))
    customer_touch(customer_id=newer.pk, at=timezone.now() - datetime.timedelta(days=1))
    for follower in followers:
        for customer in (older, newer):
            follow_toggle(by=follower, customer=customer)
    return older, newer


def home(user):
    client = Client()
    client.force_login(user)
    return client.get(HOME).content.decode()


def this_month(hours):
    """A meeting time later this month, when there is room (None in the month's last hours)."""
    now = timezone.localtime()
    at = now + datetime.timedelta(hours=hours)
    return at if at.month == now.month else None


@pytest.fixture
def at():
    start = this_month(3)
    assert start is not None  # the frozen 10th leaves room in the month
    return start


class TestOpenSeats:
    def test_each_viewer_has_their_own_left_out(self, staff, leader, host, at):
        mine = MeetingFactory(title="Mine", starts_at=at, signup_closes_at=at - datetime.timedelta(hours=1))
        hosted = MeetingFactory(title="Hosted by Minh", host=staff, starts_at=at,
                                signup_closes_at=at - datetime.timedelta(hours=1))
        SeatFactory(meeting=mine, user=staff, status="cancelled")  # had a seat: left out, as before
        staff_ids = [pk for pk, _title in open_seat_rows(staff)]
        leader_ids = [pk for pk, _title in open_seat_rows(leader)]
        assert staff_ids == [] and leader_ids == [mine.pk, hosted.pk]
        assert "Hosted by Minh" in home(leader) and "Hosted by Minh" not in home(staff)

    def test_sign_ups_and_renames_show_at_once(self, staff, leader, at):
        meeting = MeetingFactory(title="Open", seats=2, starts_at=at, signup_closes_at=at - datetime.timedelta(hours=1))
        assert "2 seats left" in home(staff)
        services.seat_claim(by=leader, meeting=meeting)
        assert "1 seat left" in home(staff)
        meeting.customer.name = "Renamed & Co"
        meeting.customer.save()
        assert "Renamed &amp; Co" in home(staff)
        SeatFactory(meeting=meeting)
        assert "Open" not in [title for _pk, title in open_seat_rows(staff)]  # full now

    def test_a_closed_sign_up_leaves_the_panel(self, staff, monkeypatch):
        closes = this_month(2)
        assert closes is not None and this_month(4) is not None  # the frozen 10th leaves room
        MeetingFactory(title="Closing", starts_at=closes + datetime.timedelta(hours=1), signup_closes_at=closes)
        assert ["Closing"] == [title for _pk, title in open_seat_rows(staff)]
        later = closes + datetime.timedelta(minutes=1)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert open_seat_rows(staff) == []

    def test_a_viewer_with_seats_at_every_shared_row_still_gets_the_next_ones(self, staff, leader, at):
        meetings = [MeetingFactory(title=f"Open {i:02d}", starts_at=at + datetime.timedelta(minutes=i),
                                   signup_closes_at=at - datetime.timedelta(hours=1)) for i in range(MANY + 7)]
        for meeting in meetings[: MANY + 3]:
            SeatFactory(meeting=meeting, user=staff)
        shown = selectors.open_seats_panel(staff)
        assert [m.title for m in shown["meetings"]] == [f"Open {i:02d}" for i in range(MANY + 3, MANY + 7)]
        assert not shown["more"]
        assert [title for _pk, title in open_seat_rows(leader)] == [f"Open {i:02d}" for i in range(4)]


class TestFollowedCards:
    def test_two_followers_share_the_cards_and_keep_their_own_list(self, staff, leader):
        both, only_staff = CustomerFactory(name="Shared Co"), CustomerFactory(name="Staff's own")
        follow(staff, [both, only_staff])
        follow(leader, [both])
        assert "Shared Co" in home(staff) and "Staff&#x27;s own" in home(staff)
        page = home(leader)
        assert "Shared Co" in page and "Staff&#x27;s own" not in page
        assert followed_ids(leader) == [both.pk]

    def test_one_query_whatever_they_follow(self, staff, leader, django_assert_num_queries):
        customer = CustomerFactory(name="Ken's Plumbing Supply")
        follow(staff, [customer])
        StoryFactory(customer=customer, title="Ken's crew waits on us")
        selectors.followed_panel(staff)  # SQLite's JSON support is asked once per connection, by the first query using it
        with django_assert_num_queries(1):
            panel = selectors.followed_panel(staff)
        assert panel["customers"][0].story_title == "Ken's crew waits on us"
        follow(staff, [CustomerFactory() for _ in range(15)])
        with django_assert_num_queries(1):
            panel = selectors.followed_panel(staff)
        assert len(panel["customers"]) == 12 and panel["more"]

    def test_new_stories_decisions_meetings_and_renames_show_at_once(self, staff, leader):
        customer = CustomerFactory(name="Ken's Plumbing Supply")
        follow(staff, [customer])
        page = home(staff)
        assert page.count("none yet") == 3
        story = StoryFactory(customer=customer, title="Ken's crew waits on us")
        assert "Ken&#x27;s crew waits on us" in home(staff)
        decision = DecisionFactory(title="Sixty-day terms", status="decided")
        decision.customers.add(customer)
        assert "Sixty-day terms" in home(staff)
        meeting = MeetingFactory(customer=customer, title="Annual review with Ken")
        assert "Annual review with Ken" in home(staff)
        customer.name = "Ken's Plumbing & Heating"
        customer.save()
        story.title = "Ken's crew, on time"
        story.save()
        decision.title = "Thirty-day terms"
        decision.save()
        meeting.title = "Annual review, moved"
        meeting.save()
        page = home(staff)
        for text in ("Ken&#x27;s Plumbing &amp; Heating", "Ken&#x27;s crew, on time", "Thirty-day terms",
                     "Annual review, moved"):
            assert text in page
        assert "none yet" not in page

    def test_unfollowing_takes_the_card_away(self, staff):
        customer = CustomerFactory(name="Gone Co")
        follow(staff, [customer])
        assert "Gone Co" in home(staff)
        staff.customer_follows.all().delete()
        assert "Gone Co" not in home(staff) and "You do not follow any customers yet." in home(staff)


def panel_html(user, css_class):
    """The home page's panel of `css_class` (its <section>), as `user` gets it (both are always shown)."""
    page = home(user)
    start = page.index(f'class="card home-panel {css_class}"')
    return page[start:page.index("</section>", start)]


def open_seats_html(user):
    return panel_html(user, "home-open-seats")


def followed_html(user):
    return panel_html(user, "home-followed")


def open_titles(user):
    return [title for _pk, title in open_seat_rows(user)]


def test_with_no_meeting_the_panel_does_not_say_seats_ran_out(staff):
    """A company that never opened a meeting has had no seats to run out of."""
    html = open_seats_html(staff)
    assert "No meeting this month has a seat you can sign up for." in html
    assert "left" not in html


class TestOpenSeatsPerRequest:
    """Each viewer's panel (the month's open meetings less their own) is read on every request: every
    change reaches their next home page."""

    @pytest.fixture
    def meeting(self, host, at):
        return MeetingFactory(title="Open review", host=host, seats=2, starts_at=at,
                              signup_closes_at=at - datetime.timedelta(hours=1))

    def test_one_query_at_two_sizes(self, staff, meeting, at, django_assert_num_queries):
        """Seats left come from the meetings' seats, counted in the same query."""
        with django_assert_num_queries(1):
            assert open_seat_rows(staff) == [(meeting.pk, "Open review")]
        for i in range(10):
            SeatFactory(meeting=MeetingFactory(starts_at=at, signup_closes_at=at - datetime.timedelta(hours=1)))
        with django_assert_num_queries(1):
            shown = selectors.open_seats_panel(staff)
        assert len(shown["meetings"]) == 4 and shown["more"]
        assert [m.seats_left() for m in shown["meetings"]].count(1) == 3  # the others have one seat taken

    def test_two_viewers_never_see_each_others(self, staff, leader, meeting, at):
        SeatFactory(meeting=meeting, user=staff)
        for _ in range(2):
            assert open_titles(staff) == [] and open_titles(leader) == ["Open review"]
            assert "Open review" not in open_seats_html(staff) and "Open review" in open_seats_html(leader)

    def test_my_seat_taken_and_given_up(self, staff, leader, meeting):
        assert "2 seats left" in open_seats_html(staff) and "2 seats left" in open_seats_html(leader)
        services.seat_claim(by=staff, meeting=meeting)
        assert "Open review" not in open_seats_html(staff) and "1 seat left" in open_seats_html(leader)
        services.seat_cancel(by=staff, meeting=meeting)
        assert "Open review" not in open_seats_html(staff)  # had a seat: left out, as the selector does
        assert "2 seats left" in open_seats_html(leader)

    def test_full_then_a_seat_freed(self, staff, leader, outsider, host, at):
        meeting = MeetingFactory(title="One seat", host=host, seats=1, starts_at=at,
                                 signup_closes_at=at - datetime.timedelta(hours=1))
        assert open_titles(staff) == ["One seat"]
        services.seat_claim(by=leader, meeting=meeting)
        assert open_titles(staff) == []
        services.seat_claim(by=outsider, meeting=meeting)  # waitlisted
        services.seat_cancel(by=leader, meeting=meeting)  # outsider moves up: still full
        assert open_titles(staff) == []
        services.seat_cancel(by=outsider, meeting=meeting)
        assert open_titles(staff) == ["One seat"]

    def test_a_meeting_cancelled_rescheduled_or_handed_to_me(self, staff, host, meeting, at):
        other = MeetingFactory(title="Site visit", host=host, starts_at=at,
                               signup_closes_at=at - datetime.timedelta(hours=1))
        assert open_titles(staff) == ["Open review", "Site visit"]
        services.meeting_cancel(by=host, meeting=other)
        assert open_titles(staff) == ["Open review"]
        moved = at + datetime.timedelta(minutes=30)
        if timezone.localtime(moved).month == timezone.localtime(at).month:
            services.meeting_update(by=host, meeting=meeting, starts_at=moved,
                                    ends_at=moved + datetime.timedelta(hours=1))
            shown = timezone.localtime(moved, zoneinfo.ZoneInfo(staff.time_zone))  # the page's: the viewer's
            assert f'datetime="{shown.isoformat(timespec="seconds")}"' in open_seats_html(staff)
        meeting.host = staff
        meeting.save()
        assert open_titles(staff) == []

    def test_the_spare_rows_run_out_and_a_sign_up_closes_further_down(self, staff, at, monkeypatch):
        """With seats at many of the month's meetings, the panel still shows the next ones, and a sign-up
        closing further down takes its meeting out."""
        closes = this_month(2)
        assert closes is not None and this_month(4) is not None  # the frozen 10th leaves room
        late = at + datetime.timedelta(minutes=30)
        shared = [MeetingFactory(title=f"Shared {i:02d}", starts_at=late + datetime.timedelta(minutes=i),
                                 signup_closes_at=late - datetime.timedelta(minutes=5))
                  for i in range(MANY + 5)]
        for meeting in shared:
            SeatFactory(meeting=meeting, user=staff)
        MeetingFactory(title="Closing soon", starts_at=late + datetime.timedelta(minutes=40), signup_closes_at=closes)
        MeetingFactory(title="Closing later", starts_at=late + datetime.timedelta(minutes=41),
                       signup_closes_at=late - datetime.timedelta(minutes=5))
        assert open_titles(staff) == ["Closing soon", "Closing later"]
        later = closes + datetime.timedelta(minutes=1)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert open_titles(staff) == ["Closing later"]


class TestFollowedListPerRequest:
    """Whom the viewer follows, in order of activity, with "last activity … ago": read on every request."""

    def test_following_and_unfollowing(self, staff, leader):
        customer = CustomerFactory(name="Ken's Plumbing Supply")
        assert "You do not follow any customers yet." in followed_html(staff)
        assert followed_html(staff).count("Find customers to follow") == 1  # in the empty card's sentence only
        follow_toggle(by=staff, customer=customer)
        assert "Ken&#x27;s Plumbing Supply" in followed_html(staff)
        assert followed_html(staff).count("Find customers to follow") == 1  # beside the heading
        assert "You do not follow any customers yet." in followed_html(leader)  # someone else's follow
        follow_toggle(by=staff, customer=customer)
        assert "Ken&#x27;s Plumbing Supply" not in followed_html(staff)
        follow_set(by=staff, customer=customer)
        assert followed_ids(staff) == [customer.pk]
        follow_set(by=staff, customer=customer, follow=False)
        assert followed_ids(staff) == []

    def test_a_followed_customers_activity_moves_it_up(self, staff, leader):
        """customer_touch writes with update(): the next home page reads it."""
        older, newer = older_and_newer(staff, leader)
        assert followed_ids(staff) == [newer.pk, older.pk]
        assert followed_ids(leader) == [newer.pk, older.pk]
        assert "last activity 1\xa0day ago" in followed_html(staff)
        customer_touch(customer_id=older.pk)
        assert followed_ids(staff) == [older.pk, newer.pk]
        assert followed_ids(leader) == [older.pk, newer.pk]
        assert "last activity 0\xa0minutes ago" in followed_html(staff)

    def test_activity_saved_on_the_row_moves_it_too(self, staff):
        older, newer = older_and_newer(staff)
        assert followed_ids(staff) == [newer.pk, older.pk]
        older.last_activity_at = timezone.now()
        older.save(update_fields=["last_activity_at"])
        assert followed_ids(staff) == [older.pk, newer.pk]

    def test_a_story_published_moves_its_customer_up(self, staff, leader):
        older, newer = older_and_newer(staff)
        assert followed_ids(staff) == [newer.pk, older.pk]
        story_create(by=leader, customer=older, title="Older Co's crew waits on us", body="They wait.", publish=True)
        page = followed_html(staff)
        assert followed_ids(staff) == [older.pk, newer.pk]
        assert "Older Co&#x27;s crew waits on us" in page

    def test_a_followed_customer_deleted(self, staff):
        kept, gone = CustomerFactory(name="Kept Co"), CustomerFactory(name="Gone Co")
        follow_toggle(by=staff, customer=kept)
        follow_toggle(by=staff, customer=gone)
        assert "Gone Co" in followed_html(staff)
        gone.delete()
        assert "Gone Co" not in followed_html(staff) and followed_ids(staff) == [kept.pk]

    def test_last_activity_is_the_clocks(self, staff):
        customer = CustomerFactory(name="Ken's Plumbing Supply")
        customer_touch(customer_id=customer.pk)
        follow_toggle(by=staff, customer=customer)
        assert "last activity 0\xa0minutes ago" in followed_html(staff)
        later = timezone.now() + datetime.timedelta(days=2, minutes=1)
        with time_machine.travel(later):
            assert "last activity 2\xa0days ago" in followed_html(staff)
