"""A story's page never waits long or fails because its row is held elsewhere (a migration or bulk update
of stories): the first read is a side effect, recorded on a later visit. PostgreSQL only: SQLite has no
row locks to hold."""

import time

import pytest
from django.db import connection

from stories import services
from stories.models import Read, Story
from tests.locks import Holder

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_a_locked_story_still_shows_its_page_and_the_next_visit_records_the_read(as_user, staff, story, monkeypatch):
    warned = []
    monkeypatch.setattr(services.logger, "warning", lambda message, *args, **kwargs: warned.append(message % args))
    client = as_user(staff)
    holder = Holder(story)
    try:
        started = time.monotonic()
        response = client.get(story.get_absolute_url())
        waited = time.monotonic() - started
    finally:
        holder.release()

    assert response.status_code == 200
    assert "The 6 a.m. counter" in response.content.decode()
    assert waited < 3  # the read's own short wait, not the connection's 5 s lock_timeout
    # the read and its count go together: neither was written
    assert not Read.objects.filter(story=story, user=staff).exists()
    assert Story.objects.get(pk=story.pk).read_count == 0
    assert warned == [f"read of story {story.pk} by user {staff.pk} not recorded"]

    client.get(story.get_absolute_url())
    assert Read.objects.filter(story=story, user=staff).count() == 1
    assert Story.objects.get(pk=story.pk).read_count == 1


def test_other_database_errors_while_recording_a_read_are_not_hidden(staff, story, monkeypatch):
    from django.db import OperationalError

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "_insert_once", lost)
    with pytest.raises(OperationalError):
        services.read_record(by=staff, story=story)
