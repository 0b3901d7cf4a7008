"""What the stories' pages keep in each worker's fragment memory ({% fragment %}): reads, reactions and
comments throw nothing away (their counts are columns, read with the row), and an edited story shows
at once wherever it is listed, in every worker (a change makes a new key)."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.urls import reverse

from customers.models import Follow
from stories import services
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def entries(name=""):
    """Everything in this worker's fragment memory (of the fragments called `name`): {key: pickled markup}."""
    return {key: value for key, value in caches["template_fragments"]._cache.items() if f".{name}" in key}


def html(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def other_story(leader, theme):
    """A second published story, about another customer."""
    return services.story_create(
        by=leader, customer=CustomerFactory(name="Harbor Lights Bakery"), title="Bread before dawn",
        body="The ovens start at four.", themes=[theme], publish=True,
    )


@pytest.fixture
def pages(as_user, staff, story, other_story):
    """The pages that show the two stories, rendered once for `staff` (who follows Ken's)."""
    Follow.objects.create(user=staff, customer=story.customer)
    client = as_user(staff)
    urls = [reverse("stories:feed"), story.customer.get_absolute_url(), reverse("home"),
            other_story.get_absolute_url(), story.get_absolute_url()]

    def render():
        return {url: html(client, url) for url in urls}

    return render


class TestPerRequestCountsInvalidateNothing:
    @pytest.mark.parametrize("change, feed_text, page_text", [
        ("read", "2\N{NO-BREAK SPACE}reads", "Read by 2 people"),  # staff's own first visit was the first read
        ("reaction", "1\N{NO-BREAK SPACE}reaction", '<span class="reaction__count" data-count>1</span>'),
        ("comment", "1\N{NO-BREAK SPACE}comment", "Thanks for this"),
    ])
    def test_it_changes_no_cached_entry(self, pages, outsider, story, other_story, change, feed_text, page_text):
        pages()
        before = entries()
        assert before
        if change == "read":
            services.read_record(by=outsider, story=story)
        elif change == "reaction":
            services.reaction_toggle(by=outsider, story=story, kind="moved")
        else:
            services.comment_add(by=outsider, story=story, body="Thanks for this")
        after = pages()
        kept = entries()
        # Every entry made before is still there, unchanged, and served: the pages rendered again
        # from it (the only new entry is the new comment's own row).
        assert {key: kept[key] for key in before} == before
        assert len(kept) - len(before) == (1 if change == "comment" else 0)
        # ... and the pages show the new count, read with the story's row
        assert feed_text in after[reverse("stories:feed")]
        assert page_text in after[story.get_absolute_url()]

    def test_the_counter_columns_follow_every_change(self, staff, outsider, story):
        services.read_record(by=outsider, story=story)
        services.read_record(by=outsider, story=story)  # a second visit is not a second read
        services.reaction_toggle(by=outsider, story=story, kind="moved")
        services.reaction_toggle(by=staff, story=story, kind="moved")
        services.reaction_toggle(by=outsider, story=story, kind="moved")  # taken back
        comment = services.comment_add(by=outsider, story=story, body="One")
        services.comment_add(by=staff, story=story, body="Two")
        services.comment_delete(by=outsider, comment=comment)
        story.refresh_from_db()
        assert (story.read_count, story.reaction_count, story.comment_count) == (1, 1, 1)
        assert (story.reads.count(), story.reactions.count(), story.comments.count()) == (1, 1, 1)

    def test_a_count_leaves_the_story_s_updated_at_alone(self, outsider, story):
        updated_at = story.updated_at
        services.read_record(by=outsider, story=story)
        services.reaction_toggle(by=outsider, story=story, kind="moved")
        services.comment_add(by=outsider, story=story, body="Thanks")
        story.refresh_from_db()
        assert story.updated_at == updated_at


class TestAnEditShowsEverywhereAtOnce:
    def test_a_new_title_reaches_every_page_in_every_worker(self, as_worker, as_user, staff, leader, story, other_story):
        Follow.objects.create(user=staff, customer=story.customer)
        client = as_user(staff)
        if connection.vendor == "postgresql":
            listing = (reverse("stories:feed"), {"q": "counter"})  # search, highlighted
            new = "The 5 a.m. <mark>counter</mark>"
        else:
            listing = (reverse("stories:feed"), {"customer": story.customer.slug})  # the feed with a filter
            new = "The 5 a.m. counter"
        urls = [(reverse("stories:feed"), {}), listing, (story.customer.get_absolute_url(), {}), (reverse("home"), {})]

        def seen():
            pages = [html(client, url, **params) for url, params in urls]
            home = pages[-1]  # the story of the day (the home page's other panels are not this app's)
            pages[-1] = home[home.index('class="section card story-of-the-day"'):].split("</section>")[0]
            return pages

        for worker in ("a", "b"):
            with as_worker(worker):
                assert all("The 6 a.m." in page for page in seen())
        with as_worker("a"):
            others = entries()
            services.story_update(by=leader, story=story, customer=story.customer, title="The 5 a.m. counter",
                                  body=story.body, themes=list(story.themes.all()), teams=list(story.teams.all()))
        for worker in ("b", "a"):
            with as_worker(worker):
                feed, found, customer_page, home = seen()
                for page in (feed, customer_page, home):
                    assert "The 5 a.m. counter" in page
                assert new in found
                assert not any("The 6 a.m." in page for page in (feed, found, customer_page, home))
                assert "Bread before dawn" in feed
        with as_worker("a"):
            # the other story's card was served from its entry, kept as it was
            assert all(entries().get(key) == value for key, value in others.items())

    def test_a_renamed_theme_or_author_reaches_the_cards(self, as_worker, as_user, staff, leader, story, theme):
        client = as_user(staff)
        with as_worker("a"):
            assert "Reliability" in html(client, reverse("stories:feed"))
        theme.name = "Dependability"
        theme.save()
        leader.name = "Grace O. Adeyemi"
        leader.save(update_fields=["name"])
        for worker in ("a", "b"):
            with as_worker(worker):
                feed = html(client, reverse("stories:feed"))
                assert "Dependability" in feed and "Reliability" not in feed and "Grace O. Adeyemi" in feed
                customer_page = html(client, story.customer.get_absolute_url())
                assert "Grace O. Adeyemi" in customer_page


class TestTheReadersOwnMarks:
    def test_marks_and_comment_actions_are_never_shared(self, as_user, staff, outsider, story):
        Follow.objects.create(user=staff, customer=story.customer)
        services.comment_add(by=staff, story=story, body="Mine")
        page = html(as_user(staff), story.get_absolute_url())
        mine = html(as_user(staff), reverse("stories:feed"))
        theirs = html(as_user(outsider), reverse("stories:feed"))
        their_page = html(as_user(outsider), story.get_absolute_url())
        assert "You follow this customer" in mine and "badge--read" in mine
        assert "You follow this customer" not in theirs and "badge--read" not in theirs
        assert "comment__actions" in page and "comment__actions" not in their_page
        assert 'name="csrfmiddlewaretoken"' in page

    def test_a_new_reader_sees_the_story_unread(self, as_user, staff, story):
        html(as_user(staff), story.get_absolute_url())
        assert "badge--read" not in html(as_user(UserFactory(team=staff.team)), reverse("stories:feed"))


class TestCardsAreSharedAcrossPagesOfTheFeed:
    def test_a_theme_filter_reuses_the_cards_of_the_first_page(self, as_user, staff, story, other_story, theme):
        client = as_user(staff)
        html(client, reverse("stories:feed"), q="", team="", theme="", author="")
        kept = entries("story-card")
        page = html(client, reverse("stories:feed"), q="", team="", theme=theme.slug, author="")
        assert entries("story-card") == kept  # both cards drawn from what the first page kept
        # and their theme links are this page's, in the form's order
        assert f'href="?q=&amp;team=&amp;theme={theme.slug}&amp;author="' in page

    def test_other_filters_keep_cards_of_their_own(self, as_user, staff, story, other_story, finance):
        client = as_user(staff)
        html(client, reverse("stories:feed"))
        kept = entries("story-card")
        html(client, reverse("stories:feed"), team=finance.slug)
        assert len(entries("story-card")) > len(kept)  # the theme links keep the team: another card


class TestTheFilterBar:
    """The feed's filter bar is kept in a fragment keyed by all it shows: a renamed team or theme, a
    renamed chosen customer and what was typed show at once; the same bar is drawn once and reused."""

    def test_it_is_reused_and_follows_every_change(self, as_user, staff, story, theme, finance):
        client = as_user(staff)
        html(client, reverse("stories:feed"))
        kept = entries()
        assert html(client, reverse("stories:feed")) and entries() == kept  # nothing new drawn
        finance.name = "Finance & Treasury"
        finance.save()
        theme.name = "Night shifts"
        theme.save()
        page = html(client, reverse("stories:feed"))
        assert ">Finance &amp; Treasury</option>" in page and ">Night shifts</option>" in page
        customer = story.customer
        page = html(client, reverse("stories:feed"), customer=customer.slug, q="pallets")
        assert 'value="pallets"' in page and "Ken&#x27;s Plumbing Supply" in page
        customer.name = "Ken's Plumbing & Heating"
        customer.save()
        page = html(client, reverse("stories:feed"), customer=customer.slug, q="pallets")
        assert "Ken&#x27;s Plumbing &amp; Heating" in page
        chosen = html(client, reverse("stories:feed"), team=finance.slug)
        assert f'<option value="{finance.slug}" selected>' in chosen
