"""The decision pages' rows and lists (templates/decisions/includes): their markup, translations and
escaping."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions.models import Decision, DecisionEvent
from tests.factories import CustomerFactory, DecisionFactory, ImpactReviewFactory, ReviewRequestFactory, UserFactory

from .conftest import hurts_high

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


class TestDecisionPage:
    def test_reviews(self, as_user, staff, decision, it_team):
        author = UserFactory(name="Noor <b>Haddad</b>", team=it_team)
        review = ImpactReviewFactory(
            decision=decision, author=author, direction="hurts", severity="medium", answer="It hurts **a lot**, I think.",
            mitigation="Pay in <script>stages</script>.", affects_customers=True, affects_suppliers=True,
        )
        named = CustomerFactory(name="Harbour & Sons <i>Freight</i>", slug="harbour-sons")
        review.customers.add(named)
        ImpactReviewFactory(decision=decision, author=UserFactory(name="No Team", team=None), direction="helps")
        body = as_user(staff).get(decision.get_absolute_url()).content.decode()
        assert f'<article class="impact-review impact-review--hurts" id="review-{review.pk}" aria-labelledby="review-{review.pk}-heading">' in body
        assert '<bdi>Noor &lt;b&gt;Haddad&lt;/b&gt;</bdi> <span class="meta">(<bdi>IT</bdi>)</span>' in body
        assert ('<span class="badge badge--impact-hurts">Hurts</span> <span class="badge badge--severity-medium">severity: medium</span> '
                '<span class="badge badge--affected">Customers directly</span>'
                '<span class="badge badge--affected">Suppliers and partners who serve customers</span>') in body
        assert "<p>It hurts <strong>a lot</strong>, I think.</p>" in body
        assert "<h4>What would reduce the harm</h4>" in body and "<script>stages" not in body
        assert ('Named customers: <a href="/customers/harbour-sons/" dir="auto">Harbour &amp; Sons &lt;i&gt;Freight&lt;/i&gt;</a>'
                in body)
        assert '<bdi>No Team</bdi></h3>' in body and '<span class="badge badge--impact-helps">Helps</span></p>' in body
        assert body.count("Last updated ") == 2

    def test_review_requests(self, as_user, staff, decision, it_team):
        ReviewRequestFactory(decision=decision, reviewer=UserFactory(name="Late Lou"), due_date=days(-3))
        ReviewRequestFactory(decision=decision, reviewer=UserFactory(name="Team <Tim>", team=it_team), via_team=it_team, due_date=days(5))
        done = ReviewRequestFactory(decision=decision, reviewer=UserFactory(name="Done Dana"), due_date=days(-3))
        done.reviewed_at = timezone.now()
        done.save()
        body = as_user(staff).get(decision.get_absolute_url()).content.decode()
        assert "2 still to answer" in body
        assert '<li><bdi>Late Lou</bdi><br><span class="badge badge--warn">Overdue since ' in body
        assert ('<li><bdi>Team &lt;Tim&gt;</bdi> <span class="meta">via <bdi>IT</bdi></span><br><span class="meta">Due '
                in body)
        assert '<li><bdi>Done Dana</bdi><br><span class="badge badge--done">Reviewed</span></li>' in body

    def test_history(self, as_user, staff, decision):
        DecisionEvent.objects.create(decision=decision, actor=staff, kind="status", details={"from": "draft", "to": "in_review"})
        DecisionEvent.objects.create(decision=decision, actor=None, kind="review_filed", details={"direction": "hurts", "severity": "high"})
        DecisionEvent.objects.create(decision=decision, actor=staff, kind="edited", details={"fields": ["title", "customers"]})
        body = as_user(staff).get(decision.get_absolute_url()).content.decode()
        assert ('<bdi>Minh Anh</bdi> changed the status: Draft <span class="icon-dir" aria-hidden="true">→</span>'
                '<span class="visually-hidden">to</span> In review</li>') in body
        assert "<bdi>Someone</bdi> filed an impact review: hurts (high)</li>" in body
        assert "<bdi>Minh Anh</bdi> edited the decision: title, customers it may touch</li>" in body
        assert body.count('<time datetime="') == 3

    def test_it_reads_in_arabic(self, as_user, staff, decision):
        hurts_high(decision)
        ReviewRequestFactory(decision=decision, due_date=days(-1))
        staff.language = "ar"
        staff.save()
        body = as_user(staff).get(decision.get_absolute_url()).content.decode()
        assert 'dir="rtl"' in body
        assert "متأخرة منذ" in body and "Overdue since" not in body


class TestLog:
    def test_rows(self, as_user, staff, finance):
        decision = DecisionFactory(title="Close the <b>depot</b>", team=finance, owner=staff, status="in_review")
        decision.customers.add(CustomerFactory(name="Zeta & Co"), CustomerFactory(name="Alpha"))
        hurts_high(decision)
        ImpactReviewFactory(decision=decision, direction="neutral")
        for _ in range(2):
            ReviewRequestFactory(decision=decision)
        body = as_user(staff).get(reverse("decisions:log")).content.decode()
        assert f'<h2><a href="/decisions/{decision.pk}/" dir="auto">Close the &lt;b&gt;depot&lt;/b&gt;</a></h2>' in body
        assert '<span class="badge badge--status-in_review">In review</span>' in body
        assert "<bdi>Finance</bdi> · owner <bdi>Minh Anh</bdi> · decide by " in body
        assert " · waiting for 2 reviewers" in body
        assert '<p class="impact-summary impact-summary--serious">2 reviews: 1 hurts (high), 1 neutral</p>' in body
        assert '<p class="meta">Customers: <bdi>Alpha</bdi>, <bdi>Zeta &amp; Co</bdi></p>' in body

    def test_lists_use_the_languages_separator(self, as_user, staff, finance):
        decision = DecisionFactory(title="Depots", team=finance, owner=staff, status="in_review")
        decision.customers.add(CustomerFactory(name="Zeta"), CustomerFactory(name="Alpha"))
        staff.language = "ar"
        staff.save()
        body = as_user(staff).get(reverse("decisions:log")).content.decode()
        assert "<bdi>Alpha</bdi>، <bdi>Zeta</bdi>" in body  # the Arabic comma
        staff.language = "he"
        staff.save()
        assert "<bdi>Alpha</bdi>, <bdi>Zeta</bdi>" in as_user(staff).get(reverse("decisions:log")).content.decode()

    def test_a_decided_row_does_not_wait_for_reviewers(self, as_user, staff):
        decision = DecisionFactory(status=Decision.Status.DECIDED)
        ReviewRequestFactory(decision=decision)
        body = as_user(staff).get(reverse("decisions:log")).content.decode()
        assert "waiting for" not in body
        assert '<p class="impact-summary">No impact reviews yet</p>' in body
