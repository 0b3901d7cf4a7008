"""The bench's floor and its plain peers (portal/floor.py): what the redesigned pages are measured against."""

import pytest
from django.urls import reverse

from customers.models import Follow
from stories.models import Comment
from tests.factories import StoryFactory

BENCH_URLS = ["/bench/floor/", "/bench/peer/stories/", "/bench/peer/stories/{pk}/"]


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def test_the_peer_feed_shows_the_feeds_cards(client, staff):
    story = StoryFactory(title="Night shift at the harbour")
    StoryFactory(title="Still a draft", status="draft", published_at=None)
    client.force_login(staff)

    response = client.get(reverse("bench_peer_feed"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Night shift at the harbour" in html and story.customer.name in html
    assert "Still a draft" not in html


def test_the_peer_story_shows_the_story_and_its_comments(client, staff):
    story = StoryFactory(title="Night shift at the harbour")
    Comment.objects.create(story=story, author=staff, body="Sharing this with my team.",
                           body_html="<p>Sharing this with my team.</p>")
    client.force_login(staff)

    response = client.get(reverse("bench_peer_story", kwargs={"pk": story.pk}))

    assert response.status_code == 200
    assert "Night shift at the harbour" in response.content.decode()
    assert "Sharing this with my team." in response.content.decode()


def test_the_peer_story_does_not_show_a_draft(client, staff):
    draft = StoryFactory(status="draft", published_at=None)
    client.force_login(staff)

    assert client.get(reverse("bench_peer_story", kwargs={"pk": draft.pk})).status_code == 404


@pytest.mark.parametrize("path", BENCH_URLS)
def test_bench_views_are_for_signed_in_people_only_as_the_floor(db, production, client, path):
    story = StoryFactory()

    response = client.get(path.format(pk=story.pk))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("path", BENCH_URLS)
def test_bench_views_only_read(production, client, staff, path):
    story = StoryFactory()
    client.force_login(staff)

    assert client.get(path.format(pk=story.pk)).status_code == 200
    assert client.post(path.format(pk=story.pk)).status_code == 405


def test_the_peer_feed_does_not_tie_an_anonymised_story_to_a_customer_the_reader_follows(client, staff):
    # As on the feed: the "followed" mark would tell who the anonymised customer is.
    named = StoryFactory(title="Named")
    anonymised = StoryFactory(customer=named.customer, title="Unnamed", naming="anonymised",
                              anonymised_as="a plumbing wholesaler")
    Follow.objects.create(user=staff, customer=named.customer)
    client.force_login(staff)

    html = client.get(reverse("bench_peer_feed")).content.decode()

    cards = {card.split("</li>")[0] for card in html.split('<li class="card story-card')[1:]}
    assert [card.startswith(" story-card--followed") for card in cards if "Named" in card] == [True]
    assert [card.startswith(" story-card--followed") for card in cards if anonymised.title in card] == [False]
