"""The meetings list of a new company, before any meeting is opened: it says what will appear and
offers to open one only to those who may."""

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory

URL = reverse("meetings:list")
NEW = reverse("meetings:new")


def results(response):
    return response.content.decode().split('id="meeting-results"')[1]


@pytest.mark.django_db
class TestEmptyMeetingList:
    @pytest.mark.parametrize("persona", ["host", "admin_user"])
    def test_those_who_may_host_are_offered_to_open_the_first(self, as_user, request, persona):
        html = results(as_user(request.getfixturevalue(persona)).get(URL))
        assert "No upcoming customer meetings yet." in html
        assert "No meetings match these filters." not in html
        assert f'href="{NEW}"' in html

    @pytest.mark.parametrize("persona", ["staff", "leader"])
    def test_listeners_are_told_what_will_appear(self, as_user, request, persona):
        html = results(as_user(request.getfixturevalue(persona)).get(URL))
        assert "No upcoming customer meetings yet." in html
        assert "sign up to listen" in html
        assert NEW not in html

    def test_a_filter_that_finds_nothing_still_says_so(self, as_user, host):
        html = results(as_user(host).get(URL, {"open": "on"}))
        assert "No meetings match these filters." in html
        assert f'<a href="{URL}">Clear the filters</a>' in html  # back to every meeting in one click


@pytest.mark.django_db
class TestNoCustomersYet:
    """The meeting form before any customer is imported says why it cannot be filled in, and what to do."""

    IMPORT = reverse("customers:import")

    def test_an_admin_is_sent_to_import_them(self, as_user, admin_user):
        html = as_user(admin_user).get(NEW).content.decode()
        assert "There are no customers in Lifeline yet, and every meeting is with one." in html
        assert f'href="{self.IMPORT}"' in html

    def test_a_host_is_told_who_adds_them(self, as_user, host):
        html = as_user(host).get(NEW).content.decode()
        assert "An admin adds them by importing them from the CRM." in html and self.IMPORT not in html

    def test_nothing_is_said_once_there_is_one(self, as_user, host):
        CustomerFactory()
        assert "There are no customers in Lifeline yet" not in as_user(host).get(NEW).content.decode()
