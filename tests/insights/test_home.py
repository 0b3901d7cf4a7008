import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from insights import selectors
from meetings.models import Seat
from stories.models import Read, Story
from tests.factories import (
    CustomerFactory, DecisionFactory, MeetingFactory, ReviewRequestFactory, SeatFactory, StoryFactory, UserFactory,
)

from .builders import follow

pytestmark = pytest.mark.django_db


def soon(days=0, hours=2):
    """A moment later this month when there is room, else right after now (still this month at least once)."""
    now = timezone.localtime()
    return now + datetime.timedelta(days=days, hours=hours)


def fill(user, size):
    """Things for the home page of `user`: followed customers with stories, decisions and meetings;
    reviews awaiting; a meeting with seats."""
    customers = [CustomerFactory() for _ in range(size)]
    follow(user, customers)
    for customer in customers:
        StoryFactory(customer=customer)
        decision = DecisionFactory()
        decision.customers.add(customer)
        MeetingFactory(customer=customer, starts_at=soon(hours=3), signup_closes_at=soon(hours=1), seats=3)
    for _ in range(size):
        ReviewRequestFactory(reviewer=user)
    past = MeetingFactory(starts_at=timezone.now() - datetime.timedelta(days=3))
    SeatFactory(meeting=past, user=user)
    return customers


