"""No overbooking, ever (pretix's approach): first show the race exists without the lock, then
that the lock prevents it. PostgreSQL only: SQLite serialises writers and cannot show the race."""

import threading
import time

import pytest
from django.db import connection

from meetings import services
from meetings.models import Meeting, Seat
from tests.factories import MeetingFactory, UserFactory

THREADS, SEATS = 30, 5

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def sign_up_all(meeting, users, *, lock):
    errors = []

    def claim(user):
        try:
            services.seat_claim(by=user, meeting=meeting, lock=lock)
        except Exception as error:  # noqa: BLE001 - the test reports every failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.fixture
def crowd(transactional_db):
    meeting = MeetingFactory(seats=SEATS)
    users = [UserFactory() for _ in range(THREADS)]
    return meeting, users


@pytest.fixture
def quiet(monkeypatch):
    """No emails: this test is about seats."""
    monkeypatch.setattr(services, "_enqueue_seat_email", lambda *args: None)


class TestConcurrentSignUps:
    def test_without_the_lock_the_meeting_is_overbooked(self, crowd, quiet, monkeypatch):
        meeting, users = crowd
        barrier = threading.Barrier(THREADS, timeout=20)
        # Everyone counts the free seats before anyone writes: the race the lock exists to prevent.
        monkeypatch.setattr(services, "_after_count", barrier.wait)
        errors = sign_up_all(meeting, users, lock=False)
        assert errors == []
        assert Seat.objects.filter(meeting=meeting, status=Seat.Status.CONFIRMED).count() > SEATS

    def test_with_the_lock_exactly_the_seats_are_confirmed_and_the_rest_wait_in_order(self, crowd, quiet, monkeypatch):
        meeting, users = crowd
        # Widen the window between counting and writing, as in the race above.
        monkeypatch.setattr(services, "_after_count", lambda: time.sleep(0.01))
        errors = sign_up_all(meeting, users, lock=True)
        assert errors == []
        seats = list(Seat.objects.filter(meeting=meeting).order_by("created_at", "id"))
        assert len(seats) == THREADS
        assert [s.status for s in seats] == [Seat.Status.CONFIRMED] * SEATS + [Seat.Status.WAITLISTED] * (THREADS - SEATS)
        assert Meeting.objects.get(pk=meeting.pk).seats_taken == SEATS  # what the pages show as seats left
        waitlist = [s for s in seats if s.status == Seat.Status.WAITLISTED]
        # Written one at a time under the lock: arrival order and id order agree.
        assert [s.pk for s in waitlist] == sorted(s.pk for s in waitlist)

    def test_concurrent_cancellations_promote_without_overbooking(self, crowd, quiet):
        meeting, users = crowd
        for user in users[:10]:
            services.seat_claim(by=user, meeting=meeting)
        errors = []

        def cancel(user):
            try:
                services.seat_cancel(by=user, meeting=meeting)
            except Exception as error:  # noqa: BLE001
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=cancel, args=(user,)) for user in users[:3]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        confirmed = Seat.objects.filter(meeting=meeting, status=Seat.Status.CONFIRMED)
        assert confirmed.count() == SEATS
        assert set(confirmed.values_list("user_id", flat=True)) == {u.pk for u in users[3:8]}
        assert Meeting.objects.get(pk=meeting.pk).seats_taken == SEATS
