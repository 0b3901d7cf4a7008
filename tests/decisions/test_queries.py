"""Fixed query counts whatever the data size: 5 and 500 decisions, each with several reviews.

The pages read what they show on every request (the markup of each row and part is kept by
{% fragment %}, keyed by those values): each test counts the first request, which renders the
fragments, and a repeat by someone else, which finds them and runs the same queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions.models import Decision, DecisionEvent, ImpactReview, ReviewRequest
from customers.sections import _SECTIONS, sections_for
from portal.lib.panels import _PANELS, panels_for
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


def signed_in(user):
    client = Client()
    client.force_login(user)
    client.get(reverse("decisions:log"))  # warm the session
    return client


def count(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


class TestQueryCounts:
    @pytest.mark.parametrize("query", [{}, {"direction": "hurts", "severity": "high", "q": "Decision"}, {"awaiting": "me"},
                                       {"customer": "customer"}])
    def test_the_log_is_fixed(self, as_user, outsider, world, query):
        client, other = as_user(outsider), signed_in(UserFactory())
        client.get(reverse("decisions:log"))  # warm the session
        make_decisions(5, **world)
        if "customer" in query:
            query = {"customer": world["customers"][0].slug}
        first = count(lambda: client.get(reverse("decisions:log"), query))
        again = count(lambda: other.get(reverse("decisions:log"), query))
        make_decisions(495, **world)
        responses = []
        assert count(lambda: responses.append(client.get(reverse("decisions:log"), query))) == first
        assert responses[0].context["page"].paginator.count == 500
        assert count(lambda: other.get(reverse("decisions:log"), query)) == again
        chosen = 1 if "customer" in query else 0
        # session, user, teams with decisions, count, the page's rows (team, owner and pending count
        # joined), their review tallies, their customers' names; + the chosen customer
        assert first == 7 + chosen
        if "awaiting" in query:
            # Their own rows: nothing waits for them, so session, user, the teams, the count.
            assert again == 4
        else:
            # The same queries: the rows' markup is kept, what they show is read (was 2 + chosen, the
            # whole results region being a shared fragment that any change to a decision threw away).
            assert again == first

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
        client, other = as_user(outsider), signed_in(UserFactory())
        make_decisions(5, **world)
        first = count(lambda: client.get(reverse("decisions:log"), HTTP_HX_REQUEST="true"))
        again = count(lambda: other.get(reverse("decisions:log"), HTTP_HX_REQUEST="true"))
        make_decisions(495, **world)
        assert count(lambda: client.get(reverse("decisions:log"), HTTP_HX_REQUEST="true")) == first
        # session, user, teams (the filter form's choices), count, rows, tallies, customers' names
        assert count(lambda: other.get(reverse("decisions:log"), HTTP_HX_REQUEST="true")) == again == first == 7

    def test_the_decision_page_is_fixed(self, as_user, outsider, world):
        client, other = as_user(outsider), signed_in(UserFactory())
        (few,) = make_decisions(1, **world)
        first = count(lambda: client.get(few.get_absolute_url()))
        again = count(lambda: other.get(few.get_absolute_url()))
        many_reviewers = [UserFactory() for _ in range(30)]
        make_decisions(499, **world)
        (big,) = make_decisions(1, **{**world, "reviewers": many_reviewers, "customers": [CustomerFactory() for _ in range(8)]})
        DecisionEvent.objects.bulk_create(DecisionEvent(decision=big, actor=r, kind="review_filed") for r in many_reviewers)
        responses = []
        assert count(lambda: responses.append(client.get(big.get_absolute_url()))) == first
        assert len(responses[0].context["reviews"]) == 30
        assert count(lambda: other.get(big.get_absolute_url())) == again
        # session, user, the decision (team, owner, the viewer's own request and review), its customers,
        # reviews (authors' names joined), requests (names joined), history (actors' names joined), the
        # customers the reviews name, its impact checks (none here: no query for their stories). Was 9,
        # then 3 from the shared fragment; now the same on every request: the parts' markup is kept,
        # keyed by what these rows say.
        assert first == again == 9

    def test_the_decision_page_of_a_reviewer_is_fixed(self, outsider, world):
        """Someone with a review of their own: + that review and the customers it names (their form)."""
        (few,) = make_decisions(1, **world)
        reviewer = signed_in(world["reviewers"][0])
        reviewer.get(few.get_absolute_url())
        small = count(lambda: reviewer.get(few.get_absolute_url()))
        make_decisions(499, **world)
        (big,) = make_decisions(1, **{**world, "customers": [CustomerFactory() for _ in range(8)]})
        reviewer.get(big.get_absolute_url())
        # the 9 above + their review and the customers it names (their form); was 5 from the fragment
        assert count(lambda: reviewer.get(big.get_absolute_url())) == small == 11

    def test_the_customer_section_and_home_panel_are_fixed(self, outsider, world):
        """Counted on their own (the other apps' sections and panels are theirs to count)."""
        customer = world["customers"][0]
        someone = UserFactory()
        (section,) = [s for s in _SECTIONS.values() if s.key == "decisions"]
        (panel,) = [p for p in _PANELS.values() if p.key == "decisions-awaiting-review"]
        make_decisions(5, **world)
        sections_for(customer, outsider), panels_for(outsider)  # warm up: the database's one-off feature checks
        first_section = count(lambda: section.context(customer, outsider))
        again_section = count(lambda: section.context(customer, someone))
        small_panel = count(lambda: panel.context(outsider))
        make_decisions(495, **world)
        assert count(lambda: section.context(customer, outsider)) == first_section
        assert count(lambda: section.context(customer, someone)) == again_section
        assert count(lambda: panel.context(outsider)) == small_panel
        # The decisions (team name annotated) and their review tallies, on every request (each row's
        # markup is kept, keyed by what it shows).
        assert (first_section, again_section) == (2, 2)
        assert small_panel == 1  # the viewer's own, on every request
