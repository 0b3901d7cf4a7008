"""The shared home panels (insights/panels.py): open seats this month and the followed customers'
cards are shared; each viewer's own seats, hosted meetings and follows are decided per request."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from insights import panels
from meetings import services
from tests.factories import CustomerFactory, DecisionFactory, MeetingFactory, SeatFactory, StoryFactory

from .builders import follow

pytestmark = pytest.mark.django_db
HOME = reverse("home")


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
