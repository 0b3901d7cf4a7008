"""The story feed of a new company, before any story is published: it says what will appear and offers
the first story to those who may write one."""

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory

URL = reverse("stories:feed")
NEW = reverse("stories:new")


def results(response):
    return response.content.decode().split('id="story-results"')[1]


@pytest.mark.django_db
class TestEmptyFeed:
    @pytest.mark.parametrize("persona", ["leader", "host", "admin_user"])
    def test_writers_are_offered_the_first_story(self, as_user, request, persona):
        html = results(as_user(request.getfixturevalue(persona)).get(URL))
        assert "No stories yet." in html
        assert f'href="{NEW}"' in html

    def test_readers_are_told_what_will_appear_and_get_no_link(self, as_user, staff):
        html = results(as_user(staff).get(URL))
        assert "No stories yet. Leaders and customer-facing colleagues share" in html
        assert NEW not in html

    @pytest.mark.parametrize("htmx", [False, True])
    def test_a_search_that_finds_nothing_offers_to_clear_the_filters(self, as_user, staff, htmx):
        headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "story-results"} if htmx else {}
        html = results(as_user(staff).get(URL, {"q": "zzz"}, **headers))
        assert f'No stories match these filters. <a href="{URL}">Clear the filters</a>' in html

    def test_an_htmx_request_offers_it_too(self, as_user, leader):
        html = as_user(leader).get(URL, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="story-results").content.decode()
        assert f'href="{NEW}"' in html


@pytest.mark.django_db
class TestNoCustomersYet:
    """The story form before any customer is imported says why it cannot be filled in, and what to do."""

    IMPORT = reverse("customers:import")

    def test_an_admin_is_sent_to_import_them(self, as_user, admin_user):
        html = as_user(admin_user).get(NEW).content.decode()
        assert "There are no customers in Lifeline yet, and every story is about one named customer." in html
        assert f'href="{self.IMPORT}"' in html

    def test_a_leader_is_told_who_adds_them(self, as_user, leader):
        html = as_user(leader).get(NEW).content.decode()
        assert "There are no customers in Lifeline yet" in html
        assert "An admin adds them by importing them from the CRM." in html and self.IMPORT not in html

    def test_nothing_is_said_once_there_is_one(self, as_user, leader):
        CustomerFactory()
        assert "There are no customers in Lifeline yet" not in as_user(leader).get(NEW).content.decode()


@pytest.mark.django_db
class TestNoTeamsYet:
    """"Only the teams chosen" is offered once there is a team to choose."""

    def test_it_is_not_offered_before_the_first_team(self, as_user, admin_user):
        CustomerFactory()
        html = as_user(admin_user).get(NEW).content.decode()
        assert 'value="everyone"' in html and 'value="teams"' not in html

    def test_it_is_offered_once_there_is_one(self, as_user, leader):  # the leader's team exists
        assert 'name="visibility" value="teams"' in as_user(leader).get(NEW).content.decode()
