"""The decision pages list only the chosen customers and people (pickers, portal/lib/pickers.py), never
every customer or every active person, and their forms work without JavaScript: a search typed in a
picker's box that matches exactly one choice picks it."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from decisions.models import Decision, ImpactReview, ReviewRequest
from tests.factories import CustomerFactory, DecisionFactory, ImpactReviewFactory, UserFactory

from .conftest import GOOD_ANSWER, future

pytestmark = pytest.mark.django_db


def url(name, decision=None):
    return reverse(f"decisions:{name}", kwargs={"pk": decision.pk} if decision else None)


def options(html, select_name):
    """(value, attributes, label) of each option of the <select name=…>."""
    select = re.search(rf'<select name="{select_name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select)


@pytest.fixture
def named_elsewhere(db):
    """Customers named in other decisions: the log's old customer filter listed every one of them."""
    customers = [CustomerFactory(name=f"Elsewhere Customer {i}") for i in range(5)]
    for customer in customers:
        DecisionFactory(title=f"About {customer.name}").customers.add(customer)
    return customers


@pytest.fixture
def bystander(it_team):
    """An active colleague nobody chose: the old owner and "named people" selects listed everyone."""
    return UserFactory(name="Zed Bystander", email="zed@example.com", team=it_team)


class TestLogFilter:
    def test_it_lists_only_the_chosen_customer(self, as_user, staff, decision, customer, named_elsewhere):
        client = as_user(staff)
        html = client.get(url("log")).content.decode()
        filters = html.split('id="decision-results"')[0]
        assert [(value, label) for value, _attrs, label in options(filters, "customer")] == [("", "Any customer")]
        assert not any(c.name in filters for c in [customer, *named_elsewhere])
        response = client.get(url("log"), {"customer": customer.slug})
        filters = response.content.decode().split('id="decision-results"')[0]
        assert options(filters, "customer") == [("", "", "Any customer"), (customer.slug, " selected", escape(customer.name))]
        assert not any(c.name in filters for c in named_elsewhere)
        assert [d.title for d in response.context["page"].object_list] == [decision.title]

    def test_the_search_box_asks_for_slugs(self, as_user, staff):
        html = as_user(staff).get(url("log")).content.decode()
        assert "/customers/autocomplete/?field=id_customer&amp;key=slug" in html

    def test_without_javascript_a_search_with_one_match_filters_by_it(self, as_user, staff, decision, customer, named_elsewhere):
        response = as_user(staff).get(url("log"), {"customer_search": "plumbing"})
        assert [d.title for d in response.context["page"].object_list] == [decision.title]
        assert (customer.slug, " selected", escape(customer.name)) in options(response.content.decode(), "customer")

    def test_without_javascript_a_search_with_several_matches_offers_them(self, as_user, staff, decision, named_elsewhere):
        response = as_user(staff).get(url("log"), {"customer_search": "elsewhere"})
        offered = [value for value, _attrs, _label in options(response.content.decode(), "customer")]
        assert offered == ["", *sorted(c.slug for c in named_elsewhere)]
        assert response.context["page"].paginator.count == 6  # nothing chosen yet: every decision
        assert response.context["filters"]["customer"] is None

    @pytest.mark.parametrize("value", ["no-such-customer", "a\x00b", "x" * 300])
    def test_an_unknown_customer_is_ignored_with_a_message(self, as_user, staff, decision, value):
        response = as_user(staff).get(url("log"), {"customer": value})
        assert response.status_code == 200
        assert "were not understood and were ignored: Customer." in response.content.decode()
        assert response.context["page"].paginator.count == 1

    def test_htmx_gets_the_results_filtered_by_the_picked_customer(self, as_user, staff, decision, customer, named_elsewhere):
        response = as_user(staff).get(url("log"), {"customer": customer.slug}, HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert 'id="decision-results"' in body and "<form" not in body
        assert decision.title in body and "Elsewhere" not in body


class TestDecisionPage:
    def test_the_review_form_lists_no_customer_until_one_is_named(self, as_user, outsider, decision, named_elsewhere):
        unnamed = CustomerFactory(name="Unnamed Customer Ltd")
        html = as_user(outsider).get(url("detail", decision)).content.decode()
        assert options(html, "customers") == []
        assert unnamed.name not in html and not any(c.name in html for c in named_elsewhere)

    def test_the_review_form_lists_my_customers_and_no_others(self, as_user, outsider, decision, bystander):
        mine = CustomerFactory(name="Harbour Freight North")
        unnamed = CustomerFactory(name="Unnamed Customer Ltd")
        ImpactReviewFactory(decision=decision, author=outsider).customers.add(mine)
        html = as_user(outsider).get(url("detail", decision)).content.decode()
        assert options(html, "customers") == [(str(mine.pk), " selected", mine.name)]
        assert unnamed.name not in html and bystander.name not in html

    def test_without_javascript_a_review_names_the_customer_its_search_finds(self, as_user, outsider, decision, customer):
        CustomerFactory(name="Harbour Freight North")
        data = {"answer": GOOD_ANSWER, "direction": "hurts", "severity": "low", "customers_search": "plumbing"}
        response = as_user(outsider).post(url("review", decision), data)
        assert response.status_code == 302
        assert list(ImpactReview.objects.get().customers.all()) == [customer]

    def test_an_htmx_review_with_a_search_of_several_matches_offers_them(self, as_user, outsider, decision):
        first, second = CustomerFactory(name="Harbour Freight North"), CustomerFactory(name="Harbour Freight South")
        data = {"answer": "Fine", "direction": "hurts", "severity": "low", "customers_search": "harbour"}
        body = as_user(outsider).post(url("review", decision), data, HTTP_HX_REQUEST="true").content.decode()
        assert "One word is not an answer" in body
        assert [value for value, _a, _l in options(body, "customers")] == [str(first.pk), str(second.pk)]


class TestDecisionForm:
    def data(self, team, owner, **extra):
        return {"title": "Require 60-day terms", "team": team.pk, "owner": owner.pk if owner else "", "context": "Cash flow.",
                "proposal": "We propose **60 days**.", "decide_by": future().isoformat(), "links": "", **extra}

    def test_it_lists_only_the_owner_and_the_chosen_customers(self, as_user, leader, bystander, named_elsewhere):
        html = as_user(leader).get(url("new")).content.decode()
        assert options(html, "owner") == [("", "", "---------"), (str(leader.pk), " selected", "Grace Okafor (Finance)")]
        assert options(html, "customers") == []
        assert bystander.name not in html and not any(c.name in html for c in named_elsewhere)
        assert "/people/autocomplete/?field=id_owner&amp;key=pk" in html

    def test_editing_lists_the_decisions_customers_only(self, as_user, staff, decision, customer, named_elsewhere):
        html = as_user(staff).get(url("edit", decision)).content.decode()
        assert options(html, "customers") == [(str(customer.pk), " selected", escape(customer.name))]
        assert not any(c.name in html for c in named_elsewhere)

    def test_without_javascript_the_customers_are_found_by_name(self, as_user, leader, finance, customer, named_elsewhere):
        response = as_user(leader).post(url("new"), self.data(finance, leader, customers_search="ken's"))
        assert response.status_code == 302
        assert list(Decision.objects.get(title="Require 60-day terms").customers.all()) == [customer]

    def test_without_javascript_the_owner_is_found_by_email(self, as_user, leader, finance, staff):
        response = as_user(leader).post(url("new"), self.data(finance, None, owner_search="minhanh@"))
        assert response.status_code == 302
        assert Decision.objects.get().owner == staff

    def test_an_inactive_owner_is_refused(self, as_user, leader, finance):
        gone = UserFactory(team=finance, is_active=False)
        response = as_user(leader).post(url("new"), self.data(finance, gone))
        assert response.status_code == 200 and "owner" in response.context["form"].errors
        assert not Decision.objects.exists()


class TestReviewRequestForm:
    def test_named_people_lists_nobody_until_chosen(self, as_user, staff, decision, bystander, outsider):
        html = as_user(staff).get(url("request_reviews", decision)).content.decode()
        assert options(html, "people") == []
        assert bystander.name not in html and outsider.name not in html
        assert 'id="id_people_search"' in html

    def test_without_javascript_a_search_with_one_match_names_that_person(self, as_user, staff, decision, bystander, outsider):
        response = as_user(staff).post(url("request_reviews", decision), {"people_search": "zed@", "due_date": future().isoformat()})
        assert response.status_code == 302
        assert list(ReviewRequest.objects.values_list("reviewer", flat=True)) == [bystander.pk]

    def test_a_search_with_several_matches_asks_nobody_and_offers_them(self, as_user, staff, decision, it_team):
        first = UserFactory(name="Lina Haddad", team=it_team)
        second = UserFactory(name="Lina Park", team=None)
        response = as_user(staff).post(url("request_reviews", decision), {"people_search": "lina", "due_date": future().isoformat()})
        assert response.status_code == 200 and not ReviewRequest.objects.exists()
        assert options(response.content.decode(), "people") == [
            (str(first.pk), "", "Lina Haddad (IT)"), (str(second.pk), "", "Lina Park"),
        ]
