"""Turning off "review requested" or "promoted from a waitlist" on the settings page stops those emails."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from decisions.services import reviews_request
from digests.models import NotificationPreferences
from meetings.services import seat_cancel, seat_claim
from tests.factories import DecisionFactory, MeetingFactory, UserFactory


def turn_off(user, field):
    NotificationPreferences.objects.update_or_create(user=user, defaults={field: False})


@pytest.mark.django_db(transaction=True)
class TestActionEmailsFollowPreferences:
    def test_review_requests_are_not_emailed_to_people_who_turned_them_off(self, leader, staff, outsider):
        decision = DecisionFactory(owner=leader, team=leader.team)
        turn_off(staff, "review_requested")
        reviews_request(by=leader, decision=decision, due_date=timezone.localdate() + datetime.timedelta(days=7),
                        people=[staff, outsider])
        assert [m.to for m in mail.outbox] == [[outsider.email]]
        assert decision.review_requests.filter(reviewer=staff).exists()  # still asked, on the home page

    def test_waitlist_promotions_follow_the_preference(self, host, staff, outsider):
        meeting = MeetingFactory(host=host, seats=1)
        first, second = UserFactory(), staff
        seat_claim(by=first, meeting=meeting)
        seat_claim(by=second, meeting=meeting)
        turn_off(second, "waitlist_promoted")
        mail.outbox.clear()
        seat_cancel(by=first, meeting=meeting)
        assert meeting.seat_set.get(user=second).status == "offered"  # held for them all the same
        assert [m.to for m in mail.outbox if second.email in m.to] == []


def one_click_link(message, settings):
    """The email's List-Unsubscribe link (RFC 8058), checked to be in both bodies too."""
    link = message.extra_headers["List-Unsubscribe"][1:-1]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body and link.replace("&", "&amp;") in message.alternatives[0][0]
    return link.removeprefix(settings.SITE_URL)


@pytest.mark.django_db(transaction=True)
class TestActionEmailsCarryTheirOwnUnsubscribe:
    def test_a_review_request_turns_off_just_review_requests(self, leader, staff, settings):
        from django.test import Client

        decision = DecisionFactory(owner=leader, team=leader.team)
        reviews_request(by=leader, decision=decision, due_date=timezone.localdate() + datetime.timedelta(days=7),
                        people=[staff])
        link = one_click_link(mail.outbox[0], settings)
        assert Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"}).status_code == 200
        prefs = NotificationPreferences.objects.get(user=staff)
        assert prefs.review_requested is False and prefs.waitlist_promoted and prefs.note_routed

    def test_a_waitlist_offer_turns_off_just_waitlist_emails_and_a_sign_up_has_no_such_link(self, host, staff, settings):
        from django.test import Client

        meeting = MeetingFactory(host=host, seats=1)
        first = UserFactory()
        seat_claim(by=first, meeting=meeting)
        signed_up = next(m for m in mail.outbox if first.email in m.to)
        assert "List-Unsubscribe" not in signed_up.extra_headers  # one's own sign-up is not a kind to turn off
        seat_claim(by=staff, meeting=meeting)
        mail.outbox.clear()
        seat_cancel(by=first, meeting=meeting)
        offer = next(m for m in mail.outbox if staff.email in m.to)
        link = one_click_link(offer, settings)
        assert Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"}).status_code == 200
        prefs = NotificationPreferences.objects.get(user=staff)
        assert prefs.waitlist_promoted is False and prefs.review_requested
