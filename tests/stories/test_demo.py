import pytest

from customers import demo as customers_demo
from portal import demo as portal_demo
from stories import demo
from stories.models import StoryEvent

pytestmark = pytest.mark.django_db


def run():
    teams, people = portal_demo.seed_people()
    customers = customers_demo.seed(people=people)
    return demo.seed(teams=teams, people=people, customers=customers)


class TestDemo:
    def test_a_storys_history_matches_its_byline(self, django_capture_on_commit_callbacks):
        """The byline says a demo story was published weeks ago; its history says the same, not "today"."""
        with django_capture_on_commit_callbacks(execute=True):
            published = run()
        assert len(published) > 10
        for story in published:
            story.refresh_from_db()
            events = {e.action: e.at for e in story.events.all()}
            assert events[StoryEvent.Action.CREATED] == story.created_at == story.published_at, story.title
            assert events[StoryEvent.Action.PUBLISHED] == story.published_at, story.title
        with django_capture_on_commit_callbacks(execute=True):
            run()  # seeding again keeps it so
        story = published[0]
        story.refresh_from_db()
        assert set(story.events.values_list("at", flat=True)) == {story.published_at}
