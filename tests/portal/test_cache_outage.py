"""The cache is an optimisation, never a dependency: with its server unreachable every page still
answers, the error is logged once (not once per call), and keys carry the release."""

import logging

import pytest
from django.core.cache import cache, caches
from django.urls import reverse

from meetings.models import Seat
from portal.lib.cache import OncePerMinute
from tests.factories import CustomerFactory, DecisionFactory, MeetingFactory, StoryFactory

pytestmark = pytest.mark.django_db

# Nothing listens on port 9 (discard) here: every connection is refused at once.
DOWN = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": "redis://127.0.0.1:9/0",
    "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {**settings.CACHES, "default": DOWN}
    yield
    caches["default"].close()


@pytest.fixture
def content(host, leader):
    customer = CustomerFactory(name="Ken's Plumbing Supply")
    story = StoryFactory(customer=customer, title="Ken opens his counter at six")
    decision = DecisionFactory(title="60-day terms", owner=leader)
    meeting = MeetingFactory(customer=customer, host=host, title="Annual review with Ken")
    return {"customer": customer, "story": story, "decision": decision, "meeting": meeting}


class TestCacheServerDown:
    def test_every_main_page_still_answers(self, cache_down, as_user, staff, content):
        client = as_user(staff)
        pages = {
            "home": reverse("home"),
            "feed": reverse("stories:feed"),
            "search": reverse("stories:feed") + "?q=counter",
            "story": content["story"].get_absolute_url(),
            "customer": content["customer"].get_absolute_url(),
            "meetings": reverse("meetings:list"),
            "meeting": content["meeting"].get_absolute_url(),
            "decisions": reverse("decisions:log"),
            "decision": content["decision"].get_absolute_url(),
            "scorecard": reverse("insights:scorecard"),
        }
        answers = {name: client.get(url).status_code for name, url in pages.items()}
        assert answers == dict.fromkeys(pages, 200)
        assert "Ken opens his counter at six" in client.get(pages["feed"]).content.decode()

    def test_a_write_still_saves(self, cache_down, as_user, staff, content):
        response = as_user(staff).post(reverse("meetings:signup", args=[content["meeting"].pk]))
        assert response.status_code == 302
        assert Seat.objects.filter(meeting=content["meeting"], user=staff, status="confirmed").exists()

    def test_the_errors_are_logged_once_a_minute(self, cache_down, caplog):
        with caplog.at_level(logging.ERROR, logger="portal.cache"):
            before = OncePerMinute.errors
            for _ in range(5):
                assert cache.get("anything") is None
        assert OncePerMinute.errors - before == 5
        assert len([r for r in caplog.records if r.name == "portal.cache"]) <= 1


class TestKeys:
    def test_every_key_carries_the_release(self, settings):
        for alias in ("default", "template_fragments"):
            assert caches[alias].make_key("x").startswith(f"lifeline:{settings.RELEASE}:")

    def test_a_new_release_never_reads_an_older_entry(self, settings):
        settings.CACHES = {
            alias: {**config, "KEY_PREFIX": "lifeline:old"} for alias, config in settings.CACHES.items()
        }
        caches["template_fragments"].set("story-card", "<li>old shape</li>")
        settings.CACHES = {
            alias: {**config, "KEY_PREFIX": "lifeline:new"} for alias, config in settings.CACHES.items()
        }
        assert caches["template_fragments"].get("story-card") is None


class TestFragmentTag:
    TEMPLATE = '{% load fragments %}{% fragment "card" story.pk story.updated_at %}{{ story.title }} {% now "e" %}{% endfragment %}'

    def render(self, story):
        from django.template import Context, Template

        return Template(self.TEMPLATE).render(Context({"story": story}))

    def test_a_change_is_seen_by_every_worker_at_once(self, as_worker):
        story = StoryFactory(title="Ken opens at six")
        with as_worker("a"):
            assert self.render(story).startswith("Ken opens at six")
        with as_worker("b"):
            assert self.render(story).startswith("Ken opens at six")
        story.title = "Ken opens at five"
        story.save()
        for name in ("a", "b"):
            with as_worker(name):
                assert self.render(story).startswith("Ken opens at five")

    def test_it_varies_on_the_language_and_time_zone(self):
        from django.utils import timezone, translation

        story = StoryFactory(title="Ken")
        utc = self.render(story)
        with timezone.override("Asia/Ho_Chi_Minh"):
            assert self.render(story) != utc  # {% now "e" %}: the zone's name, inside the fragment
        with translation.override("ar"):
            assert len(caches["template_fragments"]._cache) == 2
            self.render(story)
            assert len(caches["template_fragments"]._cache) == 3
