"""The shared home panels (insights/panels.py): open seats this month and the followed customers'
cards are shared; each viewer's own seats, hosted meetings and follows are decided per request."""

import datetime
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.services import customer_touch, follow_set, follow_toggle
from insights import panels
from meetings import services
from stories.services import story_create
from tests.factories import CustomerFactory, DecisionFactory, MeetingFactory, SeatFactory, StoryFactory

from .builders import follow

pytestmark = pytest.mark.django_db
HOME = reverse("home")


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
    if start is None:
        pytest.skip("too close to the end of the month")
    return start


class TestOpenSeats:
    def test_each_viewer_has_their_own_left_out(self, staff, leader, host, at):
        mine = MeetingFactory(title="Mine", starts_at=at, signup_closes_at=at - datetime.timedelta(hours=1))
        hosted = MeetingFactory(title="Hosted by Minh", host=staff, starts_at=at,
                                signup_closes_at=at - datetime.timedelta(hours=1))
        SeatFactory(meeting=mine, user=staff, status="cancelled")  # had a seat: left out, as before
        staff_ids = [pk for pk, _title in panels.open_seats_panel(staff)["meetings"]]
        leader_ids = [pk for pk, _title in panels.open_seats_panel(leader)["meetings"]]
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
        assert "Open" not in [title for _pk, title in panels.open_seats_panel(staff)["meetings"]]  # full now

    def test_a_closed_sign_up_leaves_the_panel(self, staff, monkeypatch):
        closes = this_month(2)
        if closes is None or this_month(4) is None:
            pytest.skip("too close to the end of the month")
        MeetingFactory(title="Closing", starts_at=closes + datetime.timedelta(hours=1), signup_closes_at=closes)
        assert ["Closing"] == [title for _pk, title in panels.open_seats_panel(staff)["meetings"]]
        later = closes + datetime.timedelta(minutes=1)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert panels.open_seats_panel(staff)["meetings"] == []

    def test_a_viewer_with_seats_at_every_shared_row_still_gets_the_next_ones(self, staff, leader, at):
        meetings = [MeetingFactory(title=f"Open {i:02d}", starts_at=at + datetime.timedelta(minutes=i),
                                   signup_closes_at=at - datetime.timedelta(hours=1)) for i in range(panels.SPARE + 7)]
        for meeting in meetings[: panels.SPARE + 3]:
            SeatFactory(meeting=meeting, user=staff)
        shown = panels.open_seats_panel(staff)
        assert [title for _pk, title in shown["meetings"]] == [f"Open {i:02d}" for i in range(panels.SPARE + 3, panels.SPARE + 7)]
        assert not shown["more"]
        assert [title for _pk, title in panels.open_seats_panel(leader)["meetings"]] == [f"Open {i:02d}" for i in range(4)]


class TestFollowedCards:
    def test_two_followers_share_the_cards_and_keep_their_own_list(self, staff, leader):
        both, only_staff = CustomerFactory(name="Shared Co"), CustomerFactory(name="Staff's own")
        follow(staff, [both, only_staff])
        follow(leader, [both])
        assert "Shared Co" in home(staff) and "Staff&#x27;s own" in home(staff)
        page = home(leader)
        assert "Shared Co" in page and "Staff&#x27;s own" not in page
        assert panels.followed_panel(leader)["customers"] == [both.pk]

    def test_reads_reactions_and_customer_activity_keep_the_cards(self, staff, leader, django_assert_num_queries):
        from customers.services import customer_touch
        from stories.services import reaction_toggle, read_record

        customer = CustomerFactory(name="Ken's Plumbing Supply")
        follow(staff, [customer])
        story = StoryFactory(customer=customer, title="Ken's crew waits on us")
        panels.followed_panel(staff)  # the card is rendered and kept
        read_record(by=leader, story=story)
        reaction_toggle(by=leader, story=story, kind="moved")
        customer_touch(customer_id=customer.pk)
        with django_assert_num_queries(1):  # whom I follow; the card itself is still the kept one
            assert "crew waits on us" in str(panels.followed_panel(staff)["html"])

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
    return [title for _pk, title in panels.open_seats_panel(user)["meetings"]]