class TestHomePage:
    def test_it_shows_every_panel(self, as_user, staff, leader):
        customer = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")
        follow(staff, [customer])
        StoryFactory(customer=customer, author=leader, title="Ken's crew waits on us")
        decision = DecisionFactory(title="Sixty-day payment terms", status="in_review")
        decision.customers.add(customer)
        ReviewRequestFactory(decision=decision, reviewer=staff)
        MeetingFactory(customer=customer, title="Annual review with Ken", starts_at=soon(hours=3), signup_closes_at=soon(hours=1), seats=2)
        past = MeetingFactory(customer=customer, title="Site visit at Ken's", starts_at=timezone.now() - datetime.timedelta(days=2))
        SeatFactory(meeting=past, user=staff)

        html = as_user(staff).get(reverse("home")).content.decode()
        assert "A story to start your day" in html and "Ken&#x27;s crew waits on us" in html
        assert "Awaiting my review" in html and "Sixty-day payment terms" in html
        assert "Write my debrief" in html
        assert "Customers I follow" in html and 'id="followed-customers"' in html
        assert "Latest decision" in html and "Latest meeting" in html
        assert "dashboard__cell--followed-customers" in html

    def test_open_seats_this_month_leave_out_full_and_mine(self, staff, host):
        open_one = MeetingFactory(title="Open", starts_at=soon(hours=3), signup_closes_at=soon(hours=1), seats=2)
        full = MeetingFactory(title="Full", starts_at=soon(hours=3), signup_closes_at=soon(hours=1), seats=1)
        SeatFactory(meeting=full)
        mine = MeetingFactory(title="Mine", starts_at=soon(hours=3), signup_closes_at=soon(hours=1), seats=3)
        SeatFactory(meeting=mine, user=staff)
        hosted = MeetingFactory(title="Hosted", host=staff, starts_at=soon(hours=3), signup_closes_at=soon(hours=1), seats=3)
        context = selectors.open_seats_panel(staff)
        titles = [m.title for m in context["meetings"]]
        if timezone.localtime(open_one.starts_at).month == timezone.localtime().month:
            assert titles == ["Open"]
        assert full.title not in titles and hosted.title not in titles and mine.title not in titles

    def test_open_seats_fill_the_panel_with_meetings_i_can_join(self, staff):
        """Meetings I already have a seat at, or that have ended or started, take no place in the panel."""
        now = timezone.make_aware(datetime.datetime(2030, 5, 10, 9, 0))
        at = [now + datetime.timedelta(days=day) for day in range(1, 8)]
        SeatFactory(user=staff, meeting=MeetingFactory(title="Mine", starts_at=at[0], signup_closes_at=at[0]))
        MeetingFactory(title="Started", starts_at=now - datetime.timedelta(minutes=30),
                       signup_closes_at=now - datetime.timedelta(days=1))
        MeetingFactory(title="Last week", starts_at=now - datetime.timedelta(days=7))
        MeetingFactory(title="Next month", starts_at=now + datetime.timedelta(days=30))
        for n, starts_at in enumerate(at[1:6], start=1):
            MeetingFactory(title=f"Open {n}", starts_at=starts_at, signup_closes_at=starts_at)
        context = selectors.open_seats_panel(staff, now=now)
        assert [m.title for m in context["meetings"]] == ["Open 1", "Open 2", "Open 3", "Open 4"]
        assert context["more"] and [m.seats_left() for m in context["meetings"]] == [2, 2, 2, 2]

    def test_whats_new_is_the_newest_of_each_kind(self, staff, leader):
        customer = CustomerFactory()
        follow(staff, [customer])
        old = timezone.now() - datetime.timedelta(days=30)
        StoryFactory(customer=customer, title="Older", published_at=old)
        StoryFactory(customer=customer, title="Newer")
        StoryFactory(customer=customer, title="Draft", status="draft", published_at=None)
        [row] = selectors.followed_panel(staff)["customers"]
        assert row.story_title == "Newer" and row.decision_pk is None and row.meeting_pk is None

    def test_whats_new_carries_links_dates_and_labels(self, as_user, staff):
        customer = CustomerFactory()
        follow(staff, [customer])
        story = StoryFactory(customer=customer, title="Newest story",
                             published_at=timezone.now() - datetime.timedelta(days=2))
        decision = DecisionFactory(title="Sixty-day terms", status="decided")
        decision.customers.add(customer)
        DecisionFactory(title="A draft", status="draft").customers.add(customer)
        meeting = MeetingFactory(customer=customer, title="Annual review", starts_at=soon(days=3))
        [row] = selectors.followed_panel(staff)["customers"]
        assert (row.story_pk, row.story_slug, row.story_at) == (story.pk, story.slug, story.published_at)
        assert (row.decision_pk, row.decision_title) == (decision.pk, "Sixty-day terms")
        assert row.decision_status_label == "Decided"
        assert (row.meeting_pk, row.meeting_title, row.meeting_at) == (meeting.pk, "Annual review", meeting.starts_at)
        html = as_user(staff).get(reverse("home")).content.decode()
        assert story.get_absolute_url() in html and decision.get_absolute_url() in html
        assert f'datetime="{timezone.localtime(meeting.starts_at).isoformat(timespec="seconds")}"' in html

    def test_without_follows_it_says_so(self, as_user, staff):
        html = as_user(staff).get(reverse("home")).content.decode()
        assert "You do not follow any customers yet." in html

    @pytest.mark.parametrize("persona", ["leader", "staff", "host", "admin_user", "outsider"])
    def test_every_role_gets_a_home_page(self, request, as_user, persona):
        assert as_user(request.getfixturevalue(persona)).get(reverse("home")).status_code == 200

    def test_the_same_number_of_queries_at_two_sizes(self, as_user, staff, django_assert_num_queries):
        client = as_user(staff)
        fill(staff, 2)
        client.get(reverse("home"))
        # session, user; the story of the day, the reviews awaiting them, their impact checks due, their meetings, the open seats
        # less their own and whom they follow (with each customer's newest story, decision and meeting):
        # one query each, on every request; and the notes routed to them and their 3-2-1 rhythm (loops: for
        # staff in Finance, only their team, which says they keep none); and this quarter's employee pulse (one query)
        with django_assert_num_queries(11):
            client.get(reverse("home"))
        customers = fill(staff, 25)
        for _ in range(10):
            SeatFactory(user=staff, meeting=MeetingFactory(starts_at=soon(days=1)), status=Seat.Status.CONFIRMED)
        UserFactory.create_batch(3)
        with django_assert_num_queries(11):
            response = client.get(reverse("home"))
        assert len(response.context["home_panels"]) == 5  # no employee pulse open
        assert len(response.context["home_panels"][-1]["customers"]) == 12
        # Someone else who follows the same customers: the same queries for their own panels.
        other = UserFactory()
        follow(other, customers)
        other_client = Client()
        other_client.force_login(other)
        with django_assert_num_queries(11):
            other_client.get(reverse("home"))
        # With every story read, the story panel picks again, looking further (team, then any) in the
        # same one query.
        Read.objects.bulk_create(Read(story=story, customer_id=story.customer_id, user=staff) for story in Story.objects.all())
        with django_assert_num_queries(11):
            response = client.get(reverse("home"))
        assert "story_of_the_day" not in [panel["key"] for panel in response.context["home_panels"]]


class TestNextHostedMeeting:
    def test_a_host_sees_the_next_meeting_they_host(self, as_user, host, staff):
        MeetingFactory(host=host, title="Later review", starts_at=soon(days=5))
        MeetingFactory(host=host, title="Quarterly review with Rosa", starts_at=soon(days=2))
        MeetingFactory(host=host, title="Cancelled one", starts_at=soon(days=1), status="cancelled")
        html = as_user(host).get(reverse("home")).content.decode()
        assert "Your next customer meeting" in html and "Quarterly review with Rosa" in html
        assert "Your next customer meeting" not in as_user(staff).get(reverse("home")).content.decode()
