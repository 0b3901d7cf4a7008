"""How the meetings pages are drawn. The list's cards keep what every reader sees alike (kind, title,
customer, host, when) in each worker's fragment memory, keyed by what they show; seats left, the
waitlist and the reader's own seat are filled in on every request, as are the customer page's section
and the home panel. What the clock changes (a meeting ends, a sign-up closes) is decided per request
by the queries, never kept."""

import datetime
import zoneinfo

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings import selectors, services
from tests.conftest import frozen_at
from tests.factories import CustomerFactory, DebriefFactory, MeetingFactory, SeatFactory, UserFactory

pytestmark = pytest.mark.django_db
# A moment late in a month: the meetings two weeks out fall in the next month, out of "Open seats this month".
_now = pytest.fixture(autouse=True)(frozen_at(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)))
LIST = reverse("meetings:list")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def body(client, url=LIST, **params):
    return client.get(url, params).content.decode()


def kept():
    """What this worker's fragment memory holds: {key: stored markup} (LocMemCache's own dict, read
    as it is: the cache API has no way to list its keys)."""
    return dict(caches["template_fragments"]._cache)


def moment(at, user):
    """How a page writes `at` in a <time datetime=…> for `user`."""
    return f'datetime="{timezone.localtime(at, zoneinfo.ZoneInfo(user.time_zone)).isoformat(timespec="seconds")}"'


class TestList:
    def test_each_viewer_sees_their_own_seat(self, staff, leader, meeting):
        other = MeetingFactory(title="Site visit", seats=1)
        SeatFactory(meeting=meeting, user=staff)
        SeatFactory(meeting=other)
        SeatFactory(meeting=other, user=leader, status="waitlisted")
        mine, theirs = body(signed_in(staff)), body(signed_in(leader))
        assert mine.count("You have a seat") == 1 and "You are on the waitlist" not in mine
        assert theirs.count("You are on the waitlist") == 1 and "You have a seat" not in theirs
        assert "1 seat left" in mine and "1 seat left" in theirs  # the shared part: the same for both

    def test_a_sign_up_shows_at_once(self, staff, leader, meeting):
        client = signed_in(staff)
        assert "2 seats left" in body(client)
        services.seat_claim(by=leader, meeting=meeting)
        page = body(client)
        assert "1 seat left" in page and "You have a seat" not in page
        services.seat_claim(by=staff, meeting=meeting)
        page = body(client)
        assert "Full" in page and "You have a seat" in page
        services.seat_cancel(by=staff, meeting=meeting)
        assert "1 seat left" in body(client)

    def test_renamed_customers_hosts_and_meetings_show_at_once(self, staff, meeting):
        client = signed_in(staff)
        assert "Annual review with Ken" in body(client)
        meeting.customer.name = "Ken's Plumbing & Heating"
        meeting.customer.save()
        meeting.host.name = "Samantha Carter"
        meeting.host.save()
        page = body(client)
        assert "Ken&#x27;s Plumbing &amp; Heating" in page and "Samantha Carter" in page
        meeting.title = "Annual review, moved"
        meeting.save()
        assert "Annual review, moved" in body(client)
        MeetingFactory(title="A new one")
        assert "A new one" in body(client)

    def test_a_sign_up_and_leaving_change_no_kept_card(self, staff, leader, meeting):
        other = MeetingFactory(title="Site visit", seats=1)
        client = signed_in(staff)
        assert "2 seats left" in body(client) and "1 seat left" in body(client)
        before = kept()
        assert len(before) == 2  # one card each
        services.seat_claim(by=leader, meeting=meeting)
        services.seat_claim(by=staff, meeting=other)
        page = body(client)
        assert "1 seat left" in page and "Full" in page and "You have a seat" in page
        assert kept() == before
        services.seat_cancel(by=staff, meeting=other)
        page = body(client)
        assert "1 seat left" in page and "Full" not in page and "You have a seat" not in page
        assert kept() == before

    def test_a_promotion_shows_at_once(self, staff, leader, host, meeting):
        one = MeetingFactory(host=host, title="One seat only", seats=1)
        services.seat_claim(by=leader, meeting=one)
        services.seat_claim(by=staff, meeting=one)
        client = signed_in(staff)
        assert "You are on the waitlist" in body(client) and "1 on the waitlist" in body(client)
        before = kept()
        services.seat_cancel(by=leader, meeting=one)
        page = body(client)
        assert "A seat is held for you" in page and "You are on the waitlist" not in page and "on the waitlist" not in page
        services.seat_offer_accept(by=staff, seat=one.seat_set.get(user=staff))
        page = body(client)
        assert "You have a seat" in page and "A seat is held for you" not in page
        assert kept() == before

    def test_filters_and_pages_are_kept_apart(self, staff, meeting):
        MeetingFactory(kind="site_visit", title="Site visit")
        client = signed_in(staff)
        assert "Site visit" in body(client) and "Annual review with Ken" in body(client)
        page = body(client, kind="site_visit")
        assert "Site visit" in page and "Annual review with Ken" not in page
        assert 'value="site_visit" selected' in page  # the filter form is kept with its page

    def test_a_meeting_that_ends_leaves_the_list(self, staff, monkeypatch):
        now = timezone.now()
        MeetingFactory(title="Short one", starts_at=now + datetime.timedelta(hours=1),
                       ends_at=now + datetime.timedelta(hours=2), signup_closes_at=now)
        client = signed_in(staff)
        assert "Short one" in body(client)
        later = now + datetime.timedelta(hours=3)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert "Short one" not in body(client)

    def test_a_meeting_whose_sign_up_closes_leaves_the_open_ones(self, staff, monkeypatch):
        now = timezone.now()
        MeetingFactory(title="Closing soon", signup_closes_at=now + datetime.timedelta(hours=1))
        client = signed_in(staff)
        assert "Closing soon" in body(client, open="on")
        later = now + datetime.timedelta(hours=2)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert "Closing soon" not in body(client, open="on") and "Closing soon" in body(client)


