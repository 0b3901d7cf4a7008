"""The scorecard's "customers touched" counts reads by the customer kept beside each read (Read.customer),
so that customer must follow the story: recorded with the read, moved when the story moves to another
customer, filled for reads that were there before the column."""

import pytest
from django.urls import reverse
from django.utils import timezone

from insights import selectors
from insights.periods import Quarter
from portal.models import Team
from stories import services
from stories.models import Read
from tests.factories import CustomerFactory, StoryFactory, UserFactory
from tests.migrations import back_at

from .builders import team_with_people


def touched(team):
    [row] = selectors.scorecard(teams=Team.objects.filter(pk=team.pk), quarters=[Quarter.containing()])
    return row.quarters[0]["customers_touched"]


@pytest.mark.django_db
class TestReadsFollowTheirStory:
    def test_a_read_touches_the_customer_its_story_is_about(self):
        team, users = team_with_people("Finance", "finance")
        harbour, mill = CustomerFactory(name="Harbour"), CustomerFactory(name="Mill")
        services.read_record(by=users[0], story=StoryFactory(customer=harbour))
        services.read_record(by=users[1], story=StoryFactory(customer=mill))
        services.read_record(by=users[2], story=StoryFactory(customer=mill))
        assert set(Read.objects.values_list("customer__name", flat=True)) == {"Harbour", "Mill"}
        assert touched(team) == 2

    def test_moving_a_story_to_another_customer_moves_its_reads(self, leader):
        team, users = team_with_people("IT", "it")
        harbour, mill = CustomerFactory(name="Harbour"), CustomerFactory(name="Mill")
        story = StoryFactory(customer=harbour, author=leader)
        services.read_record(by=users[0], story=story)
        services.read_record(by=users[1], story=StoryFactory(customer=mill))
        assert touched(team) == 2

        services.story_update(by=leader, story=story, customer=mill, title=story.title, body=story.body)

        assert list(Read.objects.filter(story=story).values_list("customer", flat=True)) == [mill.pk]
        assert touched(team) == 1  # both reads are about the mill now

    def test_an_edit_that_keeps_the_customer_leaves_the_reads_alone(self, leader):
        story = StoryFactory(author=leader)
        services.read_record(by=UserFactory(), story=story)
        read_at = Read.objects.get().read_at
        services.story_update(by=leader, story=story, customer=story.customer, title="A new title", body=story.body)
        assert Read.objects.get().read_at == read_at and Read.objects.get().customer_id == story.customer_id


@pytest.mark.django_db
def test_the_admin_changes_a_story_text_but_not_its_customer(admin_client):
    story = StoryFactory(customer=CustomerFactory(name="Harbour"))
    html = admin_client.get(reverse("admin:stories_story_change", args=[story.pk])).content.decode()
    assert 'name="title"' in html and 'name="customer"' not in html
    assert 'name="customer"' in admin_client.get(reverse("admin:stories_story_add")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_reads_made_before_the_column_get_their_story_customer():
    with back_at([("stories", "0011_related_text_neighbours")]) as db:
        Customer, User = db.apps.get_model("customers", "Customer"), db.apps.get_model("portal", "User")
        Story, OldRead = db.apps.get_model("stories", "Story"), db.apps.get_model("stories", "Read")
        author = User.objects.create(email="a@example.com", name="A", password="!")
        readers = [User.objects.create(email=f"r{n}@example.com", name=f"R{n}", password="!") for n in range(2)]
        made = {}
        for name in ("Harbour", "Mill"):
            customer = Customer.objects.create(name=name, slug=name.lower())
            made[name] = Story.objects.create(customer=customer, author=author, title=name, slug=name.lower(), body="B",
                                              status="published", published_at=timezone.now())
        for reader in readers:
            for story in made.values():
                OldRead.objects.create(story=story, user=reader)

        Read = db.forward([("stories", "0013_read_customer_required")]).get_model("stories", "Read")
        pairs = set(Read.objects.values_list("story__title", "customer__name"))
        assert pairs == {("Harbour", "Harbour"), ("Mill", "Mill")} and Read.objects.count() == 4
