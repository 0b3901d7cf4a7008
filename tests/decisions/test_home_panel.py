"""The home panel "Awaiting my review" (decisions/selectors.py awaiting_review_panel): read on every
request in one query, so every change reaches the next home page, and nobody sees another person's
panel."""

import datetime
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from decisions import services
from decisions.selectors import awaiting_review_panel
from tests.factories import DecisionFactory, ImpactReviewFactory, ReviewRequestFactory

from .conftest import GOOD_ANSWER, future

pytestmark = pytest.mark.django_db
HOME = reverse("home")


def home(user):
    client = Client()
    client.force_login(user)
    return client.get(HOME).content.decode()


def titles(user):
    """The titles in `user`'s panel ([] when it is left out), read the way the home page reads it."""
    panel = awaiting_review_panel(user)
    return [row.title for row in panel["requests"]] if panel else []


class TestPerRequest:
    def test_one_query_whatever_waits(self, outsider, decision, django_assert_num_queries):
        ReviewRequestFactory(decision=decision, reviewer=outsider, due_date=future())
        with django_assert_num_queries(1):
            first = awaiting_review_panel(outsider)
        for _ in range(12):
            ReviewRequestFactory(decision=DecisionFactory(status="in_review"), reviewer=outsider, due_date=future(9))
        with django_assert_num_queries(1):
            again = awaiting_review_panel(outsider)
        assert [row.title for row in first["requests"]] == [decision.title]
        assert again["requests"][0].title == decision.title and len(again["requests"]) == 8 and again["more"]

    def test_nothing_waiting_leaves_the_panel_out(self, outsider, django_assert_num_queries):
        with django_assert_num_queries(1):
            assert awaiting_review_panel(outsider) is None

    def test_two_reviewers_never_see_each_others(self, outsider, host, decision):
        other = DecisionFactory(title="Move the warehouse", status="in_review")
        ReviewRequestFactory(decision=decision, reviewer=outsider, due_date=future())
        ReviewRequestFactory(decision=other, reviewer=host, due_date=future())
        for _ in range(2):  # the second time from what was kept
            assert titles(outsider) == [decision.title] and titles(host) == ["Move the warehouse"]
            mine, theirs = home(outsider), home(host)
            assert decision.title in mine and "Move the warehouse" not in mine
            assert "Move the warehouse" in theirs and decision.title not in theirs


class TestEveryChangeShowsAtOnce:
    """The panel is kept first (empty or not), then the change, then the next home page shows it."""

    def test_a_request_made_and_answered(self, staff, outsider, decision):
        assert "Awaiting my review" not in home(outsider)
        services.reviews_request(by=staff, decision=decision, due_date=future(), people=[outsider])  # bulk_create
        assert decision.title in home(outsider)
        services.review_submit(by=outsider, decision=decision, answer=GOOD_ANSWER, direction="hurts", severity="low")
        assert "Awaiting my review" not in home(outsider)

    def test_the_decision_withdrawn(self, staff, outsider, decision):
        ReviewRequestFactory(decision=decision, reviewer=outsider, due_date=future())
        assert decision.title in home(outsider)
        services.decision_transition(by=staff, decision=decision, to="withdrawn")
        assert "Awaiting my review" not in home(outsider)

    def test_the_decision_decided_and_reopened(self, staff, outsider, decision):
        ReviewRequestFactory(decision=decision, reviewer=outsider, due_date=future())
        ImpactReviewFactory(decision=decision)  # someone else's: deciding needs one
        services.decision_record_outcome(by=staff, decision=decision, outcome="Sixty-day terms, staged.")
        assert titles(outsider) == [decision.title]
        services.decision_transition(by=staff, decision=decision, to="decided")
        assert titles(outsider) == []
        services.decision_transition(by=staff, decision=decision, to="in_review")
        assert titles(outsider) == [decision.title]

    def test_a_request_removed(self, outsider, decision):
        request = ReviewRequestFactory(decision=decision, reviewer=outsider, due_date=future())
        assert titles(outsider) == [decision.title]
        request.delete()
        assert titles(outsider) == []

    def test_the_decision_renamed(self, outsider, decision):
        ReviewRequestFactory(decision=decision, reviewer=outsider, due_date=future())
        assert decision.title in home(outsider)
        decision.title = "Ninety-day terms"
        decision.save()
        assert "Ninety-day terms" in home(outsider)

    def test_its_team_renamed(self, outsider, finance, decision):
        ReviewRequestFactory(decision=decision, reviewer=outsider, due_date=future())
        assert "<bdi>Finance</bdi>" in home(outsider)
        finance.name = "Finance & Treasury"
        finance.save()  # "teams"
        assert "<bdi>Finance &amp; Treasury</bdi>" in home(outsider)

    def test_a_new_due_date_and_the_order_it_makes(self, outsider, decision):
        later = DecisionFactory(title="Later one", status="in_review")
        ReviewRequestFactory(decision=later, reviewer=outsider, due_date=future(3))
        request = ReviewRequestFactory(decision=decision, reviewer=outsider, due_date=future(5))
        assert titles(outsider) == ["Later one", decision.title]
        request.due_date = future(1)
        request.save()
        assert titles(outsider) == [decision.title, "Later one"]


class TestTheClock:
    def test_a_request_is_overdue_from_the_day_after_its_due_date(self, outsider, decision, monkeypatch):
        ReviewRequestFactory(decision=decision, reviewer=outsider, due_date=future(1))
        page = home(outsider)
        assert "due " in page and "overdue since" not in page
        later = timezone.now() + datetime.timedelta(days=3)  # the page's date is the viewer's (UTC), maybe a day behind
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert "overdue since" in home(outsider)

    def test_the_viewers_own_local_date_decides(self, outsider, decision, monkeypatch):
        """At 20:00 UTC on the due date it is already the next day in Auckland: overdue there, not here."""
        due = timezone.localdate() + datetime.timedelta(days=3)
        at = datetime.datetime.combine(due, datetime.time(20, 0), tzinfo=datetime.UTC)
        monkeypatch.setattr(timezone, "now", lambda: at)
        ReviewRequestFactory(decision=decision, reviewer=outsider, due_date=due)
        with timezone.override(zoneinfo.ZoneInfo("UTC")):
            assert not awaiting_review_panel(outsider)["requests"][0].is_overdue
        with timezone.override(zoneinfo.ZoneInfo("Pacific/Auckland")):
            assert awaiting_review_panel(outsider)["requests"][0].is_overdue
        with timezone.override(zoneinfo.ZoneInfo("UTC")):
            assert not awaiting_review_panel(outsider)["requests"][0].is_overdue
