import datetime

import pytest

from customers import demo as customers_demo
from decisions import demo
from decisions.models import Decision, DecisionEvent, ImpactReview, ReviewRequest
from portal import demo as portal_demo

pytestmark = pytest.mark.django_db


def run():
    teams, people = portal_demo.seed_people()
    customers = customers_demo.seed(people=people)
    demo.seed(teams=teams, people=people, customers=customers)
    return people


def counts():
    return [m.objects.count() for m in (Decision, ImpactReview, ReviewRequest, DecisionEvent)]


class TestDemo:
    def test_it_is_idempotent_and_tells_the_sixty_day_story(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            people = run()
        first = counts()
        with django_capture_on_commit_callbacks(execute=True):
            run()
        assert counts() == first
        sixty = Decision.objects.get(title=demo.SIXTY_DAYS)
        assert sixty.status == "decided" and sixty.owner == people["finance_leader"] and sixty.team.slug == "finance"
        it_review = sixty.reviews.get(author=people["it_staff"])
        assert it_review.is_serious_harm() and it_review.affected() == ["customer_facing_staff", "suppliers"]
        assert "staged" in sixty.impact_response.lower() or "stages" in sixty.outcome.lower()
        assert set(Decision.objects.values_list("status", flat=True)) == {"draft", "in_review", "decided", "rejected", "withdrawn"}
        assert ReviewRequest.objects.filter(reviewed_at=None, decision__status="in_review", reviewer=people["admin"]).exists()

    def test_it_has_an_impact_check_due_and_one_done(self, django_capture_on_commit_callbacks):
        from decisions.models import ImpactCheck
        from decisions.selectors import checks_due_panel

        with django_capture_on_commit_callbacks(execute=True):
            people = run()
        done = ImpactCheck.objects.filter(recorded_at__isnull=False)
        assert [c.result for c in done] == ["better"]
        due = ImpactCheck.objects.filter(recorded_at=None)
        assert due.count() == 2
        # Grace (English) and Layla (Arabic) each have one waiting on their home page.
        for key in ("finance_leader", "hr_leader"):
            assert len(checks_due_panel(people[key])["checks"]) == 1

    def test_its_checks_come_weeks_after_the_decisions(self, django_capture_on_commit_callbacks):
        """"Did it happen?" the day a decision was made would make no sense: the demo's decided decisions,
        their reviews and history lie weeks back, their checks due today."""
        from django.utils import timezone

        from decisions.models import ImpactCheck

        with django_capture_on_commit_callbacks(execute=True):
            run()
        today = timezone.localdate()
        for check in ImpactCheck.objects.select_related("decision"):
            decided = timezone.localdate(check.decision.decided_at)
            assert check.due_on == today and (today - decided).days >= 30, check.decision.title
            assert timezone.localdate(check.decided_at) == decided
            assert check.decision.created_at <= check.decision.decided_at
            for review in check.decision.reviews.all():  # "last updated" on each review: before the decision, too
                assert review.updated_at <= check.decision.decided_at, review.author
            assert all(e.at <= check.decision.decided_at + datetime.timedelta(minutes=1)
                       for e in check.decision.events.exclude(kind=DecisionEvent.Kind.IMPACT_CHECKED))
