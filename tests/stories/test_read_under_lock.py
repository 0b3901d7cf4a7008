"""A story's page never waits long or fails because its row is held elsewhere (a migration or bulk update
of stories): the first read is a side effect, recorded on a later visit. PostgreSQL only: SQLite has no
row locks to hold."""

import threading
import time

import pytest
from django.db import connection, connections

from stories.models import Read, Story

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


class Holder:
    """Another connection holding the story's row (SELECT … FOR UPDATE) until `release()`."""

    def __init__(self, story):
        self.locked, self.done = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(story.pk,))
        self.thread.start()
        assert self.locked.wait(10)

    def _hold(self, pk):
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute("SELECT id FROM stories_story WHERE id = %s FOR UPDATE", [pk])
                self.locked.set()
                self.done.wait(30)
                cursor.execute("ROLLBACK")
        finally:
            other.close()

    def release(self):
        self.done.set()
        self.thread.join()


def test_a_locked_story_still_shows_its_page_and_the_next_visit_records_the_read(as_user, staff, story, caplog):
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
    assert "not recorded" in caplog.text

    client.get(story.get_absolute_url())
    assert Read.objects.filter(story=story, user=staff).count() == 1
    assert Story.objects.get(pk=story.pk).read_count == 1