class TestEditingAMeeting:
    def test_its_card_changes_everywhere_it_shows_in_every_worker(self, staff, host, customer, meeting, as_worker):
        other = MeetingFactory(host=host, customer=customer, title="Site visit",
                               starts_at=meeting.starts_at + datetime.timedelta(days=1))
        SeatFactory(meeting=meeting, user=staff)
        client = signed_in(staff)
        pages = [LIST, customer.get_absolute_url(), reverse("home")]
        kept_before = {}
        for worker in ("a", "b"):
            with as_worker(worker):
                for url in pages:
                    page = body(client, url)
                    assert "Annual review with Ken" in page and moment(meeting.starts_at, staff) in page
                kept_before[worker] = kept()
        moved = meeting.starts_at + datetime.timedelta(days=3, hours=2)
        services.meeting_update(by=host, meeting=meeting, title="Annual review, moved", starts_at=moved,
                                ends_at=moved + datetime.timedelta(hours=1))
        for worker in ("a", "b"):
            with as_worker(worker):
                for url in pages:
                    page = body(client, url)
                    assert "Annual review, moved" in page and "Annual review with Ken" not in page
                    assert moment(moved, staff) in page and moment(meeting.starts_at, staff) not in page
                    assert other.title in page or url == reverse("home")
                now_kept = kept()
                # the other meeting's card (and every other entry) is as it was; the edited one is a new entry
                assert kept_before[worker].items() <= now_kept.items()
                assert len(now_kept) == len(kept_before[worker]) + 1


class TestCustomerSection:
    def test_seats_debriefs_and_meetings_show_at_once(self, staff, leader, customer, meeting, past_meeting):
        client = signed_in(staff)
        url = customer.get_absolute_url()
        assert "2 seats left" in body(client, url) and "0 debriefs" in body(client, url)
        SeatFactory(meeting=meeting)
        assert "1 seat left" in body(client, url)
        DebriefFactory(seat=SeatFactory(meeting=past_meeting))
        assert "1 debrief" in body(client, url)
        MeetingFactory(customer=customer, title="Onboarding, part two")
        page = body(signed_in(leader), url)  # someone else, the same section
        assert "Onboarding, part two" in page and "1 seat left" in page and "1 debrief" in page

    def test_a_meeting_that_ends_moves_to_past(self, staff, customer, monkeypatch):
        now = timezone.now()
        MeetingFactory(customer=customer, title="Short one", starts_at=now + datetime.timedelta(hours=1),
                       ends_at=now + datetime.timedelta(hours=2), signup_closes_at=now)
        client = signed_in(staff)
        assert "No meetings yet." in body(client, customer.get_absolute_url())
        later = now + datetime.timedelta(hours=3)
        monkeypatch.setattr(timezone, "now", lambda: later)
        page = body(client, customer.get_absolute_url())
        assert "No meetings planned." in page and "No meetings yet." not in page


