"""Private Atom feeds (stories.feeds): a feed reader fetches them with no sign-in; the token in the
address is the only key, it resets at once, and a feed shows only what its owner may read."""

import datetime
import re
import secrets

import feedparser
import pytest
from django.test import Client
from django.urls import reverse

from customers.services import follow_set
from stories import selectors, services
from stories.models import Story
from tests.conftest import frozen_at
from tests.factories import CustomerFactory, StoryFactory, ThemeFactory, UserFactory

from .atom_rules import atom_problems

NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
now = pytest.fixture(autouse=True)(frozen_at(NOW))

KINDS = ["all", "customer", "theme", "following"]


def address(user, kind="all", slug=None, token=None):
    token = token or user.feed_token
    if kind == "customer":
        return reverse("stories:reader_feed_customer", kwargs={"token": token, "slug": slug or "kens-plumbing-supply"})
    if kind == "theme":
        return reverse("stories:reader_feed_theme", kwargs={"token": token, "slug": slug or "reliability"})
    if kind == "following":
        return reverse("stories:reader_feed_following", kwargs={"token": token})
    return reverse("stories:reader_feed", kwargs={"token": token})


def _page(response):
    """The page without what differs on every request: the masked CSRF token, the address itself."""
    html = response.content.decode().replace(response.request["PATH_INFO"], "")
    return re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', "", html)


def titles(response):
    parsed = feedparser.parse(response.content)
    return [entry.title for entry in parsed.entries]


@pytest.fixture
def reader(staff, kens):
    """A staff member who follows Ken's."""
    follow_set(by=staff, customer=kens)
    return staff


@pytest.fixture
def stories(leader, kens, theme, story, draft):
    """Ken's published story (theme Reliability), Ken's draft, another customer's story with no theme
    and one submitted for review."""
    other = services.story_create(
        by=leader, customer=CustomerFactory(name="Rosa's Bakery", slug="rosas-bakery"), title="Flour at dawn",
        body="Rosa bakes at four.", publish=True,
    )
    submitted = services.story_create(by=leader, customer=kens, title="Waiting for review", body="Not yet.")
    Story.objects.filter(pk=submitted.pk).update(status=Story.Status.SUBMITTED)
    return {"kens": story, "draft": draft, "other": other, "submitted": submitted}


@pytest.mark.django_db
class TestTheAddress:
    def test_a_reader_fetches_it_without_signing_in(self, client, reader, stories):
        response = client.get(address(reader))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
        assert titles(response) == ["Rosa's Bakery: Flour at dawn", "Ken's Plumbing Supply: The 6 a.m. counter"]

    @pytest.mark.parametrize("kind", KINDS)
    def test_a_wrong_token_is_a_plain_404(self, client, reader, stories, kind):
        wrong = client.get(address(reader, kind, token=secrets.token_urlsafe(32)))
        nowhere = client.get("/no/such/page/")
        assert wrong.status_code == 404
        # The same page as any unknown address: nothing says a token was expected, wrong or reset.
        assert _page(wrong) == _page(nowhere)

    @pytest.mark.parametrize("token", ["", " ", "a\x00b", "x" * 500])
    def test_odd_tokens_are_404s(self, client, reader, token):
        assert client.get(f"/stories/feeds/{token}/").status_code == 404
        assert client.get(reverse("stories:reader_feed_customer", kwargs={"token": "t", "slug": "a\x00b"})).status_code == 404

    def test_a_token_is_one_persons_and_long(self, reader, leader):
        assert reader.feed_token != leader.feed_token
        assert len(reader.feed_token) >= 43  # 256 random bits

    @pytest.mark.parametrize("kind", KINDS)
    def test_a_deactivated_persons_addresses_stop_working(self, client, reader, stories, kind):
        assert client.get(address(reader, kind)).status_code == 200
        reader.is_active = False
        reader.save(update_fields=["is_active"])
        assert client.get(address(reader, kind)).status_code == 404

    @pytest.mark.parametrize("kind", ["customer", "theme"])
    def test_an_unknown_customer_or_theme_is_a_404(self, client, reader, stories, kind):
        assert client.get(address(reader, kind, slug="nobody")).status_code == 404

    def test_only_get_and_head_are_answered(self, client, reader):
        assert client.head(address(reader)).status_code == 200  # some readers ask before they fetch
        assert client.post(address(reader)).status_code == 405


