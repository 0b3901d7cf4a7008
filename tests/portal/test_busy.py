"""A write that waits too long for a row someone else holds (a migration, a bulk update) is told to try
again, with nothing saved, rather than shown a server fault. PostgreSQL only: SQLite has no row locks."""

import pytest
from django.db import connection

from portal import middleware
from stories import services
from stories.models import Reaction, Story
from tests.factories import CustomerFactory, UserFactory
from tests.locks import Holder

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


@pytest.fixture
def story():
    leader = UserFactory(role="leader")
    return services.story_create(by=leader, customer=CustomerFactory(name="Ken's Plumbing Supply"), title="Ken at six",
                                 body="Crews start at six.", bought="Heaters", impact="", themes=[], teams=[], publish=True)


@pytest.fixture
def short_wait():
    """The test client's connection gives up on a lock after 0.3 s rather than settings' 5 s."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_a_reaction_to_a_held_story_asks_to_try_again_and_saves_nothing(as_user, story, short_wait, htmx, monkeypatch):
    warned = []
    monkeypatch.setattr(middleware.logger, "warning", lambda message, *args, **kwargs: warned.append(message % args))
    client = as_user(UserFactory(role="staff"))
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    holder = Holder(story)
    try:
        response = client.post(f"/stories/{story.pk}/react/", {"kind": "moved"}, **headers)
    finally:
        holder.release()

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Someone else is changing this right now" in response.content.decode()
    assert not Reaction.objects.exists()  # the reaction and its count, rolled back together
    assert Story.objects.get(pk=story.pk).reaction_count == 0
    assert warned == [f"POST /stories/{story.pk}/react/ waited too long for a lock"]

    # Once the row is free, the same click works.
    response = client.post(f"/stories/{story.pk}/react/", {"kind": "moved"}, **headers)
    assert response.status_code in (200, 302)
    assert Story.objects.get(pk=story.pk).reaction_count == 1


def test_other_database_errors_stay_server_faults(as_user, story, monkeypatch):
    from django.db import OperationalError

    def broken(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "reaction_toggle", broken)
    client = as_user(UserFactory(role="staff"))
    client.raise_request_exception = False
    assert client.post(f"/stories/{story.pk}/react/", {"kind": "moved"}).status_code == 500


def test_a_comment_sent_while_the_story_is_held_is_shown_to_copy(as_user, story, short_wait):
    client = as_user(UserFactory(role="staff"))
    holder = Holder(story)
    try:
        response = client.post(f"/stories/{story.pk}/comments/", {"body": "Sharing this with the payments team."},
                               HTTP_REFERER=f"http://testserver{story.get_absolute_url()}")
    finally:
        holder.release()
    page = response.content.decode()
    assert response.status_code == 503
    assert "What you wrote was not saved" in page and ">Sharing this with the payments team.</textarea>" in page
    assert f'<a class="button" href="{story.get_absolute_url()}">Open the page again</a>' in page  # to send it again
    assert not story.comments.exists()
