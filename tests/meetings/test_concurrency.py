"""No overbooking, ever (pretix's approach): first show the race exists without the lock, then
that the lock prevents it. PostgreSQL only: SQLite serialises writers and cannot show the race."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

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

    def test_concurrent_cancellations_offer_the_seats_without_overbooking(self, crowd, quiet):
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
        held = Seat.objects.filter(meeting=meeting, status__in=Seat.HOLDING)
        assert held.count() == SEATS
        assert set(held.values_list("user_id", flat=True)) == {u.pk for u in users[3:8]}
        # the three freed seats are held, as offers, for the first three waiting
        offered = Seat.objects.filter(meeting=meeting, status=Seat.Status.OFFERED)
        assert set(offered.values_list("user_id", flat=True)) == {u.pk for u in users[5:8]}
        assert Meeting.objects.get(pk=meeting.pk).seats_taken == SEATS


def run_together(*calls):
    """Run each call in its own thread (its own connection and transaction); return (results, errors)."""
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test reports every failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def held_invariants(meeting):
    """No seat held by two, none lost: the held seats fill the meeting while anyone waits, the column
    agrees with the rows, and every offer went to someone who waited longer than everyone still waiting."""
    seats = list(Seat.objects.filter(meeting=meeting).order_by("created_at", "id"))
    held = [s for s in seats if s.status in Seat.HOLDING]
    waiting = [s for s in seats if s.status == Seat.Status.WAITLISTED]
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.seats_taken == len(held) <= meeting.seats
    if waiting:
        assert len(held) == meeting.seats  # a free seat while someone waits would be a seat lost
    offered = [s for s in seats if s.status == Seat.Status.OFFERED]
    if offered and waiting:
        assert max((s.created_at, s.pk) for s in offered) < min((s.created_at, s.pk) for s in waiting)
    return seats


@pytest.fixture
def offered(transactional_db, quiet):
    """One seat: `first` had it and left, so it is held for `second`; `third` waits."""
    meeting = MeetingFactory(seats=1)
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    for user in (first, second, third):
        services.seat_claim(by=user, meeting=meeting)
    services.seat_cancel(by=first, meeting=meeting)
    seat = Seat.objects.get(meeting=meeting, user=second)
    assert seat.status == Seat.Status.OFFERED
    return meeting, seat, second, third


class TestAcceptRacingWithExpiry:
    def accept_and_expire(self, meeting, seat, second, *, lock):
        deadline = seat.offer_expires_at
        return run_together(
            # the click lands a moment before the deadline, the expiry run a moment after it
            lambda: services.seat_offer_accept(by=second, seat=seat, now=deadline - datetime.timedelta(milliseconds=1), lock=lock),
            lambda: services.offers_expire(now=deadline, lock=lock),
        )

    def test_without_the_lock_both_win_the_same_offer(self, offered, monkeypatch):
        meeting, seat, second, third = offered
        barrier = threading.Barrier(2, timeout=20)
        monkeypatch.setattr(services, "_after_count", barrier.wait)  # both read the offer before either writes
        (accepted, lapsed), errors = self.accept_and_expire(meeting, seat, second, lock=False)
        assert errors == []
        # the person was told the seat is theirs, and the expiry let the same offer lapse
        assert accepted.status == Seat.Status.CONFIRMED and [s.pk for s in lapsed] == [seat.pk]

    @pytest.mark.parametrize("round_", range(4))
    def test_with_the_lock_exactly_one_wins(self, offered, monkeypatch, round_):
        meeting, seat, second, third = offered
        monkeypatch.setattr(services, "_after_count", lambda: time.sleep(0.01))
        (accepted, lapsed), errors = self.accept_and_expire(meeting, seat, second, lock=True)
        seat.refresh_from_db()
        third_status = Seat.objects.get(meeting=meeting, user=third).status
        if seat.status == Seat.Status.CONFIRMED:  # the click came first: nothing was left to expire
            assert errors == [] and lapsed == [] and third_status == Seat.Status.WAITLISTED
        else:  # the expiry came first: the click is told the offer is gone, and `third` has it
            assert seat.status == Seat.Status.LAPSED and [s.pk for s in lapsed] == [seat.pk]
            assert [str(e.messages[0]) for e in errors] == ["This seat is no longer offered to you."]
            assert third_status == Seat.Status.OFFERED
        held_invariants(meeting)


class TestOffersRacingWithSignUpsAndLeaves:
    def test_leaves_declines_accepts_and_sign_ups_at_once(self, crowd, quiet, monkeypatch):
        meeting, users = crowd  # five seats
        for user in users[:15]:  # five confirmed, ten waiting
            services.seat_claim(by=user, meeting=meeting)
        for user in users[:2]:  # two leave: the first two waiting get offers
            services.seat_cancel(by=user, meeting=meeting)
        offers = list(Seat.objects.filter(meeting=meeting, status=Seat.Status.OFFERED).order_by("created_at", "id"))
        assert [s.user_id for s in offers] == [users[5].pk, users[6].pk]
        monkeypatch.setattr(services, "_after_count", lambda: time.sleep(0.005))
        calls = [
            lambda: services.seat_offer_decline(by=users[5], seat=offers[0]),
            lambda: services.seat_offer_accept(by=users[6], seat=offers[1]),
            *[lambda u=u: services.seat_cancel(by=u, meeting=meeting) for u in users[2:4]],  # confirmed leave
            *[lambda u=u: services.seat_cancel(by=u, meeting=meeting) for u in users[8:10]],  # waiting leave
            *[lambda u=u: services.seat_claim(by=u, meeting=meeting) for u in users[15:25]],  # new sign-ups
        ]
        _, errors = run_together(*calls)
        assert errors == []
        seats = held_invariants(meeting)
        by_user = {s.user_id: s.status for s in seats}
        assert by_user[users[6].pk] == Seat.Status.CONFIRMED
        assert by_user[users[5].pk] == Seat.Status.DECLINED
        # Three seats freed (a decline, two leaves): they went, in order, to those who had waited longest.
        assert [by_user[u.pk] for u in (users[7], users[10], users[11])] == [Seat.Status.OFFERED] * 3
        assert all(by_user[u.pk] == Seat.Status.WAITLISTED for u in users[15:25])

    def test_offers_expiring_while_people_sign_up_and_leave(self, crowd, quiet, monkeypatch):
        meeting, users = crowd
        for user in users[:12]:  # five confirmed, seven waiting
            services.seat_claim(by=user, meeting=meeting)
        for user in users[:3]:  # three offers, whose time is up
            services.seat_cancel(by=user, meeting=meeting)
        past = timezone.now() - datetime.timedelta(minutes=1)
        assert Seat.objects.filter(meeting=meeting, status=Seat.Status.OFFERED).update(offer_expires_at=past) == 3
        monkeypatch.setattr(services, "_after_count", lambda: time.sleep(0.005))
        calls = [  # offers made during the race have a day to run
            lambda: services.offers_expire(),
            lambda: services.offers_expire(),  # two workers: run twice, same as once
            *[lambda u=u: services.seat_cancel(by=u, meeting=meeting) for u in users[3:5]],
            *[lambda u=u: services.seat_claim(by=u, meeting=meeting) for u in users[12:20]],
        ]
        _, errors = run_together(*calls)
        assert errors == []
        seats = held_invariants(meeting)
        statuses = [s.status for s in seats]
        assert statuses.count(Seat.Status.LAPSED) == 3  # each offer lapsed once
        assert statuses.count(Seat.Status.CONFIRMED) + statuses.count(Seat.Status.OFFERED) == SEATS
