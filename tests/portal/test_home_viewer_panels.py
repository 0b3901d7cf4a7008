"""The home page's per-viewer panels (reviews awaiting me, my meetings, open seats less my own, whom I
follow): each is read for the viewer on every request in a fixed number of queries, and no one ever
gets another person's panel. Each panel's own tests say which change reaches the next view:
tests/decisions/test_home_panel.py, tests/meetings/test_rendering.py, tests/insights/test_home_panels.py."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.services import follow_toggle
from meetings import services as meetings
from tests.conftest import frozen_at
from tests.factories import (
    CustomerFactory, DecisionFactory, MeetingFactory, ReviewRequestFactory, SeatFactory, StoryFactory,
)

pytestmark = pytest.mark.django_db
# A moment late in a month: the meetings two weeks out fall in the next month, out of "Open seats this month".
_now = pytest.fixture(autouse=True)(frozen_at(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)))
HOME = reverse("home")
VIEWER_PANELS = {"decisions-awaiting-review", "meetings-debriefs", "open-seats", "followed-customers"}


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def soon(hours):
    """A meeting time this month when there is room, else just after now."""
    now = timezone.localtime()
    at = now + datetime.timedelta(hours=hours)
    return at if at.month == now.month else now + datetime.timedelta(minutes=hours)


@pytest.fixture
def world(staff, leader, host):
    """For each of staff and leader, things of their own in every panel, named after them; and an open
    meeting both can sign up for."""
    for person in (staff, leader):
        name = person.name.split()[0]
        ReviewRequestFactory(decision=DecisionFactory(title=f"Decision for {name}"), reviewer=person)
        SeatFactory(user=person, meeting=MeetingFactory(host=host, title=f"Coming up for {name}"))
        past = timezone.now() - datetime.timedelta(days=3)
        SeatFactory(user=person, meeting=MeetingFactory(
            host=host, title=f"Held with {name}", starts_at=past, signup_closes_at=past - datetime.timedelta(days=1)))
        customer = CustomerFactory(name=f"Followed by {name}")
        follow_toggle(by=person, customer=customer)
        StoryFactory(customer=customer, title=f"Story about {name}'s customer")
    MeetingFactory(host=host, title="Open to everyone", starts_at=soon(3), signup_closes_at=soon(2), seats=3)
    return {staff: "Minh", leader: "Grace"}


def open_seats(client):
    page = client.get(HOME).content.decode()
    start = page.index('class="card home-panel home-open-seats"')
    return page[start:page.index("</section>", start)]


def followed(client):
    page = client.get(HOME).content.decode()
    start = page.index('class="card home-panel home-followed"')
    return page[start:page.index("</section>", start)]


def shows(page, name):
    return {
        "decision": f"Decision for {name}" in page, "meeting": f"Coming up for {name}" in page,
        "debrief": f"Held with {name}" in page, "followed": f"Followed by {name}" in page,
    }


class TestRepeatViews:
    def test_a_repeat_view_runs_a_fixed_number_of_queries(self, staff, world, django_assert_num_queries):
        client = signed_in(staff)
        first = client.get(HOME)
        assert VIEWER_PANELS <= {panel["key"] for panel in first.context["home_panels"]}
        # session, user; the story of the day, reviews awaiting me, impact checks due, my meetings, open seats, whom I
        # follow, notes routed to me, my 3-2-1 rhythm, this quarter's employee pulse: one query each, on every request
        with django_assert_num_queries(11):
            again = client.get(HOME)
        keys = [panel["key"] for panel in again.context["home_panels"]]
        assert keys == [panel["key"] for panel in first.context["home_panels"]]
        assert all(shows(again.content.decode(), "Minh").values())

    def test_someone_elses_follow_changes_nothing_of_mine(self, staff, leader, world, django_assert_num_queries):
        customer = CustomerFactory(name="Leader's new one")
        client = signed_in(staff)
        before = followed(client)
        follow_toggle(by=leader, customer=customer)
        with django_assert_num_queries(11):
            assert followed(client) == before
        follow_toggle(by=staff, customer=customer)
        with django_assert_num_queries(11):
            assert "Leader&#x27;s new one" in client.get(HOME).content.decode()


class TestTwoViewers:
    def test_they_never_see_each_others_panels(self, staff, leader, world):
        mine, theirs = signed_in(staff), signed_in(leader)
        for _ in range(2):
            page = mine.get(HOME).content.decode()
            assert all(shows(page, "Minh").values()) and not any(shows(page, "Grace").values())
            page = theirs.get(HOME).content.decode()
            assert all(shows(page, "Grace").values()) and not any(shows(page, "Minh").values())

    def test_a_change_of_one_reaches_only_their_panel(self, staff, leader, world):
        mine, theirs = signed_in(staff), signed_in(leader)
        mine.get(HOME), theirs.get(HOME)
        open_meeting = MeetingFactory._meta.model.objects.get(title="Open to everyone")
        assert timezone.localtime(open_meeting.starts_at).month == timezone.localtime().month  # the frozen moment
        meetings.seat_claim(by=staff, meeting=open_meeting)
        assert "Open to everyone" not in open_seats(mine)
        assert "Open to everyone" in open_seats(theirs) and "2 seats left" in open_seats(theirs)


def test_the_scorecard_link_says_my_team_only_to_people_in_a_team(staff):
    from tests.factories import UserFactory

    assert "My team's scorecard" in signed_in(staff).get(HOME).content.decode()
    html = signed_in(UserFactory(team=None, role="admin")).get(HOME).content.decode()
    assert "My team's scorecard" not in html
    assert f'href="{reverse("insights:scorecard")}">Scorecard</a>' in html
