"""Shared fragments (portal/lib/fragments.py): rendered once, kept until what they show changes."""

import datetime

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


class Timed(str):
    """A fragment that the clock changes."""

    changes_at = None


class CountingCache:
    """The shared cache, counting the fragments fetched from it (not the generations)."""

    def __init__(self, monkeypatch):
        self.fetched, self.inside = [], False
        get, get_many = fragments.cache.get, fragments.cache.get_many

        def counting_get(key, *args, **kwargs):
            if not key.startswith("fragments:generation:") and not self.inside:
                self.fetched.append(key)
            return get(key, *args, **kwargs)

        def counting_get_many(keys, *args, **kwargs):
            self.fetched.extend(key for key in keys if not key.startswith("fragments:generation:"))
            self.inside = True  # the local-memory cache's get_many calls get
            try:
                return get_many(keys, *args, **kwargs)
            finally:
                self.inside = False

        monkeypatch.setattr(fragments.cache, "get", counting_get)
        monkeypatch.setattr(fragments.cache, "get_many", counting_get_many)


@pytest.mark.django_db
class TestKeptInTheWorker:
    """Each worker keeps the fragments it used last in its own memory, keyed by the same generations."""

    def test_a_fragment_used_again_costs_no_round_trip(self, monkeypatch):
        render, shared = Renders(), CountingCache(monkeypatch)
        first = fragments.cached("list", topics=("teams",), render=render)
        assert len(shared.fetched) == 1  # looked for once, then rendered
        for _ in range(3):
            assert fragments.cached("list", topics=("teams",), render=render) == first
        assert render.calls == 1 and len(shared.fetched) == 1

    def test_a_change_made_in_another_worker_is_seen_at_once(self):
        render = Renders()
        fragments.cached("list", topics=("teams",), render=render)
        # Another worker's bump: only the generation in the shared cache moves, this worker's copy stays.
        fragments.cache.set("fragments:generation:teams", 1, timeout=None)
        assert fragments.cached("list", topics=("teams",), render=render).endswith("#2")

    def test_a_copy_fetched_from_the_shared_cache_is_kept_too(self, monkeypatch):
        render = Renders()
        first = fragments.cached("list", topics=("teams",), render=render)
        fragments.local.clear()  # as in a second worker, which finds it in the shared cache
        shared = CountingCache(monkeypatch)
        assert fragments.cached("list", topics=("teams",), render=render) == first
        assert fragments.cached("list", topics=("teams",), render=render) == first
        assert render.calls == 1 and len(shared.fetched) == 1

    def test_a_persons_own_fragment_is_kept_in_the_shared_cache_only(self, monkeypatch):
        render, shared = Renders(), CountingCache(monkeypatch)
        for _ in range(2):
            fragments.cached("panel", topics=("teams",), parts=(7,), render=render, per_person=True)
        assert render.calls == 1 and len(shared.fetched) == 2

    def test_it_keeps_only_the_latest_items(self, settings, monkeypatch):
        settings.FRAGMENT_LOCAL_ITEMS = 2
        render, shared = Renders(), CountingCache(monkeypatch)
        for page in (1, 2, 3):
            fragments.cached("list", topics=("teams",), parts=(page,), render=render)
        shared.fetched.clear()
        fragments.cached("list", topics=("teams",), parts=(3,), render=render)
        fragments.cached("list", topics=("teams",), parts=(2,), render=render)
        assert shared.fetched == []
        fragments.cached("list", topics=("teams",), parts=(1,), render=render)  # the oldest: gone
        assert len(shared.fetched) == 1 and render.calls == 3

    def test_none_are_kept_when_the_setting_is_zero(self, settings, monkeypatch):
        settings.FRAGMENT_LOCAL_ITEMS = 0
        render, shared = Renders(), CountingCache(monkeypatch)
        for _ in range(2):
            fragments.cached("list", topics=("teams",), render=render)
        assert len(shared.fetched) == 2 and render.calls == 1

    def test_a_copy_lives_no_longer_than_the_max_age(self, settings, monkeypatch):
        settings.FRAGMENT_MAX_AGE = 60
        render, shared = Renders(), CountingCache(monkeypatch)
        fragments.cached("list", topics=("teams",), render=render)
        now = fragments.time.monotonic()
        monkeypatch.setattr(fragments.time, "monotonic", lambda: now + 61)
        fragments.cached("list", topics=("teams",), render=render)
        assert len(shared.fetched) == 2  # asked the shared cache again

    def test_a_kept_copy_past_its_changes_at_is_rendered_again(self, monkeypatch):
        def render():
            value = Timed("upcoming")
            value.changes_at = timezone.now() + datetime.timedelta(minutes=5)
            calls.append(value)
            return value

        calls = []
        fragments.cached("meetings", topics=("teams",), render=render)
        fragments.cached("meetings", topics=("teams",), render=render)
        assert len(calls) == 1
        later = timezone.now() + datetime.timedelta(minutes=6)
        monkeypatch.setattr(fragments.timezone, "now", lambda: later)
        fragments.cached("meetings", topics=("teams",), render=render)
        assert len(calls) == 2

    def test_cards_kept_one_by_one_too(self, monkeypatch):
        asked = []

        def render(missing):
            asked.append(sorted(missing))
            return {pk: f"card {pk}" for pk in missing}

        fragments.cached_many("card", topics=("teams",), ids=[1, 2], render=render)
        shared = CountingCache(monkeypatch)
        assert fragments.cached_many("card", topics=("teams",), ids=[2, 1], render=render) == {1: "card 1", 2: "card 2"}
        assert shared.fetched == []
        fragments.cached_many("card", topics=("teams",), ids=[1, 3], render=render)
        assert asked == [[1, 2], [3]]
        assert len(shared.fetched) == 1, shared.fetched


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


    def test_making_a_form_fetches_no_options(self, finance, monkeypatch, django_assert_num_queries):
        from django import forms

        class Filter(forms.Form):
            team = fragments.SharedModelChoiceField(
                queryset=Team.objects.order_by("name"), to_field_name="slug", required=False,
                shared_as="test.team", topics=["teams"],
            )

        shared = CountingCache(monkeypatch)
        with django_assert_num_queries(0):
            Filter()
            Filter({"q": "words"})
        assert shared.fetched == []  # the page that never draws the list never asks for it
