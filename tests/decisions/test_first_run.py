"""The decision log of a new company, before any decision is recorded: it says what will appear and
offers to record the first."""

import pytest
from django.urls import reverse

URL = reverse("decisions:log")
NEW = reverse("decisions:new")


@pytest.mark.django_db
class TestEmptyDecisionLog:
    @pytest.mark.parametrize("persona", ["staff", "leader", "host", "admin_user"])
    def test_it_offers_to_record_the_first_decision(self, as_user, request, persona):
        html = as_user(request.getfixturevalue(persona)).get(URL).content.decode()
        results = html.split('id="decision-results"')[1]
        assert "No decisions recorded yet." in results
        assert "No decisions match these filters." not in results
        assert f'href="{NEW}"' in results

    def test_a_search_that_finds_nothing_still_says_so(self, as_user, staff):
        html = as_user(staff).get(URL, {"q": "payment"}).content.decode()
        assert "No decisions match these filters." in html
        assert f'<a href="{URL}">Clear the filters</a>' in html
        assert "No decisions recorded yet." not in html

    def test_an_htmx_request_gets_the_same_message(self, as_user, staff):
        html = as_user(staff).get(URL, HTTP_HX_REQUEST="true").content.decode()
        assert "No decisions recorded yet." in html
