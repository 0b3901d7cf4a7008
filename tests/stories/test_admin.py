"""The stories' admin lists at company size: a fixed number of queries, only the columns shown, pages
found by id, and a search that the title's trigram index serves."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stories.models import Comment, Reaction, Read, Story, StoryEvent
from tests.factories import CustomerFactory, StoryFactory, UserFactory

LISTS = ["read", "reaction", "comment", "storyevent", "story"]


def _rows(count):
    """`count` stories, each read, reacted to, commented on and with an event by someone else (events
    by no one too: actor is nullable)."""
    for n in range(count):
        story = StoryFactory()
        person = UserFactory()
        Read.objects.create(story=story, user=person, customer=story.customer)
        Reaction.objects.create(story=story, user=person, kind=Reaction.Kind.MOVED)
        Comment.objects.create(story=story, author=person, body=f"Comment {n}")
        StoryEvent.objects.create(story=story, actor=person if n % 2 else None, action=StoryEvent.Action.CREATED)


def _get(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
class TestChangeLists:
    @pytest.mark.parametrize("name", LISTS)
    def test_the_number_of_queries_does_not_grow_with_the_rows(self, as_user, admin_user, name):
        client = as_user(admin_user)
        url = reverse(f"admin:stories_{name}_changelist")
        _rows(2)
        _response, few = _get(client, url)
        _rows(5)
        response, more = _get(client, url)
        assert len(more) == len(few)
        assert response.context["cl"].result_count == 7

    @pytest.mark.parametrize("name", LISTS)
    def test_rows_load_the_story_title_not_its_body(self, as_user, admin_user, name):
        _rows(3)
        _response, queries = _get(as_user(admin_user), reverse(f"admin:stories_{name}_changelist"))
        story_columns = [sql for sql in queries if '"stories_story"."title"' in sql]
        assert story_columns
        assert not any('"stories_story"."body"' in sql or '"stories_story"."search_vector"' in sql for sql in story_columns)

    @pytest.mark.parametrize("name", LISTS)
    def test_newest_first_by_id_which_the_primary_key_serves(self, as_user, admin_user, name):
        _rows(3)
        response, queries = _get(as_user(admin_user), reverse(f"admin:stories_{name}_changelist"))
        ids = [row.pk for row in response.context["cl"].result_list]
        assert ids == sorted(ids, reverse=True)
        ordered = [sql.split("ORDER BY")[1].strip() for sql in queries if f'FROM "stories_{name}"' in sql and "ORDER BY" in sql]
        assert ordered and all(order.startswith(f'"stories_{name}"."id" DESC') for order in ordered)

    @pytest.mark.parametrize("name", ["read", "reaction", "story"])
    def test_a_far_page_finds_its_ids_first_and_joins_only_those(self, as_user, admin_user, monkeypatch, name):
        """Django's paginator asks for OFFSET over the whole join: PostgreSQL joins every row it skips
        (page 9,000 of a million reads: 3–7 s)."""
        model_admin = admin.site._registry[{"read": Read, "reaction": Reaction, "story": Story}[name]]
        monkeypatch.setattr(model_admin, "list_per_page", 2)
        _rows(5)
        response, queries = _get(as_user(admin_user), reverse(f"admin:stories_{name}_changelist"), p=2)
        offset = [sql for sql in queries if "OFFSET" in sql]
        assert len(offset) == 1 and " JOIN " not in offset[0] and offset[0].startswith(f'SELECT "stories_{name}"."id"')
        everything = list(model_admin.model.objects.order_by("-id").values_list("pk", flat=True))
        assert [row.pk for row in response.context["cl"].result_list] == everything[2:4]

    def test_a_filter_on_themes_counts_distinct_ids_not_whole_rows(self, as_user, admin_user):
        from tests.factories import ThemeFactory

        theme = ThemeFactory()
        for story in [StoryFactory(), StoryFactory()]:
            story.themes.add(theme)
        response, queries = _get(as_user(admin_user), reverse("admin:stories_story_changelist"),
                                 themes__id__exact=theme.pk)
        assert response.context["cl"].result_count == 2
        (count,) = [sql for sql in queries if "COUNT(" in sql]
        assert '"stories_story"."title"' not in count

    def test_a_search_counts_once(self, as_user, admin_user):
        StoryFactory(title="The 6 a.m. counter")
        response, queries = _get(as_user(admin_user), reverse("admin:stories_story_changelist"), q="counter")
        assert response.context["cl"].result_count == 1
        assert len([sql for sql in queries if "COUNT(" in sql]) == 1  # show_full_result_count off


@pytest.mark.django_db
class TestStorySearch:
    @pytest.fixture
    def stories(self):
        kens = CustomerFactory(name="Ken's Plumbing Supply")
        return [
            StoryFactory(title="The 6 a.m. counter", customer=kens),
            StoryFactory(title="Cold storage", body="The plumbing counter opens at six."),
            StoryFactory(title="Đà Nẵng deliveries"),
        ]

    def _found(self, client, q):
        response = client.get(reverse("admin:stories_story_changelist"), {"q": q})
        return {story.title for story in response.context["cl"].result_list}

    def test_it_finds_titles_and_customers_not_bodies(self, as_user, admin_user, stories):
        client = as_user(admin_user)
        assert self._found(client, "counter") == {"The 6 a.m. counter"}
        assert self._found(client, "plumbing") == {"The 6 a.m. counter"}  # the customer; not the body
        assert self._found(client, "ken's counter") == {"The 6 a.m. counter"}  # every word, anywhere
        assert self._found(client, "six") == set()

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="lifeline_fold and the trigram index")
    def test_on_postgresql_it_ignores_accents_and_the_title_index_serves_it(self, as_user, admin_user, stories):
        assert self._found(as_user(admin_user), "da nang") == {"Đà Nẵng deliveries"}
        model_admin = admin.site._registry[Story]
        queryset, _duplicates = model_admin.get_search_results(None, Story.objects.all(), "counter")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = queryset.explain()
        assert "story_title_trgm" in plan

    def test_the_story_picker_counts_no_further_than_it_needs(self, as_user, admin_user, monkeypatch, stories):
        """The impact checks' story picker shows 20 and asks whether there are more: a one-letter term
        matching most titles no longer counts them all."""
        from stories.admin import PickerPages

        monkeypatch.setattr(PickerPages, "COUNT_UP_TO", 2)
        for n in range(3):
            StoryFactory(title=f"Counter {n}")
        url = reverse("admin:autocomplete")
        params = {"app_label": "decisions", "model_name": "impactcheck", "field_name": "stories", "term": "counter"}
        with CaptureQueriesContext(connection) as queries:
            response = as_user(admin_user).get(url, params)
        assert len(response.json()["results"]) == 4
        (count,) = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
        assert "LIMIT 2" in count


@pytest.mark.django_db
class TestReadAdmin:
    def test_the_form_sends_no_list_of_customers_and_takes_the_storys(self, as_user, admin_user):
        story, person = StoryFactory(), UserFactory()
        CustomerFactory.create_batch(3)
        client = as_user(admin_user)
        page = client.get(reverse("admin:stories_read_add")).content.decode()
        assert 'name="customer"' not in page and "<select" not in page
        client.post(reverse("admin:stories_read_add"), {
            "story": story.pk, "user": person.pk, "read_at_0": "2026-12-01", "read_at_1": "09:00:00",
        })
        assert Read.objects.get().customer_id == story.customer_id
