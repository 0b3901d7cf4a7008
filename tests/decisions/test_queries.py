"""Fixed query counts whatever the data size: 5 and 500 decisions, each with several reviews."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions.models import Decision, DecisionEvent, ImpactReview, ReviewRequest
from portal.lib.panels import panels_for
from customers.sections import sections_for
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_decisions(n, *, team, owner, reviewers, customers, requested=None):
    decisions = Decision.objects.bulk_create(
        Decision(title=f"Decision {i}", team=team, owner=owner, context="c", proposal="p", proposal_html="<p>p</p>",
                 decide_by="2030-01-01", status="in_review")
        for i in range(n)
    )
    directions = [("hurts", "high"), ("neutral", ""), ("helps", "low")]
    ImpactReview.objects.bulk_create(
        ImpactReview(decision=d, author=r, answer="An answer of more than five words.", answer_html="<p>a</p>",
                     direction=directions[j % 3][0], severity=directions[j % 3][1])
        for d in decisions for j, r in enumerate(reviewers)
    )
    through = Decision.customers.through
    through.objects.bulk_create(through(decision=d, customer=c) for d in decisions for c in customers)
    if requested is not None:
        ReviewRequest.objects.bulk_create(ReviewRequest(decision=d, reviewer=requested, due_date="2030-01-01") for d in decisions)
    DecisionEvent.objects.bulk_create(DecisionEvent(decision=d, actor=owner, kind="created") for d in decisions)
    return decisions


@pytest.fixture
def world(staff, finance, outsider):
    return {
        "team": finance, "owner": staff, "reviewers": [UserFactory() for _ in range(3)],
        "customers": [CustomerFactory() for _ in range(2)], "requested": outsider,
    }


def count(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


class TestQueryCounts:
    @pytest.mark.parametrize("query", [{}, {"direction": "hurts", "severity": "high", "q": "Decision"}, {"awaiting": "me"},
                                       {"customer": "customer"}])
    def test_the_log_is_fixed(self, as_user, outsider, world, query):
        client = as_user(outsider)
        client.get(reverse("decisions:log"))  # warm the session
        make_decisions(5, **world)
        if "customer" in query:
            query = {"customer": world["customers"][0].slug}
        small = count(lambda: client.get(reverse("decisions:log"), query))
        make_decisions(495, **world)
        response = client.get(reverse("decisions:log"), query)
        assert response.context["page"].paginator.count == 500
        assert count(lambda: client.get(reverse("decisions:log"), query)) == small
        # session, user, teams with decisions, count, the page's rows (team, owner and pending count
        # joined), their review tallies, their customers' names; + the chosen customer
        assert small == (8 if "customer" in query else 7)

    def test_the_log_filters_list_no_customer_however_many_are_named(self, as_user, outsider, world):
        client = as_user(outsider)
        make_decisions(5, **world)
        small = count(lambda: client.get(reverse("decisions:log")))
        named = [CustomerFactory() for _ in range(40)]
        for customer in named:
            make_decisions(1, **{**world, "customers": [customer]})
        filters = client.get(reverse("decisions:log")).content.decode().split('id="decision-results"')[0]
        assert count(lambda: client.get(reverse("decisions:log"))) == small
        assert not any(customer.name in filters for customer in [*named, *world["customers"]])

    def test_the_log_htmx_fragment_is_fixed(self, as_user, outsider, world):
        client = as_user(outsider)
        make_decisions(5, **world)
        small = count(lambda: client.get(reverse("decisions:log"), HTTP_HX_REQUEST="true"))
        make_decisions(495, **world)
        assert count(lambda: client.get(reverse("decisions:log"), HTTP_HX_REQUEST="true")) == small

    def test_the_decision_page_is_fixed(self, as_user, outsider, world):
        client = as_user(outsider)
        (few,) = make_decisions(1, **world)
        small = count(lambda: client.get(few.get_absolute_url()))
        many_reviewers = [UserFactory() for _ in range(30)]
        make_decisions(499, **world)
        (big,) = make_decisions(1, **{**world, "reviewers": many_reviewers, "customers": [CustomerFactory() for _ in range(8)]})
        DecisionEvent.objects.bulk_create(DecisionEvent(decision=big, actor=r, kind="review_filed") for r in many_reviewers)
        response = client.get(big.get_absolute_url())
        assert len(response.context["reviews"]) == 30
        assert count(lambda: client.get(big.get_absolute_url())) == small
        # session, user, the decision (team, owner), its customers, reviews (authors' names joined),
        # requests (names joined), history (actors' names joined), the customers the reviews name
        assert small == 8

    def test_the_customer_section_and_home_panel_are_fixed(self, outsider, world):
        customer = world["customers"][0]
        make_decisions(5, **world)
        sections_for(customer, outsider), panels_for(outsider)  # warm up: the database's one-off feature checks
        small_section = count(lambda: sections_for(customer, outsider))
        small_panel = count(lambda: panels_for(outsider))
        make_decisions(495, **world)
        assert count(lambda: sections_for(customer, outsider)) == small_section
        assert count(lambda: panels_for(outsider)) == small_panel
