import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Follow
from stories import search, selectors, services
from stories.models import Comment, Reaction, Read, Story
from tests.factories import CustomerFactory, StoryFactory, UserFactory


def make_stories(n, *, customer, author, theme=None, team=None, users=(), body="The crew waits for the morning truck."):
    """n published stories, one minute apart, with themes, teams, reactions, comments and reads (bulk)."""
    now = timezone.now()
    stories = Story.objects.bulk_create(
        Story(customer=customer, author=author, title=f"Bulk story {i}", slug=f"bulk-story-{i}", body=body,
              body_html=f"<p>{body}</p>", status="published", published_at=now - datetime.timedelta(minutes=i))
        for i in range(n)
    )
    if theme:
        Story.themes.through.objects.bulk_create(Story.themes.through(story=s, theme=theme) for s in stories)
    if team:
        Story.teams.through.objects.bulk_create(Story.teams.through(story=s, team=team) for s in stories)
    for user in users:
        Reaction.objects.bulk_create(Reaction(story=s, user=user, kind="moved") for s in stories)
        Comment.objects.bulk_create(Comment(story=s, author=user, body="Yes", body_html="<p>Yes</p>") for s in stories)
        Read.objects.bulk_create(Read(story=s, customer_id=s.customer_id, user=user) for s in stories)
    # bulk_create goes around the services, which keep the counters
    Story.objects.filter(pk__in=[s.pk for s in stories]).update(
        reaction_count=len(users), comment_count=len(users), read_count=len(users)
    )
    search.index(Story.objects.filter(customer=customer))
    return stories