@pytest.mark.django_db
class TestReset:
    @pytest.mark.parametrize("kind", KINDS)
    def test_the_old_addresses_stop_working_at_once(self, client, as_user, reader, leader, stories, kind):
        old, theirs = address(reader, kind), address(leader, kind)
        response = as_user(reader).post(reverse("stories:subscribe_reset"))
        assert response.status_code == 302 and response["Location"] == reverse("stories:subscribe")
        reader.refresh_from_db()
        reader_client = Client()
        assert reader_client.get(old).status_code == 404
        assert reader_client.get(address(reader, kind)).status_code == 200
        assert reader_client.get(theirs).status_code == 200  # nobody else's changes

    def test_the_page_shows_the_new_address(self, as_user, reader):
        old = reader.feed_token
        html = as_user(reader).post(reverse("stories:subscribe_reset"), follow=True).content.decode()
        reader.refresh_from_db()
        assert "no longer work" in html
        assert reader.feed_token in html and old not in html

    def test_it_takes_a_post_from_someone_signed_in(self, client, as_user, reader):
        old = reader.feed_token
        assert client.post(reverse("stories:subscribe_reset")).status_code == 302  # to sign in
        assert as_user(reader).get(reverse("stories:subscribe_reset")).status_code == 405
        reader.refresh_from_db()
        assert reader.feed_token == old

    def test_the_service_needs_a_signed_in_person(self):
        from django.contrib.auth.models import AnonymousUser
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            services.feed_token_reset(by=AnonymousUser())

    def test_the_entry_ids_outlive_a_reset(self, client, as_user, reader, stories):
        before = [entry.id for entry in feedparser.parse(client.get(address(reader)).content).entries]
        as_user(reader).post(reverse("stories:subscribe_reset"))
        reader.refresh_from_db()
        after = [entry.id for entry in feedparser.parse(Client().get(address(reader)).content).entries]
        assert before == after


