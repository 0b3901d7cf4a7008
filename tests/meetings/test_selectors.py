import datetime

import pytest
from django.core.paginator import Paginator
from django.utils import timezone

from meetings.selectors import MeetingList
from tests.factories import MeetingFactory, SeatFactory

HOUR = datetime.timedelta(hours=1)


def meeting(starts_in, *, hours=1, seats=2, taken=0, **fields):
    now = timezone.now()
    starts_at = now + starts_in
    m = MeetingFactory(starts_at=starts_at, ends_at=starts_at + hours * HOUR, seats=seats,
                       signup_closes_at=starts_at - HOUR / 2, **fields)
    SeatFactory.create_batch(taken, meeting=m)
    m.is_full = taken >= seats
    return m


@pytest.fixture
def mixed(db):
    """Meetings under way, still to come and over, open and full, some starting at the same time."""
    soon = 3 * HOUR
    return {
        "long, under way, open": meeting(-30 * HOUR, hours=40),
        "under way, full": meeting(-HOUR, hours=2, seats=1, taken=1),
        "under way, open": meeting(-HOUR, hours=2),
        "began and ended during the long one": meeting(-20 * HOUR),
        "over": meeting(-3 * 24 * HOUR),
        "cancelled": meeting(soon, status="cancelled"),
        **{f"soon {i}, open": meeting(soon) for i in range(3)},
        **{f"soon {i}, full": meeting(soon, seats=1, taken=1) for i in range(3)},
        **{f"later {i}, open": meeting(soon + i * HOUR, taken=1) for i in range(4)},
        **{f"later {i}, full": meeting(soon + i * HOUR, taken=2) for i in range(4)},
        "full with a waitlist": meeting(2 * soon, seats=1, taken=1),
    }


def walk(meetings, per_page):
    paginator = Paginator(meetings, per_page)
    return [m.pk for number in paginator.page_range for m in paginator.page(number).object_list]


def in_list_order(meetings):
    return [m.pk for m in sorted(meetings, key=lambda m: (m.is_full, m.starts_at, m.pk))]


@pytest.mark.django_db
class TestMeetingList:
    @pytest.mark.parametrize("per_page", [1, 2, 3, 5, 7, 20])
    def test_pages_hold_every_meeting_not_ended_once_open_ones_first(self, staff, mixed, per_page):
        left_out = ("over", "cancelled", "began and ended during the long one")
        listed = [m for name, m in mixed.items() if name not in left_out]
        assert walk(MeetingList(user=staff), per_page) == in_list_order(listed)
        assert MeetingList(user=staff).count() == len(listed)

    @pytest.mark.parametrize("per_page", [2, 5])
    def test_a_month_lists_its_meetings_that_are_over_too(self, staff, mixed, per_page):
        start = timezone.now() - 5 * 24 * HOUR
        month = (start, start + 10 * 24 * HOUR)
        listed = [m for name, m in mixed.items() if name != "cancelled"]
        assert walk(MeetingList(user=staff, month=month), per_page) == in_list_order(listed)

    def test_open_only_leaves_out_full_meetings_and_closed_sign_ups(self, staff, mixed):
        signup_open = [m for name, m in mixed.items() if not name.startswith(("under way", "long"))]
        listed = [m for m in signup_open if not m.is_full and m.status == "scheduled" and m.ends_at > timezone.now()]
        assert walk(MeetingList(user=staff, open_only=True), 4) == in_list_order(listed)

    def test_each_meeting_carries_its_counts_and_my_seat(self, staff, mixed):
        SeatFactory(meeting=mixed["full with a waitlist"], status="waitlisted")
        SeatFactory(meeting=mixed["soon 0, open"], user=staff)
        rows = {m.pk: m for m in MeetingList(user=staff)[0:100]}
        waitlisted = rows[mixed["full with a waitlist"].pk]
        assert (waitlisted.confirmed_count, waitlisted.waitlist_count, waitlisted.seats_left()) == (1, 1, 0)
        assert rows[mixed["soon 0, open"].pk].my_status == "confirmed"
        assert rows[mixed["later 1, open"].pk].my_status is None

    def test_nothing_listed(self, staff):
        meetings = MeetingList(user=staff)
        assert meetings.count() == 0 and meetings[0:20] == []


@pytest.mark.django_db
class TestTheListSaysItsOrder:
    """Open meetings come before full ones even when later: the list says so, or it reads as out of order."""

    def test_the_whole_list(self, as_user, staff, mixed):
        html = as_user(staff).get("/meetings/").content.decode()
        assert "those with a free seat first, then the full ones, each soonest first" in html

    def test_only_the_open_ones(self, as_user, staff, mixed):
        html = as_user(staff).get("/meetings/", {"open": "on"}).content.decode()
        assert "meetings · soonest first</p>" in html and "free seat first" not in html
