"""The feed's cards (stories/feed.html#card) are kept as fragments shared between readers: every change
to what a card shows reaches the next page load, and each reader still sees their own marks."""

import pytest
from django.urls import reverse

from customers.models import Follow
from stories import services
from tests.factories import CustomerFactory, ThemeFactory, UserFactory


def feed_html(client, **params):
    return client.get(reverse("stories:feed"), params).content.decode()


@pytest.mark.django_db
class TestSharedCards:
    def test_each_reader_sees_their_own_marks_on_the_same_cards(self, as_user, client, staff, leader, story):
        Follow.objects.create(user=staff, customer=story.customer)
        services.read_record(by=staff, story=story)
        mine = feed_html(as_user(staff))
        theirs = feed_html(as_user(UserFactory(team=staff.team)))
        assert "You follow this customer" in mine and "badge--read" in mine and "story-card--followed" in mine
        assert "You follow this customer" not in theirs and "badge--read" not in theirs
        assert "story-card--followed" not in theirs
        # the rest of the card is the same markup
        assert mine.count("The 6 a.m. counter") == theirs.count("The 6 a.m. counter") == 1

    @pytest.mark.parametrize("change, expected", [
        ("comment", "1\N{NO-BREAK SPACE}comment"),
        ("reaction", "1\N{NO-BREAK SPACE}reaction"),
        ("read", "1\N{NO-BREAK SPACE}read"),
        ("title", "The 5 a.m. counter"),
        ("customer", "Ken&#x27;s Plumbing &amp; Heating"),
        ("author", "Grace Okafor-Mensah"),
        ("theme", "Dependability"),
        ("new story", "A second story"),
    ])
    def test_a_change_to_anything_on_a_card_shows_on_the_next_load(self, as_user, staff, leader, story, theme, change, expected):
        client, reader = as_user(staff), UserFactory()
        before = feed_html(client)
        assert expected not in before
        if change == "comment":
            services.comment_add(by=staff, story=story, body="Thanks")
        elif change == "reaction":
            services.reaction_toggle(by=staff, story=story, kind="moved")
        elif change == "read":
            services.read_record(by=reader, story=story)
        elif change == "title":
            services.story_update(by=leader, story=story, customer=story.customer, title="The 5 a.m. counter",
                                  body=story.body, themes=[theme], teams=list(story.teams.all()))
        elif change == "customer":
            story.customer.name = "Ken's Plumbing & Heating"
            story.customer.save()
        elif change == "author":
            leader.name = "Grace Okafor-Mensah"
            leader.save(update_fields=["name"])
        elif change == "theme":
            theme.name = "Dependability"
            theme.save()
        elif change == "new story":
            services.story_create(by=leader, customer=CustomerFactory(), title="A second story", body="Text",
                                  themes=[ThemeFactory()], publish=True)
        assert expected in feed_html(client)

    def test_an_unpublished_story_leaves_the_feed_at_once(self, as_user, staff, leader, story):
        client = as_user(staff)
        assert "The 6 a.m. counter" in feed_html(client)
        services.story_unpublish(by=leader, story=story)
        assert "The 6 a.m. counter" not in feed_html(client)

    def test_theme_links_keep_the_page_s_own_filters(self, as_user, staff, story, theme):
        html = feed_html(as_user(staff), q="", team=staff.team.slug)
        assert f'href="?q=&amp;team={staff.team.slug}&amp;theme={theme.slug}"' in html
        assert f'href="?theme={theme.slug}"' in feed_html(as_user(staff))

    def test_in_arabic_the_cards_are_arabic(self, as_user, staff, story):
        client = as_user(staff)
        feed_html(client)  # the English copy, cached
        staff.language = "ar"
        staff.save(update_fields=["language"])
        html = feed_html(client)
        assert 'dir="rtl"' in html and "0 reactions" not in html


@pytest.mark.django_db
class TestSharedFilterBar:
    def test_the_filter_bar_follows_renames_and_new_teams(self, as_user, staff, story, finance):
        from tests.factories import TeamFactory

        client = as_user(staff)
        customer = story.customer
        html = feed_html(client, customer=customer.slug)
        assert f'<option value="{customer.slug}" selected>' in html
        customer.name = "Ken's Plumbing & Heating"
        customer.save()
        TeamFactory(name="Procurement", slug="procurement")
        html = feed_html(client, customer=customer.slug)
        assert "Ken&#x27;s Plumbing &amp; Heating</option>" in html
        assert '<option value="procurement">Procurement</option>' in html

    def test_the_search_text_is_kept_per_query(self, as_user, staff, story):
        client = as_user(staff)
        assert 'value="counter"' in feed_html(client, q="counter")
        assert 'value="truck"' in feed_html(client, q="truck")

    def test_a_name_typed_in_the_author_box_comes_back_with_its_matches(self, as_user, staff, story):
        """Without a script, "Om" + Apply: the bar keeps "Om" and lists who it matches to choose from,
        whatever bar was kept for the plain feed a moment before."""
        UserFactory(name="Omar Haddad")
        UserFactory(name="Tom Becker")
        client = as_user(staff)
        feed_html(client)  # the plain bar, kept
        html = feed_html(client, author_search="Om")
        assert 'name="author_search" value="Om"' in html
        assert ">Omar Haddad</option>" in html and ">Tom Becker</option>" in html
        assert "Several match “<bdi>Om</bdi>”: choose one in the list." in html
        UserFactory(name="Omid Rahimi")  # joins: the same search lists them too
        assert ">Omid Rahimi</option>" in feed_html(client, author_search="Om")

    def test_a_name_that_matches_one_person_picks_them(self, as_user, staff, story):
        author = story.author
        html = feed_html(as_user(staff), author_search=author.name)
        assert f'<option value="{author.pk}" selected>' in html
        assert "Several match" not in html
