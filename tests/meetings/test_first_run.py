"""The meetings list of a new company, before any meeting is opened: it says what will appear and
offers to open one only to those who may."""

import pytest
from django.urls import reverse

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
