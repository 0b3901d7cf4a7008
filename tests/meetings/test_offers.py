"""Seats that free up are offered to the first person waiting and held for them until a deadline:
they accept (from the email's link or the page), decline, or let it lapse, and then the next person
waiting gets it. `seats_taken` counts the held seat throughout."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from meetings import selectors, services, tasks
from meetings.digest import pick_seat_offers, prepare
from meetings.models import Meeting, Seat
from meetings.offers import offer_path, offer_token
from tests.conftest import frozen_at
from tests.factories import MeetingFactory

NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)
_now = pytest.fixture(autouse=True)(frozen_at(NOW, tick=False))
HTMX = {"HTTP_HX_REQUEST": "true"}


def taken(meeting):
    return Meeting.objects.get(pk=meeting.pk).seats_taken


def status_of(meeting, user):
    return meeting.seat_set.get(user=user).status


@pytest.fixture
def full(host, customer, make_users):
    """Two seats taken by `a` and `b`; `c` then `d` wait."""
    meeting = MeetingFactory(host=host, customer=customer, title="Annual review with Ken", seats=2,
                             starts_at=NOW + datetime.timedelta(days=14))
    people = make_users(4)
    for user in people:
        services.seat_claim(by=user, meeting=meeting)
    return meeting, people


@pytest.mark.django_db
class TestOffersAreMade:
    def test_a_freed_seat_is_held_for_the_first_waiting_until_the_meetings_deadline(self, full):
        meeting, (a, b, c, d) = full
        services.seat_cancel(by=a, meeting=meeting)
        seat = meeting.seat_set.get(user=c)
        assert seat.status == Seat.Status.OFFERED
        assert seat.offer_expires_at == NOW + datetime.timedelta(hours=24)
        assert status_of(meeting, d) == Seat.Status.WAITLISTED
        assert taken(meeting) == 2  # the held seat is taken: nobody else can sign up into it

    def test_the_hold_is_set_per_meeting_and_never_outlasts_the_start(self, host, make_users):
        soon = MeetingFactory(host=host, seats=1, offer_hours=48, starts_at=NOW + datetime.timedelta(hours=30),
                              signup_closes_at=NOW + datetime.timedelta(hours=20))
        a, b = make_users(2)
        services.seat_claim(by=a, meeting=soon)
        services.seat_claim(by=b, meeting=soon)
        services.seat_cancel(by=a, meeting=soon)
        assert soon.seat_set.get(user=b).offer_expires_at == soon.starts_at

    def test_a_sign_up_while_a_seat_is_held_goes_to_the_waitlist(self, full, staff):
        meeting, (a, *_rest) = full
        services.seat_cancel(by=a, meeting=meeting)
        assert services.seat_claim(by=staff, meeting=meeting).status == Seat.Status.WAITLISTED
        assert taken(meeting) == 2

    def test_more_seats_are_offered_in_waitlist_order(self, full, host):
        meeting, (a, b, c, d) = full
        services.meeting_update(by=host, meeting=meeting, seats=4)
        assert [status_of(meeting, u) for u in (c, d)] == [Seat.Status.OFFERED, Seat.Status.OFFERED]
        assert taken(meeting) == 4

    def test_seats_cannot_be_lowered_below_the_held_ones(self, full, host):
        meeting, (a, *_rest) = full
        services.seat_cancel(by=a, meeting=meeting)  # b confirmed, c holds an offer
        with pytest.raises(ValidationError):
            services.meeting_update(by=host, meeting=meeting, seats=1)

    def test_the_offer_email_links_to_the_offer_page_and_attaches_no_invitation(
        self, full, django_capture_on_commit_callbacks
    ):
        meeting, (a, b, c, d) = full
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.seat_cancel(by=a, meeting=meeting)
        email = next(m for m in mail.outbox if m.to == [c.email])
        assert email.subject == "A seat is held for you: Annual review with Ken"
        assert offer_path(meeting.seat_set.get(user=c)) in email.body
        assert "Your seat is held until" in email.body
        assert not email.attachments

    def test_the_offer_email_is_sent_once(self, full):
        meeting, (a, b, c, d) = full
        services.seat_cancel(by=a, meeting=meeting)
        seat = meeting.seat_set.get(user=c)
        mail.outbox.clear()
        assert tasks.seat_email_task.apply(args=[seat.pk, "offered"]).get() == 1
        assert tasks.seat_email_task.apply(args=[seat.pk, "offered"]).get() == 0
        assert len(mail.outbox) == 1

    def test_an_email_failure_keeps_the_offer(self, full, monkeypatch, django_capture_on_commit_callbacks):
        from portal.models import PendingTask

        meeting, (a, b, c, d) = full

        def broken(*args, **kwargs):
            raise ConnectionRefusedError("mail server down")

        monkeypatch.setattr(tasks, "send_email", broken)
        with django_capture_on_commit_callbacks(execute=True):
            services.seat_cancel(by=a, meeting=meeting)
        assert status_of(meeting, c) == Seat.Status.OFFERED
        assert PendingTask.objects.filter(task="meetings.tasks.seat_email_task").exists()


@pytest.mark.django_db
class TestAcceptAndDecline:
    def offered(self, full):
        meeting, (a, b, c, d) = full
        services.seat_cancel(by=a, meeting=meeting)
        return meeting, meeting.seat_set.get(user=c), c, d

    def test_accepting_confirms_the_seat_and_sends_the_invitation(self, full, django_capture_on_commit_callbacks):
        meeting, seat, c, d = self.offered(full)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            seat = services.seat_offer_accept(by=c, seat=seat)
        assert seat.status == Seat.Status.CONFIRMED and seat.offer_expires_at is None
        assert taken(meeting) == 2
        assert status_of(meeting, d) == Seat.Status.WAITLISTED
        [email] = mail.outbox
        assert email.to == [c.email] and "A seat freed up" in email.subject
        assert email.attachments  # the calendar invitation

    def test_accepting_twice_is_harmless(self, full):
        meeting, seat, c, d = self.offered(full)
        services.seat_offer_accept(by=c, seat=seat)
        assert services.seat_offer_accept(by=c, seat=seat).status == Seat.Status.CONFIRMED
        assert taken(meeting) == 2

    def test_only_the_offered_person_may_accept_or_decline(self, full, host, admin_user):
        meeting, seat, c, d = self.offered(full)
        for other in (d, host, admin_user):
            with pytest.raises(PermissionDenied):
                services.seat_offer_accept(by=other, seat=seat)
            with pytest.raises(PermissionDenied):
                services.seat_offer_decline(by=other, seat=seat)
        assert status_of(meeting, c) == Seat.Status.OFFERED

    def test_declining_offers_the_seat_to_the_next_waiting(self, full):
        meeting, seat, c, d = self.offered(full)
        assert services.seat_offer_decline(by=c, seat=seat).status == Seat.Status.DECLINED
        assert status_of(meeting, d) == Seat.Status.OFFERED
        assert taken(meeting) == 2
        assert services.seat_offer_decline(by=c, seat=seat).status == Seat.Status.DECLINED  # twice: harmless
        assert status_of(meeting, d) == Seat.Status.OFFERED

    def test_leaving_with_an_offer_offers_it_on(self, full):
        meeting, seat, c, d = self.offered(full)
        services.seat_cancel(by=c, meeting=meeting)
        assert status_of(meeting, d) == Seat.Status.OFFERED
        assert taken(meeting) == 2

    def test_an_offer_past_its_deadline_cannot_be_accepted_and_goes_on(self, full):
        meeting, seat, c, d = self.offered(full)
        later = seat.offer_expires_at + datetime.timedelta(seconds=1)
        seat = services.seat_offer_accept(by=c, seat=seat, now=later)
        assert seat.status == Seat.Status.LAPSED
        assert status_of(meeting, d) == Seat.Status.OFFERED
        assert taken(meeting) == 2

    def test_the_last_second_still_counts(self, full):
        meeting, seat, c, d = self.offered(full)
        just_before = seat.offer_expires_at - datetime.timedelta(seconds=1)
        assert services.seat_offer_accept(by=c, seat=seat, now=just_before).status == Seat.Status.CONFIRMED


@pytest.mark.django_db
class TestExpiry:
    def test_lapsed_offers_go_to_the_next_waiting_and_running_twice_is_running_once(self, full):
        meeting, (a, b, c, d) = full
        services.seat_cancel(by=a, meeting=meeting)
        deadline = meeting.seat_set.get(user=c).offer_expires_at
        assert services.offers_expire(now=deadline - datetime.timedelta(minutes=1)) == []
        lapsed = services.offers_expire(now=deadline)
        assert [s.user_id for s in lapsed] == [c.pk]
        assert status_of(meeting, c) == Seat.Status.LAPSED
        d_seat = meeting.seat_set.get(user=d)
        assert d_seat.status == Seat.Status.OFFERED and d_seat.offer_expires_at == deadline + datetime.timedelta(hours=24)
        assert services.offers_expire(now=deadline) == []
        assert status_of(meeting, d) == Seat.Status.OFFERED and taken(meeting) == 2

    def test_with_nobody_left_waiting_the_seat_opens(self, full):
        meeting, (a, b, c, d) = full
        services.seat_cancel(by=d, meeting=meeting)
        services.seat_cancel(by=a, meeting=meeting)
        deadline = meeting.seat_set.get(user=c).offer_expires_at
        services.offers_expire(now=deadline)
        assert taken(meeting) == 1
        assert Meeting.objects.get(pk=meeting.pk).seats_left() == 1

    def test_the_periodic_task_expires_offers(self, full):
        meeting, (a, b, c, d) = full
        services.seat_cancel(by=a, meeting=meeting)
        with time_machine.travel(NOW + datetime.timedelta(hours=25), tick=False):
            assert tasks.offers_expire_task.apply().get() == 1
            assert tasks.offers_expire_task.apply().get() == 0
        assert status_of(meeting, d) == Seat.Status.OFFERED

    def test_after_the_lapse_the_person_may_join_the_waitlist_again_at_its_end(self, full, staff):
        meeting, (a, b, c, d) = full
        services.seat_cancel(by=a, meeting=meeting)
        services.offers_expire(now=NOW + datetime.timedelta(hours=24))
        services.seat_claim(by=staff, meeting=meeting)
        with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
            assert services.seat_claim(by=c, meeting=meeting).status == Seat.Status.WAITLISTED
        assert selectors.my_seat(meeting=meeting, user=c).position == 2


@pytest.mark.django_db
class TestOfferPage:
    @pytest.fixture
    def offer(self, full):
        meeting, (a, b, c, d) = full
        services.seat_cancel(by=a, meeting=meeting)
        seat = meeting.seat_set.get(user=c)
        return meeting, seat, c, d

    def test_opening_the_link_changes_nothing(self, offer, as_user):
        meeting, seat, c, d = offer
        response = as_user(c).get(offer_path(seat))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Your seat is held until" in page and "Accept the seat" in page and "Decline" in page
        assert status_of(meeting, c) == Seat.Status.OFFERED

    def test_accept_in_one_click(self, offer, as_user):
        meeting, seat, c, d = offer
        response = as_user(c).post(offer_path(seat), {"action": "accept"})
        assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
        assert status_of(meeting, c) == Seat.Status.CONFIRMED

    def test_decline(self, offer, as_user):
        meeting, seat, c, d = offer
        as_user(c).post(offer_path(seat), {"action": "decline"})
        assert status_of(meeting, c) == Seat.Status.DECLINED
        assert status_of(meeting, d) == Seat.Status.OFFERED

    def test_htmx_gets_the_seat_panel(self, offer, as_user):
        meeting, seat, c, d = offer
        response = as_user(c).post(offer_path(seat), {"action": "accept"}, **HTMX)
        page = response.content.decode()
        assert page.lstrip().startswith('<section class="card seat-panel" id="seat-panel"')
        assert "You have a seat." in page

    def test_an_unknown_action_changes_nothing(self, offer, as_user):
        meeting, seat, c, d = offer
        response = as_user(c).post(offer_path(seat), {"action": "both"}, follow=True)
        assert "Choose to accept or decline the seat." in response.content.decode()
        assert status_of(meeting, c) == Seat.Status.OFFERED

    def test_accepting_too_late_says_so(self, offer, as_user):
        meeting, seat, c, d = offer
        client = as_user(c)
        with time_machine.travel(seat.offer_expires_at + datetime.timedelta(minutes=1), tick=False):
            response = client.post(offer_path(seat), {"action": "accept"}, follow=True)
        assert "the time to accept this seat has passed" in response.content.decode()
        assert status_of(meeting, c) == Seat.Status.LAPSED and status_of(meeting, d) == Seat.Status.OFFERED

    def test_someone_else_with_the_link_gets_nothing(self, offer, as_user, host, admin_user):
        meeting, seat, c, d = offer
        for other in (d, host, admin_user):
            client = as_user(other)
            assert client.get(offer_path(seat)).status_code == 404
            assert client.post(offer_path(seat), {"action": "accept"}).status_code == 404
        assert status_of(meeting, c) == Seat.Status.OFFERED

    def test_a_tampered_or_earlier_link_opens_nothing(self, offer, as_user):
        meeting, seat, c, d = offer
        client = as_user(c)
        assert client.get(reverse("meetings:offer", kwargs={"token": offer_token(seat) + "x"})).status_code == 404
        earlier = offer_path(seat)
        reoffer_later(meeting, c, d)
        seat.refresh_from_db()
        assert seat.status == Seat.Status.OFFERED  # offered again, with a new deadline
        assert client.get(earlier).status_code == 404
        assert client.get(offer_path(seat)).status_code == 200

    def test_the_meeting_page_shows_the_offer_with_its_deadline_and_buttons(self, offer, as_user):
        meeting, seat, c, d = offer
        page = as_user(c).get(meeting.get_absolute_url()).content.decode()
        assert "Your seat is held until" in page and "Accept the seat" in page
        assert "Give up my seat" not in page and "Leave the waitlist" not in page
        assert f'action="{offer_path(seat)}"' in page

    def test_the_host_sees_whom_the_seat_is_held_for(self, offer, as_user, host):
        meeting, seat, c, d = offer
        page = as_user(host).get(meeting.get_absolute_url()).content.decode()
        assert "Seat held until" in page

    def test_the_home_page_shows_a_live_offer(self, offer, as_user):
        meeting, seat, c, d = offer
        page = as_user(c).get(reverse("home")).content.decode()
        assert "A seat is held for you" in page and "Your seat is held until" in page
        assert f'action="{offer_path(seat)}"' in page
        with time_machine.travel(seat.offer_expires_at + datetime.timedelta(minutes=1), tick=False):
            assert "Your seat is held until" not in as_user(c).get(reverse("home")).content.decode()

    def test_the_digest_shows_a_live_offer(self, offer):
        meeting, seat, c, d = offer
        data = prepare([c, d], {}, NOW)
        section = pick_seat_offers(data, c, None, NOW)
        [item] = section["items"]
        assert item["title"] == "Annual review with Ken"
        assert item["url"].endswith(offer_path(seat))
        assert item["detail"].startswith("Your seat is held until")
        assert pick_seat_offers(data, d, None, NOW) is None
        assert pick_seat_offers(data, c, None, seat.offer_expires_at) is None


def reoffer_later(meeting, c, d):
    """`c` (offered) declines and waits again; an hour later `d` declines too: `c` is offered anew."""
    services.seat_offer_decline(by=c, seat=meeting.seat_set.get(user=c))
    services.seat_claim(by=c, meeting=meeting)
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        services.seat_offer_decline(by=d, seat=meeting.seat_set.get(user=d))


@pytest.mark.django_db
def test_a_second_offer_to_the_same_person_is_emailed_again(full):
    meeting, (a, b, c, d) = full
    services.seat_cancel(by=a, meeting=meeting)
    seat = meeting.seat_set.get(user=c)
    mail.outbox.clear()
    assert tasks.seat_email_task.apply(args=[seat.pk, "offered"]).get() == 1
    reoffer_later(meeting, c, d)
    assert status_of(meeting, c) == Seat.Status.OFFERED
    assert tasks.seat_email_task.apply(args=[seat.pk, "offered"]).get() == 1
    assert [m.to for m in mail.outbox] == [[c.email], [c.email]]