@pytest.mark.django_db
class TestWhatEachFeedShows:
    def test_all_stories_are_the_published_ones(self, client, reader, stories):
        assert titles(client.get(address(reader))) == [
            "Rosa's Bakery: Flour at dawn", "Ken's Plumbing Supply: The 6 a.m. counter",
        ]

    def test_a_customers_feed_has_only_their_stories(self, client, reader, stories):
        assert titles(client.get(address(reader, "customer"))) == ["Ken's Plumbing Supply: The 6 a.m. counter"]
        assert titles(client.get(address(reader, "customer", slug="rosas-bakery"))) == ["Rosa's Bakery: Flour at dawn"]

    def test_a_themes_feed_has_only_its_stories(self, client, reader, stories):
        ThemeFactory(name="Speed", slug="speed")
        assert titles(client.get(address(reader, "theme"))) == ["Ken's Plumbing Supply: The 6 a.m. counter"]
        assert titles(client.get(address(reader, "theme", slug="speed"))) == []

    def test_the_following_feed_has_the_customers_one_follows(self, client, reader, leader, stories):
        assert titles(client.get(address(reader, "following"))) == ["Ken's Plumbing Supply: The 6 a.m. counter"]
        assert titles(client.get(address(leader, "following"))) == []  # follows no one
        follow_set(by=reader, customer=stories["other"].customer)
        assert len(titles(client.get(address(reader, "following")))) == 2
        follow_set(by=reader, customer=stories["kens"].customer, follow=False)
        assert titles(client.get(address(reader, "following"))) == ["Rosa's Bakery: Flour at dawn"]

    @pytest.mark.parametrize("kind", KINDS)
    def test_drafts_and_submitted_stories_never_appear(self, client, reader, leader, stories, kind):
        for owner in (reader, leader, stories["draft"].author):  # not even to their author or a leader
            follow_set(by=owner, customer=stories["kens"].customer)
            body = client.get(address(owner, kind)).content.decode()
            assert "From the field" not in body and "Waiting for review" not in body

    def test_an_unpublished_story_leaves_the_feed(self, client, reader, leader, stories):
        services.story_unpublish(by=leader, story=stories["kens"])
        assert titles(client.get(address(reader))) == ["Rosa's Bakery: Flour at dawn"]

    @pytest.mark.parametrize("kind", KINDS)
    def test_every_feed_asks_the_one_selector_with_its_reader(self, client, reader, stories, kind, monkeypatch):
        """Who may read what is decided in selectors.for_reader alone: narrowing it narrows every feed."""
        asked = []

        def only_rosas(user):
            asked.append(user.pk)
            return selectors.published().exclude(customer=stories["kens"].customer)

        monkeypatch.setattr(selectors, "for_reader", only_rosas)
        follow_set(by=reader, customer=stories["other"].customer)
        slug = "rosas-bakery" if kind == "customer" else None
        body = client.get(address(reader, kind, slug=slug)).content.decode()
        assert asked == [reader.pk]
        assert "The 6 a.m. counter" not in body
        if kind != "theme":  # Rosa's story has no theme
            assert "Flour at dawn" in body

    def test_someone_who_may_not_view_stories_reads_nothing(self, reader, stories, monkeypatch):
        from portal import permissions

        monkeypatch.setitem(permissions.RULES, "story.view", permissions.Rule(frozenset({permissions.LEADER})))
        assert selectors.feed_items(reader=reader) == []

    def test_the_newest_fifty(self, client, reader, kens):
        for day in range(55):
            StoryFactory(customer=kens, title=f"Day {day}", published_at=NOW - datetime.timedelta(days=day))
        entries = titles(client.get(address(reader)))
        assert len(entries) == 50 and entries[0].endswith("Day 0") and entries[-1].endswith("Day 49")


