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