class TestHomePanel:
    def test_each_person_sees_their_own_meetings(self, staff, leader, meeting, past_meeting):
        SeatFactory(meeting=meeting, user=staff, status="waitlisted")
        SeatFactory(meeting=past_meeting, user=leader)
        mine, theirs = body(signed_in(staff), reverse("home")), body(signed_in(leader), reverse("home"))
        assert "Annual review with Ken" in mine and "waitlisted" in mine and "Write my debrief" not in mine
        assert "Write my debrief" in theirs and "Annual review with Ken" not in theirs
        assert reverse("meetings:debrief", args=[past_meeting.pk]) in theirs

    def test_nothing_to_show_leaves_the_panel_out(self, staff):
        CustomerFactory()
        response = signed_in(staff).get(reverse("home"))
        assert "meetings-debriefs" not in [panel["key"] for panel in response.context["home_panels"]]


def home(user):
    return body(signed_in(user), reverse("home"))


def coming_up_and_owed(user):
    """([meeting ids] coming up, [meeting ids] whose debrief `user` owes) in their home panel."""
    panel = selectors.home_panel(user)
    return ([s.meeting_id for s in panel["upcoming"]], [s.meeting_id for s in panel["owed"]]) if panel else ([], [])


class TestHomePanelFollowsWrites:
    """The home panel is the viewer's own, read on every request in one query."""

    @pytest.mark.parametrize("others", [1, 40])
    def test_one_query_whatever_the_number_of_seats(self, staff, host, customer, others, django_assert_num_queries):
        meetings = MeetingFactory.create_batch(others, host=host, customer=customer)
        for meeting in meetings:
            SeatFactory(meeting=meeting, user=staff)
            SeatFactory(meeting=meeting)
        with django_assert_num_queries(1):
            panel = selectors.home_panel(staff)
        assert [s.meeting_id for s in panel["upcoming"]] == [m.pk for m in meetings[:3]]
        nobody = UserFactory()
        with django_assert_num_queries(1):
            assert selectors.home_panel(nobody) is None

    def test_two_people_never_see_each_others(self, staff, leader, meeting, past_meeting):
        SeatFactory(meeting=meeting, user=staff)
        SeatFactory(meeting=past_meeting, user=leader)
        for _ in range(2):
            assert coming_up_and_owed(staff) == ([meeting.pk], [])
            assert coming_up_and_owed(leader) == ([], [past_meeting.pk])
            mine, theirs = home(staff), home(leader)
            assert "Annual review with Ken" in mine and "Write my debrief" not in mine
            assert "Write my debrief" in theirs and "Annual review with Ken" not in theirs

    def test_a_seat_taken_and_given_up(self, staff, meeting):
        assert coming_up_and_owed(staff) == ([], [])
        services.seat_claim(by=staff, meeting=meeting)
        assert "Annual review with Ken" in home(staff)
        services.seat_cancel(by=staff, meeting=meeting)
        assert "Annual review with Ken" not in home(staff)

    def test_a_promotion_from_the_waitlist(self, staff, leader, host, customer):
        meeting = MeetingFactory(host=host, customer=customer, title="One seat only", seats=1)
        services.seat_claim(by=leader, meeting=meeting)
        services.seat_claim(by=staff, meeting=meeting)
        assert "waitlisted" in home(staff)
        services.seat_cancel(by=leader, meeting=meeting)  # staff moves up
        page = home(staff)
        assert "One seat only" in page and "waitlisted" not in page

    def test_a_seat_removed_by_the_host(self, staff, host, meeting):
        seat = services.seat_claim(by=staff, meeting=meeting)
        assert coming_up_and_owed(staff) == ([meeting.pk], [])
        services.seat_remove(by=host, meeting=meeting, seat=seat)
        assert coming_up_and_owed(staff) == ([], [])

    def test_a_meeting_cancelled_or_rescheduled(self, staff, host, meeting, customer):
        other = MeetingFactory(host=host, customer=customer, title="Site visit")
        SeatFactory(meeting=meeting, user=staff)
        SeatFactory(meeting=other, user=staff)
        assert "Site visit" in home(staff)
        services.meeting_cancel(by=host, meeting=other)
        assert "Site visit" not in home(staff)
        moved = meeting.starts_at + datetime.timedelta(days=3, hours=2)
        services.meeting_update(by=host, meeting=meeting, starts_at=moved, ends_at=moved + datetime.timedelta(hours=1))
        assert moment(moved, staff) in home(staff)

    def test_a_debrief_written(self, staff, past_meeting):
        SeatFactory(meeting=past_meeting, user=staff)
        assert "Write my debrief" in home(staff)
        services.debrief_save(by=staff, meeting=past_meeting, goals_and_needs="Deliveries they can plan a crew around.")
        assert "Write my debrief" not in home(staff)

    def test_the_customer_renamed(self, staff, meeting):
        SeatFactory(meeting=meeting, user=staff)
        assert "<bdi>Ken&#x27;s Plumbing Supply</bdi>" in home(staff)
        meeting.customer.name = "Ken's Plumbing & Heating"
        meeting.customer.save()
        assert "<bdi>Ken&#x27;s Plumbing &amp; Heating</bdi>" in home(staff)

    def test_the_meeting_renamed(self, staff, past_meeting):
        SeatFactory(meeting=past_meeting, user=staff)
        assert "Quarterly review" in home(staff)
        past_meeting.title = "Quarterly review, held"
        past_meeting.save()
        assert "Quarterly review, held" in home(staff)


