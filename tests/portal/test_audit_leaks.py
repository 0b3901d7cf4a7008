"""Someone switched off in the admin is signed out everywhere at their next request, their calendar address
stops working, and no write is taken from a signed-in browser without its CSRF token."""

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Follow
from meetings.services import calendar_feed_get
from stories import services as story_services
from stories.models import Reaction
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kens(db):
    return CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")


@pytest.fixture
def story(leader, kens):
    return story_services.story_create(by=leader, customer=kens, title="The 6 a.m. counter", body="Crews start at six.",
                                       bought="Heaters", impact="No waiting.", publish=True)


class TestSwitchedOff:
    def test_their_open_session_shows_nothing_any_more(self, staff, kens, story):
        client = Client()
        client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
        assert client.get(reverse("stories:feed")).status_code == 200
        staff.is_active = False
        staff.save(update_fields=["is_active"])
        sign_in = reverse("login")
        for url in (reverse("home"), reverse("stories:feed"), story.get_absolute_url(), kens.get_absolute_url(),
                    reverse("loops:timeline", args=[kens.slug]), reverse("customers:autocomplete") + "?q=Ken"):
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                response = client.get(url, **headers)
                assert response.status_code in (302, 401, 403, 404), url
                assert "The 6 a.m. counter" not in response.content.decode()
                if response.status_code == 302:
                    assert response["Location"].startswith(sign_in), url

    def test_their_calendar_address_stops_working(self, staff):
        feed = calendar_feed_get(user=staff)
        url = reverse("meetings:calendar_feed", args=[feed.token])
        assert Client().get(url).status_code == 200
        staff.is_active = False
        staff.save(update_fields=["is_active"])
        assert Client().get(url).status_code == 404


class TestCsrf:
    def test_a_write_without_the_token_is_refused_and_changes_nothing(self, staff, kens, story):
        client = Client(enforce_csrf_checks=True)
        client.force_login(staff)
        for url, data in (
            (reverse("stories:react", args=[story.pk]), {"kind": "moved"}),
            (reverse("customers:follow", args=[kens.slug]), {"follow": "1"}),
            (reverse("stories:comment_add", args=[story.pk]), {"body": "Forged"}),
        ):
            assert client.post(url, data).status_code == 403, url
            assert client.post(url, data, HTTP_HX_REQUEST="true").status_code == 403, url
        assert not Reaction.objects.exists() and not Follow.objects.exists() and not story.comments.exists()