@pytest.mark.django_db
class TestValidity:
    @pytest.fixture
    def tricky(self, leader, theme):
        """Names and text that must be escaped: ampersands, angle brackets, quotes, right-to-left text."""
        customer = CustomerFactory(name='Ahmed & Sons <"Trading">', slug="ahmed")
        return services.story_create(
            by=leader, customer=customer, title="«Fast» & <safe> — تسليم سريع",
            body="They said *“on time”* & meant it. <script>alert(1)</script> [site](https://example.com/?a=1&b=2)",
            bought="Pumps & <valves>", impact="Less **waiting**.", themes=[theme], publish=True, language="ar",
        )

    @pytest.mark.parametrize("kind", KINDS)
    def test_feedparser_reads_it_without_complaint(self, client, reader, stories, tricky, kind):
        follow_set(by=reader, customer=tricky.customer)
        parsed = feedparser.parse(client.get(address(reader, kind)).content)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.version == "atom10"
        assert parsed.feed.title.startswith("Lifeline: ") and parsed.feed.id.startswith("tag:")
        assert parsed.feed.updated_parsed is not None and parsed.feed.author == "Lifeline"
        for entry in parsed.entries:
            assert entry.id.startswith("tag:") and entry.link.startswith("http://testserver/stories/")
            assert entry.updated_parsed and entry.published_parsed and entry.author
            assert entry.content[0].type == "text/html"

    def test_html_arrives_as_the_story_shows_it(self, client, reader, tricky):
        parsed = feedparser.parse(client.get(address(reader, "customer", slug="ahmed")).content)
        entry = parsed.entries[0]
        assert entry.title == 'Ahmed & Sons <"Trading">: «Fast» & <safe> — تسليم سريع'
        html = entry.content[0].value
        assert "<em>“on time”</em> &amp; meant it." in html and "<script>" not in html
        assert '<a href="https://example.com/?a=1&amp;b=2"' in html
        assert "<p>Pumps &amp; &lt;valves&gt;</p>" in html and "<strong>waiting</strong>" in html
        assert entry.summary.startswith("They said “on time” &amp; meant it.")  # HTML for the plain excerpt
        assert [tag.term for tag in entry.tags] == ['Ahmed & Sons <"Trading">', "Reliability"]

    @pytest.mark.parametrize("kind", KINDS)
    def test_it_keeps_the_rules_of_rfc_4287(self, client, reader, stories, tricky, kind):
        follow_set(by=reader, customer=tricky.customer)
        response = client.get(address(reader, kind))
        assert atom_problems(response.content) == []

    @pytest.mark.parametrize("kind", KINDS)
    def test_an_empty_feed_keeps_them_too(self, client, kind):
        person = UserFactory()
        CustomerFactory(slug="kens-plumbing-supply")
        ThemeFactory(name="Reliability", slug="reliability")
        response = client.get(address(person, kind))
        assert atom_problems(response.content) == [] and feedparser.parse(response.content).bozo == 0

    def test_the_signed_in_feed_keeps_them(self, as_user, reader, stories, tricky):
        response = as_user(reader).get(reverse("stories:atom"))
        assert response.status_code == 200
        assert atom_problems(response.content, require_self_link=False) == []

    def test_the_checker_finds_what_breaks_them(self):
        """So the test above can fail: a feed missing what RFC 4287 requires is caught."""
        broken = (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title type="html"><b>x</b></title>'
            b"<updated>yesterday</updated><entry><id>42</id><title>a</title></entry>"
            b"<entry><id>42</id><title>b</title><updated>2026-01-01T00:00:00Z</updated>"
            b'<content type="html">&lt;script&gt;x&lt;/script&gt;</content><link href="/rel"/></entry></feed>'
        )
        problems = "\n".join(atom_problems(broken))
        for expected in (
            "feed: atom:id is missing", "feed title: html content holds elements", "is not an RFC 3339 date-time",
            "no link rel=self", "entry 1: atom:updated is missing", "'42' is not an absolute IRI",
            "repeats another entry's", "no author, and the feed has none", "unsafe markup <script>",
            "is not absolute", "entry 1: neither content nor an alternate link",
        ):
            assert expected in problems, expected

    def test_entries_carry_their_language_and_the_feed_its_readers(self, client, reader, tricky):
        reader.language = "he"
        reader.save(update_fields=["language"])
        body = client.get(address(reader)).content.decode()
        assert '<feed xml:lang="he"' in body and '<entry xml:lang="ar">' in body

    def test_ids_do_not_change_when_a_story_is_renamed(self, client, reader, leader, stories):
        before = feedparser.parse(client.get(address(reader, "customer")).content)
        story = stories["kens"]
        services.story_update(
            by=leader, story=story, customer=story.customer, title="A new title", body=story.body, themes=[], teams=[]
        )
        after = feedparser.parse(client.get(address(reader, "customer")).content)
        assert after.entries[0].title.endswith("A new title")
        assert after.entries[0].id == before.entries[0].id == f"tag:127.0.0.1,2026:story/{story.pk}"
        assert after.feed.id == before.feed.id == f"tag:127.0.0.1,2026:stories/customer/{story.customer.pk}"