class TestOpenSeatsKeptPerPerson:
    """Each viewer's panel (the shared rows less their own) is kept until a meeting, seat or customer
    changes, or a sign-up closes; every such change reaches their next home page."""

    @pytest.fixture
    def meeting(self, host, at):
        return MeetingFactory(title="Open review", host=host, seats=2, starts_at=at,
                              signup_closes_at=at - datetime.timedelta(hours=1))

    def test_a_repeat_view_runs_no_query(self, staff, meeting, django_assert_num_queries):
        with django_assert_num_queries(2):  # the month's open meetings (shared), the viewer's seats among them
            first = panels.open_seats_panel(staff)
        with django_assert_num_queries(0):
            assert panels.open_seats_panel(staff) == first
        assert first["meetings"] == [(meeting.pk, "Open review")]

    def test_two_viewers_never_see_each_others(self, staff, leader, meeting, at):
        SeatFactory(meeting=meeting, user=staff)
        for _ in range(2):  # the second time from what was kept
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
            assert f'datetime="{shown.isoformat()}"' in open_seats_html(staff)
        meeting.host = staff
        meeting.save()
        assert open_titles(staff) == []

    def test_the_spare_rows_run_out_and_a_sign_up_closes_further_down(self, staff, at, monkeypatch):
        """With seats at every shared row, the panel comes from the database: its rows' sign-ups are
        watched too, though they close before any shared row's."""
        closes = this_month(2)
        if closes is None or this_month(4) is None:
            pytest.skip("too close to the end of the month")
        late = at + datetime.timedelta(minutes=30)
        shared = [MeetingFactory(title=f"Shared {i:02d}", starts_at=late + datetime.timedelta(minutes=i),
                                 signup_closes_at=late - datetime.timedelta(minutes=5))
                  for i in range(panels.SPARE + 5)]
        for meeting in shared:
            SeatFactory(meeting=meeting, user=staff)
        MeetingFactory(title="Closing soon", starts_at=late + datetime.timedelta(minutes=40), signup_closes_at=closes)
        MeetingFactory(title="Closing later", starts_at=late + datetime.timedelta(minutes=41),
                       signup_closes_at=late - datetime.timedelta(minutes=5))
        assert open_titles(staff) == ["Closing soon", "Closing later"]
        later = closes + datetime.timedelta(minutes=1)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert open_titles(staff) == ["Closing later"]


class TestFollowedListKeptPerPerson:
    """Whom the viewer follows, in order of activity, is kept until they follow or unfollow or a
    customer's activity moves; "last activity … ago" is written afresh on every request."""

    def test_a_repeat_view_runs_no_query(self, staff, django_assert_num_queries):
        customer = CustomerFactory(name="Ken's Plumbing Supply")
        follow_toggle(by=staff, customer=customer)
        panels.followed_panel(staff)
        with django_assert_num_queries(0):  # the list and the card are kept
            assert panels.followed_panel(staff)["customers"] == [customer.pk]

    def test_following_and_unfollowing(self, staff, leader):
        customer = CustomerFactory(name="Ken's Plumbing Supply")
        assert "You do not follow any customers yet." in followed_html(staff)
        follow_toggle(by=staff, customer=customer)
        assert "Ken&#x27;s Plumbing Supply" in followed_html(staff)
        assert "You do not follow any customers yet." in followed_html(leader)  # someone else's follow
        follow_toggle(by=staff, customer=customer)
        assert "Ken&#x27;s Plumbing Supply" not in followed_html(staff)
        follow_set(by=staff, customer=customer)
        assert panels.followed_panel(staff)["customers"] == [customer.pk]
        follow_set(by=staff, customer=customer, follow=False)
        assert panels.followed_panel(staff)["customers"] == []

    def test_a_followed_customers_activity_moves_it_up(self, staff, leader):
        """customer_touch writes with update(): it bumps "customer-activity" itself."""
        older, newer = older_and_newer(staff, leader)
        assert panels.followed_panel(staff)["customers"] == [newer.pk, older.pk]
        assert panels.followed_panel(leader)["customers"] == [newer.pk, older.pk]
        assert "last activity 1\xa0day ago" in followed_html(staff)
        customer_touch(customer_id=older.pk)
        assert panels.followed_panel(staff)["customers"] == [older.pk, newer.pk]
        assert panels.followed_panel(leader)["customers"] == [older.pk, newer.pk]
        assert "last activity 0\xa0minutes ago" in followed_html(staff)

    def test_activity_saved_on_the_row_moves_it_too(self, staff):
        older, newer = older_and_newer(staff)
        assert panels.followed_panel(staff)["customers"] == [newer.pk, older.pk]
        older.last_activity_at = timezone.now()
        older.save(update_fields=["last_activity_at"])  # "customers" leaves this alone; "customer-activity" not
        assert panels.followed_panel(staff)["customers"] == [older.pk, newer.pk]

    def test_a_story_published_moves_its_customer_up(self, staff, leader):
        older, newer = older_and_newer(staff)
        assert panels.followed_panel(staff)["customers"] == [newer.pk, older.pk]
        story_create(by=leader, customer=older, title="Older Co's crew waits on us", body="They wait.", publish=True)
        page = followed_html(staff)
        assert panels.followed_panel(staff)["customers"] == [older.pk, newer.pk]
        assert "Older Co&#x27;s crew waits on us" in page

    def test_a_followed_customer_deleted(self, staff):
        kept, gone = CustomerFactory(name="Kept Co"), CustomerFactory(name="Gone Co")
        follow_toggle(by=staff, customer=kept)
        follow_toggle(by=staff, customer=gone)
        assert "Gone Co" in followed_html(staff)
        gone.delete()
        assert "Gone Co" not in followed_html(staff) and panels.followed_panel(staff)["customers"] == [kept.pk]

    def test_last_activity_is_the_clocks(self, staff, monkeypatch):
        customer = CustomerFactory(name="Ken's Plumbing Supply")
        customer_touch(customer_id=customer.pk)
        follow_toggle(by=staff, customer=customer)
        assert "last activity 0\xa0minutes ago" in followed_html(staff)
        later = timezone.now() + datetime.timedelta(days=2, minutes=1)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert "last activity 2\xa0days ago" in followed_html(staff)