class TestHomePanelClock:
    def short_meeting(self, host, customer, **kwargs):
        now = timezone.now()
        return MeetingFactory(host=host, customer=customer, title="Short one", signup_closes_at=now,
                              starts_at=now + datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=2),
                              **kwargs)

    def test_a_meeting_that_ends_asks_for_the_debrief_for_sixty_days(self, staff, host, customer, monkeypatch):
        meeting = self.short_meeting(host, customer)
        SeatFactory(meeting=meeting, user=staff)
        assert coming_up_and_owed(staff) == ([meeting.pk], [])
        ended = meeting.ends_at + datetime.timedelta(minutes=1)
        monkeypatch.setattr(timezone, "now", lambda: ended)
        assert coming_up_and_owed(staff) == ([], [meeting.pk])
        assert "Write my debrief" in home(staff)
        almost = meeting.ends_at + datetime.timedelta(days=60, seconds=-1)
        monkeypatch.setattr(timezone, "now", lambda: almost)
        assert coming_up_and_owed(staff) == ([], [meeting.pk])
        too_late = meeting.ends_at + datetime.timedelta(days=60)
        monkeypatch.setattr(timezone, "now", lambda: too_late)
        assert coming_up_and_owed(staff) == ([], [])
        assert "Write my debrief" not in home(staff)

    def test_a_waitlisted_place_leaves_when_the_meeting_ends(self, staff, leader, host, customer, monkeypatch):
        meeting = self.short_meeting(host, customer, seats=1)
        SeatFactory(meeting=meeting, user=leader)
        SeatFactory(meeting=meeting, user=staff, status="waitlisted")
        assert coming_up_and_owed(staff) == ([meeting.pk], [])
        ended = meeting.ends_at
        monkeypatch.setattr(timezone, "now", lambda: ended)
        assert coming_up_and_owed(staff) == ([], []) and coming_up_and_owed(leader) == ([], [meeting.pk])

    def test_an_earlier_ending_meeting_further_down_is_watched_too(self, staff, host, customer, monkeypatch):
        """Ordered by start, a long meeting comes first; a short one after it ends first and asks first."""
        now = timezone.now()
        long = MeetingFactory(host=host, customer=customer, title="All-day workshop", signup_closes_at=now,
                              starts_at=now + datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=9))
        short = MeetingFactory(host=host, customer=customer, title="Quick call", signup_closes_at=now,
                               starts_at=now + datetime.timedelta(hours=2), ends_at=now + datetime.timedelta(hours=3))
        SeatFactory(meeting=long, user=staff)
        SeatFactory(meeting=short, user=staff)
        assert coming_up_and_owed(staff) == ([long.pk, short.pk], [])
        between = now + datetime.timedelta(hours=4)
        monkeypatch.setattr(timezone, "now", lambda: between)
        assert coming_up_and_owed(staff) == ([long.pk], [short.pk])