@pytest.mark.django_db
class TestCaching:
    def test_a_reader_revalidates_with_the_etag(self, client, reader, leader, kens, stories):
        first = client.get(address(reader))
        assert first["Cache-Control"] == "private, no-cache" and "Last-Modified" not in first
        assert first["X-Robots-Tag"] == "noindex, nofollow"
        again = client.get(address(reader), HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b""
        services.story_create(by=leader, customer=kens, title="Fresh", body="New.", publish=True)
        changed = client.get(address(reader), HTTP_IF_NONE_MATCH=first["ETag"])
        assert changed.status_code == 200 and "Fresh" in changed.content.decode()

    def test_an_unpublished_story_changes_the_etag(self, client, reader, leader, stories):
        first = client.get(address(reader))
        services.story_unpublish(by=leader, story=stories["other"])
        assert client.get(address(reader), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200

    def test_an_empty_feed_is_the_same_on_every_fetch(self, client, reader, kens):
        first = client.get(address(reader, "customer"))
        assert client.get(address(reader, "customer"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.django_db
class TestQueries:
    """The reader (one query), the customer or theme (one), the stories with customers and authors
    (one) and their themes (one), however many stories there are."""

    @pytest.mark.parametrize("size", [2, 30])
    @pytest.mark.parametrize(("kind", "expected"), [("all", 3), ("customer", 4), ("theme", 4), ("following", 3)])
    def test_a_fixed_number_whatever_the_size(self, client, reader, kens, theme, size, kind, expected, django_assert_num_queries):
        for n in range(size):
            story = StoryFactory(customer=kens, published_at=NOW - datetime.timedelta(hours=n))
            story.themes.add(theme, ThemeFactory(name=f"Extra {n % 3}", slug=f"extra-{n % 3}"))
        url = address(reader, kind)
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert len(titles(response)) == size


@pytest.mark.django_db
class TestWhereTheAddressesAreShown:
    def test_the_subscribe_page_lists_each_address_with_a_copy_button(self, as_user, reader, theme):
        html = as_user(reader).get(reverse("stories:subscribe")).content.decode()
        for kind in ("all", "following", "theme"):
            assert f'value="http://testserver{address(reader, kind)}"' in html
        assert html.count("data-copy=") == 3 and 'action="/stories/subscribe/reset/"' in html
        assert reverse("meetings:mine") in html  # the calendar feed is one link away

    def test_it_puts_the_customer_or_theme_one_came_from_first(self, as_user, reader, kens, theme):
        html = as_user(reader).get(reverse("stories:subscribe") + "?customer=kens-plumbing-supply").content.decode()
        assert html.index(address(reader, "customer")) < html.index(f'value="http://testserver{address(reader)}"')
        html = as_user(reader).get(reverse("stories:subscribe") + "?theme=reliability").content.decode()
        assert "Stories on <bdi>Reliability</bdi>" in html
        assert as_user(reader).get(reverse("stories:subscribe") + "?customer=nobody").status_code == 200

    def test_it_shows_nobody_elses_address(self, as_user, reader, leader):
        html = as_user(reader).get(reverse("stories:subscribe")).content.decode()
        assert leader.feed_token not in html

    def test_it_needs_sign_in(self, client):
        response = client.get(reverse("stories:subscribe"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_the_stories_page_names_its_feed(self, as_user, reader, theme, kens):
        client = as_user(reader)
        head = client.get(reverse("stories:feed")).content.decode().split("</head>")[0]
        assert f'type="application/atom+xml" title="Lifeline customer stories" href="{address(reader)}"' in head
        page = client.get(reverse("stories:feed") + "?theme=reliability").content.decode()
        assert f'href="{address(reader, "theme")}"' in page.split("</head>")[0]
        assert 'href="/stories/subscribe/?theme=reliability"' in page
        page = client.get(reverse("stories:feed") + "?customer=kens-plumbing-supply").content.decode()
        assert f'href="{address(reader, "customer")}"' in page.split("</head>")[0]

    def test_the_customer_page_names_its_feed(self, as_user, reader, kens, story):
        page = as_user(reader).get(kens.get_absolute_url()).content.decode()
        head = page.split("</head>")[0]
        assert f'<link rel="alternate" type="application/atom+xml" title="Stories about Ken&#x27;s Plumbing Supply" href="{address(reader, "customer")}">' in head
        assert 'href="/stories/subscribe/?customer=kens-plumbing-supply"' in page

    def test_my_meetings_links_to_the_story_feeds(self, as_user, reader):
        html = as_user(reader).get(reverse("meetings:mine")).content.decode()
        assert reverse("stories:subscribe") in html and 'data-copy="feed-url"' in html