@pytest.mark.django_db
class TestFeed:
    def test_newest_first_with_counts_and_follow_marks(self, as_user, staff, story, leader):
        other = CustomerFactory(name="Harbor Lights Bakery")
        older = StoryFactory(customer=other, author=leader, published_at=timezone.now() - datetime.timedelta(days=2))
        Follow.objects.create(user=staff, customer=story.customer)
        services.reaction_toggle(by=staff, story=story, kind="moved")
        response = as_user(staff).get(reverse("stories:feed"))
        assert response.status_code == 200
        stories = response.context["stories"]
        assert [s.pk for s in stories] == [story.pk, older.pk]
        assert stories[0].is_followed and not stories[1].is_followed
        assert stories[0].reaction_count == 1
        assert "You follow this customer" in response.content.decode()

    def test_drafts_never_appear(self, as_user, leader, draft, story):
        response = as_user(leader).get(reverse("stories:feed"))
        assert [s.pk for s in response.context["stories"]] == [story.pk]

    def test_keyset_pagination_walks_every_story_once(self, as_user, staff, leader, kens):
        stories = make_stories(45, customer=kens, author=leader)
        # Two stories published at the same instant: the id breaks the tie.
        Story.objects.filter(pk=stories[20].pk).update(published_at=stories[19].published_at)
        client = as_user(staff)
        seen, url = [], reverse("stories:feed")
        while url:
            response = client.get(url)
            seen += [s.pk for s in response.context["stories"]]
            cursor = response.context["next_cursor"]
            url = f"{reverse('stories:feed')}?before={cursor}" if cursor else None
        assert sorted(seen) == sorted(s.pk for s in stories)
        assert len(seen) == len(set(seen)) == 45

    def test_a_later_page_starts_at_the_cursor_in_the_index(self, as_user, staff, leader, kens):
        """The cursor's pair `(published_at, id) < (at, pk)` written as an OR is no index condition: the
        database walked the feed's index from the newest story and filtered every one before the page
        (0.25 s deep in 100,000 stories). The query also bounds the date alone, which the index serves."""
        make_stories(25, customer=kens, author=leader)
        client = as_user(staff)
        cursor = client.get(reverse("stories:feed")).context["next_cursor"]
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("stories:feed"), {"before": cursor})
        feed_sql = next(q["sql"] for q in queries.captured_queries if 'ORDER BY "stories_story"."published_at" DESC' in q["sql"])
        assert re.search(r'"stories_story"\."published_at" <= ', feed_sql)

    def test_load_more_with_htmx_appends_items_and_replaces_the_button(self, as_user, staff, leader, kens):
        make_stories(25, customer=kens, author=leader)
        client = as_user(staff)
        first = client.get(reverse("stories:feed"))
        cursor = first.context["next_cursor"]
        html = first.content.decode()
        assert "Load more stories" in html and 'data-hx-target="#story-list"' in html
        response = client.get(reverse("stories:feed"), {"before": cursor}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="story-list")
        html = response.content.decode()
        assert "<html" not in html and html.count('class="card story-card') == 5
        assert '<div id="load-more" class="load-more" data-hx-swap-oob="true">' in html
        assert "Load more stories" not in html

    @pytest.mark.parametrize("before", ["garbage", "2026-01-01,abc", "1,2,3", "2026-01-01T00:00:00,5"])
    def test_a_bad_cursor_is_ignored(self, as_user, staff, story, before):
        response = as_user(staff).get(reverse("stories:feed"), {"before": before})
        assert response.status_code == 200
        assert [s.pk for s in response.context["stories"]] == [story.pk]

    def test_filters_combine_and_live_in_the_query_string(self, as_user, staff, leader, other_leader, kens, theme, finance, it_team):
        other = CustomerFactory(name="Harbor Lights Bakery")
        match = services.story_create(by=leader, customer=kens, title="A", body="B", themes=[theme], teams=[finance], publish=True)
        services.story_create(by=leader, customer=kens, title="B", body="B", themes=[theme], teams=[it_team], publish=True)
        services.story_create(by=other_leader, customer=kens, title="C", body="B", themes=[theme], teams=[finance], publish=True)
        services.story_create(by=leader, customer=other, title="D", body="B", themes=[theme], teams=[finance], publish=True)
        query = {"customer": kens.slug, "team": finance.slug, "theme": theme.slug, "author": leader.pk}
        response = as_user(staff).get(reverse("stories:feed"), query)
        assert [s.pk for s in response.context["stories"]] == [match.pk]
        html = response.content.decode()
        assert f'<option value="{kens.slug}" selected>' in html
        assert f'<option value="{finance.slug}" selected>' in html

    def test_unknown_filters_are_ignored_with_a_message(self, as_user, staff, story):
        response = as_user(staff).get(reverse("stories:feed"), {"team": "nope", "theme": "nope"}, follow=True)
        assert response.status_code == 200
        assert [s.pk for s in response.context["stories"]] == [story.pk]
        assert "were not understood" in response.content.decode()

    def test_search_finds_a_word_from_the_body_and_highlights_it(self, as_user, staff, leader, kens):
        hit = services.story_create(by=leader, customer=kens, title="Trucks", body="The fittings arrived before dawn.", publish=True)
        services.story_create(by=leader, customer=kens, title="Other", body="Nothing relevant here.", publish=True)
        response = as_user(staff).get(reverse("stories:feed"), {"q": "fittings"})
        assert [s.pk for s in response.context["stories"]] == [hit.pk]
        assert "<mark>fittings</mark>" in response.content.decode()

    def test_search_results_are_escaped_except_mark(self, as_user, staff, leader, kens):
        services.story_create(
            by=leader, customer=kens, title="<b>Bold</b> fittings", publish=True,
            body='fittings <img src=x onerror=alert(1)> <script>alert("x")</script>',
        )
        response = as_user(staff).get(reverse("stories:feed"), {"q": "fittings"})
        html = response.content.decode()
        assert "<mark>fittings</mark>" in html
        assert "<img src=x" not in html and "<script>alert" not in html and "<b>Bold</b>" not in html
        assert "&lt;b&gt;Bold&lt;/b&gt;" in html  # the title is shown escaped, highlight intact

    @pytest.mark.parametrize("size", [10, 1000])
    def test_it_runs_a_fixed_number_of_queries(self, as_user, staff, leader, kens, theme, finance, size, django_assert_num_queries):
        readers = [UserFactory(team=finance) for _ in range(2)]
        make_stories(size, customer=kens, author=leader, theme=theme, team=finance, users=readers)
        client, next_reader = as_user(staff), as_user(UserFactory(team=finance))
        # session, user, the team and theme options, the stories (their counts are columns, their
        # themes a JSON array beside each row), the reader's marks. The customer and author filters are pickers: they list only the
        # chosen one, never every customer or author.
        with django_assert_num_queries(6):
            response = client.get(reverse("stories:feed"))
        assert len(response.context["stories"]) == 10 if size == 10 else 20
        # The same page for the next reader: the same queries (each card's markup comes from its
        # fragment; the counts and marks are read with the page).
        with django_assert_num_queries(6):
            again = next_reader.get(reverse("stories:feed"))
        assert [s.pk for s in again.context["stories"]] == [s.pk for s in response.context["stories"]]
        # + the chosen team, theme, customer and author, each fetched once to validate it
        with django_assert_num_queries(10):
            client.get(reverse("stories:feed"), {"q": "crew", "theme": theme.slug, "team": finance.slug,
                                                "customer": kens.slug, "author": leader.pk,
                                                "before": selectors.encode_cursor(response.context["stories"][4])})
        with django_assert_num_queries(4):  # "load more": session, user, the next stories with their themes, marks
            client.get(reverse("stories:feed"), {"q": "truck"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="story-list")
        with django_assert_num_queries(5):  # the results for a new filter: + the chosen theme; no option lists
            client.get(reverse("stories:feed"), {"theme": theme.slug}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="story-results")
        leader_client = as_user(leader)
        with django_assert_num_queries(7):  # leaders also see how many stories wait for review
            leader_client.get(reverse("stories:feed"))


@pytest.mark.django_db
class TestDetail:
    def test_it_shows_the_story_the_customer_and_records_a_read_once(self, as_user, staff, story):
        client = as_user(staff)
        response = client.get(story.get_absolute_url())
        html = response.content.decode()
        assert response.status_code == 200
        assert "<strong>six</strong>" in html and "A late delivery means a crew stands idle." in html
        assert story.customer.get_absolute_url() in html
        assert "This moved me" in html and 'aria-pressed="false"' in html
        client.get(story.get_absolute_url())
        assert Read.objects.filter(story=story).count() == 1
        assert "Read by 1 person" in client.get(story.get_absolute_url()).content.decode()

    def test_a_wrong_slug_redirects(self, as_user, staff, story):
        response = as_user(staff).get(reverse("stories:detail", args=[story.pk, "old-title"]))
        assert response.status_code == 302 and response["Location"] == story.get_absolute_url()
        assert as_user(staff).get(reverse("stories:detail_short", args=[story.pk])).status_code == 302

    @pytest.mark.parametrize("persona,status", [("host", 200), ("leader", 200), ("admin_user", 200), ("staff", 404), ("outsider", 404)])
    def test_drafts_are_visible_only_to_author_and_leaders(self, request, as_user, draft, persona, status):
        client = as_user(request.getfixturevalue(persona))
        assert client.get(draft.get_absolute_url()).status_code == status
        assert client.get(draft.get_present_url()).status_code == status

    def test_leaders_see_the_history(self, as_user, leader, host, draft):
        services.story_submit(by=host, story=draft)
        html = as_user(leader).get(draft.get_absolute_url()).content.decode()
        assert "submitted for review" in html and "History" in html
        assert "History" not in as_user(host).get(draft.get_absolute_url()).content.decode()

    def test_missing_story_is_404(self, as_user, staff):
        assert as_user(staff).get(reverse("stories:detail", args=[404, "x"])).status_code == 404

    @pytest.mark.parametrize("payload", [
        "<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "[x](javascript:alert(1))",
        '<iframe src="https://evil.example"></iframe>', "<svg onload=alert(1)>", '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<div onmouseover="alert(1)">x</div>', "<object data=javascript:alert(1)></object>",
        '<form action="javascript:alert(1)"><input type=submit></form>', '"><script>alert(document.cookie)</script>',
    ])
    def test_xss_never_reaches_the_page(self, as_user, leader, staff, kens, payload):
        story = services.story_create(by=leader, customer=kens, title=payload, body=payload, impact=payload, bought=payload, publish=True)
        services.comment_add(by=staff, story=story, body=payload)
        for url in (story.get_absolute_url(), story.get_present_url(), reverse("stories:feed"), kens.get_absolute_url(),
                    reverse("stories:feed") + "?q=alert", reverse("home")):
            html = as_user(staff).get(url, follow=True).content.decode().lower()
            for needle in ("<script>alert", "<img src=x", 'href="javascript', "<iframe", "<svg", "<object", 'action="javascript'):
                assert needle not in html, (url, needle)
            assert not re.search(r"<[^>]*\son(error|load|mouseover)\s*=", html), url

    def test_a_story_nobody_reacted_to_or_commented_on_asks_for_neither(self, as_user, staff, leader, kens, theme, finance, django_assert_num_queries):
        story = make_stories(1, customer=kens, author=leader, theme=theme, team=finance)[0]
        client = as_user(staff)
        client.get(story.get_absolute_url())
        with django_assert_num_queries(4):  # as below, without the reaction counts and the comments
            response = client.get(story.get_absolute_url())
        assert response.context["comments"] == [] and all(count == 0 for _k, _l, count, _m in response.context["reactions"])

    @pytest.mark.parametrize("size", [10, 1000])
    def test_it_runs_a_fixed_number_of_queries(self, as_user, staff, leader, kens, theme, finance, size, django_assert_num_queries):
        story = make_stories(1, customer=kens, author=leader, theme=theme, team=finance)[0]
        users = UserFactory.create_batch(3)
        now = timezone.now()
        Reaction.objects.bulk_create(Reaction(story=story, user=users[i % 3], kind=Reaction.Kind.values[i % 4]) for i in range(12))
        Comment.objects.bulk_create(Comment(story=story, author=users[i % 3], body="c", body_html="<p>c</p>", created_at=now) for i in range(size))
        Story.objects.filter(pk=story.pk).update(reaction_count=12, comment_count=size)  # as the services keep them
        services.read_record(by=users[0], story=story)
        other = Client()
        other.force_login(users[0])
        client = as_user(staff)
        # session, user, the story with its customer, author, themes and teams (what the page's
        # fragments are keyed by), whether I read it and my reactions (one query); the first read (a
        # savepoint, the insert, the read count, release); the reaction counts and the comments; the
        # stories like this one (stories.related: one query); on PostgreSQL the read's own short lock
        # wait (SET LOCAL lock_timeout, stories.services.read_record)
        with django_assert_num_queries(10 + (connection.vendor == "postgresql")):
            response = client.get(story.get_absolute_url())
        assert len(response.context["comments"]) == size
        assert response.context["story"].read_count == 2
        with django_assert_num_queries(6):  # read before: nothing to record
            response = client.get(story.get_absolute_url())
        assert response.context["story"].read_count == 2
        with django_assert_num_queries(6):  # someone else who read it before
            assert other.get(story.get_absolute_url()).context["story"].read_count == 2
        assert as_user(users[1]).get(story.get_absolute_url()).context["story"].read_count == 3
        leader_client = as_user(leader)
        leader_client.get(story.get_absolute_url())
        with django_assert_num_queries(7):  # leaders: + the history
            leader_client.get(story.get_absolute_url())


@pytest.mark.django_db
class TestPresentAndGiveMeOne:
    def test_present_is_a_clean_full_screen_page(self, as_user, staff, story):
        response = as_user(staff).get(story.get_present_url())
        html = response.content.decode()
        assert response.status_code == 200
        assert 'class="present"' in html and "primary-nav" not in html
        assert "<strong>six</strong>" in html
        assert Read.objects.filter(story=story, user=staff).exists()

    def test_it_picks_the_story_the_team_has_read_least(self, as_user, staff, leader, kens, finance):
        read_by_team = services.story_create(by=leader, customer=kens, title="Read", body="B", publish=True)
        unread = services.story_create(by=leader, customer=kens, title="Unread", body="B", publish=True)
        services.read_record(by=leader, story=read_by_team)  # leader is in staff's team
        response = as_user(staff).get(reverse("stories:give_me_one"))
        assert response["Location"] == unread.get_present_url()

    def test_among_unread_it_prefers_well_received_and_recent(self, as_user, staff, leader, outsider, kens):
        loved = services.story_create(by=leader, customer=kens, title="Loved", body="B", publish=True)
        services.story_create(by=leader, customer=kens, title="Newer", body="B", publish=True)
        old = services.story_create(by=leader, customer=kens, title="Old", body="B", publish=True)
        Story.objects.filter(pk=old.pk).update(published_at=timezone.now() - datetime.timedelta(days=200))
        services.reaction_toggle(by=outsider, story=loved, kind="moved")
        services.reaction_toggle(by=outsider, story=old, kind="moved")
        services.reaction_toggle(by=outsider, story=old, kind="great_news")
        assert as_user(staff).get(reverse("stories:give_me_one"))["Location"] == loved.get_present_url()

    def test_no_stories_goes_back_to_the_feed(self, as_user, staff):
        response = as_user(staff).get(reverse("stories:give_me_one"))
        assert response["Location"] == reverse("stories:feed")


@pytest.mark.django_db
class TestReview:
    def test_leaders_see_submitted_stories(self, as_user, leader, host, draft):
        services.story_submit(by=host, story=draft)
        response = as_user(leader).get(reverse("stories:review"))
        assert [s.pk for s in response.context["submitted"]] == [draft.pk]
        assert "1 story submitted for review" in as_user(leader).get(reverse("stories:feed")).content.decode()

    def test_hosts_see_their_drafts(self, as_user, host, draft):
        response = as_user(host).get(reverse("stories:review"))
        assert response.context["submitted"] == [] and [s.pk for s in response.context["mine"]] == [draft.pk]

    @pytest.mark.parametrize("persona", ["staff", "outsider"])
    def test_staff_have_no_review_page(self, request, as_user, persona):
        assert as_user(request.getfixturevalue(persona)).get(reverse("stories:review")).status_code == 403


@pytest.mark.django_db
class TestAtom:
    def test_it_lists_published_stories_for_signed_in_people(self, as_user, staff, story, draft):
        response = as_user(staff).get(reverse("stories:atom"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        body = response.content.decode()
        assert "The 6 a.m. counter" in body and "From the field" not in body

    def test_it_requires_sign_in(self, client, story):
        response = client.get(reverse("stories:atom"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
class TestCustomerSectionAndHomePanel:
    def test_the_customer_page_lists_its_stories(self, as_user, staff, story, draft):
        html = as_user(staff).get(story.customer.get_absolute_url()).content.decode()
        assert 'id="section-stories"' in html
        assert "The 6 a.m. counter" in html and "From the field" not in html

    @pytest.mark.parametrize("size", [3, 300])
    def test_the_section_runs_a_fixed_number_of_queries(self, staff, leader, kens, size, django_assert_num_queries):
        from customers.sections import _SECTIONS

        make_stories(size, customer=kens, author=leader, users=[staff])
        with django_assert_num_queries(1):
            context = _SECTIONS["stories"].context(kens, staff)
        assert len(context["stories"]) == min(size, 10)
        assert context["has_more"] == (size > 10)

    def test_the_home_panel_prefers_followed_customers_and_skips_read_ones(self, as_user, staff, leader, kens):
        other = CustomerFactory(name="Harbor Lights Bakery")
        followed = services.story_create(by=leader, customer=kens, title="Followed one", body="B", publish=True)
        newer = services.story_create(by=leader, customer=other, title="Newer one", body="B", publish=True)
        Follow.objects.create(user=staff, customer=kens)
        html = as_user(staff).get(reverse("home")).content.decode()
        assert "A story to start your day" in html and "Followed one" in html
        services.read_record(by=staff, story=followed)
        assert selectors.story_of_the_day(staff) == newer
        services.read_record(by=staff, story=newer)
        assert selectors.story_of_the_day(staff) is None
        assert "A story to start your day" not in as_user(staff).get(reverse("home")).content.decode()

    @pytest.mark.parametrize("size", [5, 500])
    def test_the_panel_runs_one_query(self, staff, leader, kens, finance, size, django_assert_num_queries):
        make_stories(size, customer=kens, author=leader, team=finance, users=[leader])
        with django_assert_num_queries(1):
            assert selectors.story_of_the_day(staff) is not None


@pytest.mark.django_db
def test_excerpts_show_ampersands_once(as_user, staff):
    from tests.factories import CustomerFactory, StoryFactory

    StoryFactory(customer=CustomerFactory(name="Persepolis Rugs & Home"), body="Rugs & carpets <b>for</b> homes.",
                 status="published")
    html = as_user(staff).get("/stories/").content.decode()
    assert "Rugs &amp; carpets for homes." in html
    assert "&amp;amp;" not in html


@pytest.mark.django_db
def test_the_search_hint_shows_whole(as_user, staff):
    html = as_user(staff).get("/stories/").content.decode()
    assert 'placeholder="Words, &quot;exact phrase&quot;, -without, this or that"' in html
