"""Shared fragments (portal/lib/fragments.py): rendered once, kept until what they show changes."""

import os

import pytest
from django.utils import timezone, translation

from portal.lib import fragments
from portal.models import Team
from tests.factories import TeamFactory


class Renders:
    """A render function that counts its calls."""

    def __init__(self, value="<p>fragment</p>"):
        self.calls, self.value = 0, value

    def __call__(self):
        self.calls += 1
        return f"{self.value} #{self.calls}"


@pytest.mark.django_db
class TestCached:
    def test_renders_once_then_serves_the_copy(self):
        render = Renders()
        first = fragments.cached("list", topics=("teams",), render=render)
        assert fragments.cached("list", topics=("teams",), render=render) == first
        assert render.calls == 1

    def test_a_bump_of_one_of_its_topics_renders_it_again(self):
        render = Renders()
        fragments.cached("list", topics=("teams", "people"), render=render)
        fragments.bump("stories")  # not one of its topics
        fragments.cached("list", topics=("teams", "people"), render=render)
        assert render.calls == 1
        fragments.bump("people")
        assert fragments.cached("list", topics=("teams", "people"), render=render).endswith("#2")

    def test_parts_language_and_time_zone_each_make_their_own_copy(self):
        render = Renders()
        fragments.cached("list", topics=("teams",), parts=("page", 1), render=render)
        fragments.cached("list", topics=("teams",), parts=("page", 2), render=render)
        with translation.override("ar"):
            fragments.cached("list", topics=("teams",), parts=("page", 1), render=render)
        with timezone.override("Asia/Ho_Chi_Minh"):
            fragments.cached("list", topics=("teams",), parts=("page", 1), render=render)
        assert render.calls == 4
        fragments.cached("list", topics=("teams",), parts=("page", 1), render=render)
        assert render.calls == 4

    def test_an_empty_value_is_kept_too(self):
        calls = []
        for _ in range(2):
            fragments.cached("count", topics=("teams",), render=lambda: calls.append(1) or 0)
        assert calls == [1]


@pytest.mark.django_db
class TestCachedMany:
    def test_renders_only_what_is_not_kept_and_follows_its_topics(self):
        asked = []

        def render(missing):
            asked.append(sorted(missing))
            return {pk: f"card {pk}" for pk in missing}

        assert fragments.cached_many("card", topics=("teams",), ids=[1, 2], render=render) == {1: "card 1", 2: "card 2"}
        assert fragments.cached_many("card", topics=("teams",), ids=[2, 3], render=render) == {2: "card 2", 3: "card 3"}
        fragments.bump("teams")
        fragments.cached_many("card", topics=("teams",), ids=[1, 3], render=render)
        assert asked == [[1, 2], [3], [1, 3]]


@pytest.mark.django_db
class TestWatch:
    def test_saving_deleting_and_linking_move_the_topic(self, finance):
        render = Renders()
        fragments.cached("teams", topics=("teams",), render=render)
        TeamFactory(name="Legal")
        fragments.cached("teams", topics=("teams",), render=render)
        finance.delete()
        fragments.cached("teams", topics=("teams",), render=render)
        assert render.calls == 3

    def test_a_save_of_only_unshown_fields_moves_nothing(self, staff):
        render = Renders()
        fragments.cached("people", topics=("people",), render=render)
        staff.last_login = timezone.now()
        staff.save(update_fields=["last_login"])  # every sign-in does this
        fragments.cached("people", topics=("people",), render=render)
        assert render.calls == 1
        staff.name = "Minh Anh Tran"
        staff.save(update_fields=["name"])
        fragments.cached("people", topics=("people",), render=render)
        assert render.calls == 2

    def test_many_to_many_links_move_their_topic(self, leader, finance):
        from tests.factories import StoryFactory

        story = StoryFactory(author=leader)
        render = Renders()
        fragments.cached("stories", topics=("stories",), render=render)
        story.teams.add(finance)
        fragments.cached("stories", topics=("stories",), render=render)
        assert render.calls == 2
        story.teams.remove(finance)
        fragments.cached("stories", topics=("stories",), render=render)
        assert render.calls == 3


@pytest.mark.django_db
class TestSharedModelChoiceField:
    def test_options_are_listed_once_and_follow_changes(self, finance, django_assert_num_queries):
        from django import forms

        class Filter(forms.Form):
            team = fragments.SharedModelChoiceField(
                queryset=Team.objects.order_by("name"), to_field_name="slug", required=False,
                empty_label="All teams", shared_as="test.team", topics=["teams"],
            )

        with django_assert_num_queries(1):
            assert list(Filter().fields["team"].widget.choices) == [("", "All teams"), ("finance", "Finance")]
        with django_assert_num_queries(0):
            assert "Finance" in str(Filter()["team"])
        TeamFactory(name="Legal", slug="legal")
        assert [key for key, _label in Filter().fields["team"].widget.choices] == ["", "finance", "legal"]
        with django_assert_num_queries(0):  # a chosen team is found in the list, kept since it was listed
            form = Filter({"team": "legal"})
            assert form.is_valid()
            chosen = form.cleaned_data["team"]
        assert (chosen.pk, chosen.name, chosen.slug) == (Team.objects.get(slug="legal").pk, "Legal", "legal")
        assert not Filter({"team": "gone"}).is_valid()
        Team.objects.filter(slug="legal").delete()
        assert not Filter({"team": "legal"}).is_valid()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis)")
def test_the_redis_cache_keeps_one_client_per_pool():
    from portal.lib.cache import RedisCache

    cache = RedisCache(os.environ["REDIS_URL"], {})
    cache.set("fragments-test-key", {"a": 1}, 5)
    assert cache.get("fragments-test-key") == {"a": 1}
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.delete("fragments-test-key")
