"""The home page's "A story to start your day": which story it picks, and that it costs one query."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Follow
from stories import selectors
from stories.models import Read, Story
from tests.factories import CustomerFactory, StoryFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


def story(title, *, customer=None, teams=(), at=None, **kwargs):
    made = StoryFactory(title=title, customer=customer or CustomerFactory(), published_at=at or timezone.now(), **kwargs)
    made.teams.set(teams)
    return made


def read(*, by, story):
    return Read.objects.create(user=by, story=story, customer_id=story.customer_id)


def bulk_read_stories(n, *, reader, customer=None, team=None):
    """n published stories of the last hours, all already read by `reader`."""
    customer = customer or CustomerFactory()
    stories = Story.objects.bulk_create(
        Story(customer=customer, author=reader, title=f"Read {i}", slug=f"read-{i}", body="B", body_html="<p>B</p>",
              status="published", published_at=ago(minutes=i))
        for i in range(n)
    )
    if team is not None:
        Story.teams.through.objects.bulk_create(Story.teams.through(story=s, team=team) for s in stories)
    Read.objects.bulk_create(Read(story=s, customer_id=s.customer_id, user=reader) for s in stories)
    return stories


class TestStoryOfTheDay:
    def test_a_story_from_a_followed_customer_comes_first(self, staff, finance, kens):
        Follow.objects.create(user=staff, customer=kens)
        followed = story("Followed", customer=kens, at=ago(days=20))
        story("For my team", teams=[finance], at=ago(days=1))
        story("Newest of all")
        picked = selectors.story_of_the_day(staff)
        assert picked == followed and picked.is_followed

    def test_an_anonymised_story_is_never_picked_for_the_customer_it_hides(self, staff, kens):
        # Picked "because you follow its customer", it would tell who the anonymised customer is.
        Follow.objects.create(user=staff, customer=kens)
        story("About a plumber", customer=kens, naming="anonymised", anonymised_as="a plumbing wholesaler",
              at=ago(days=20))
        newest = story("Newest of all", at=ago(days=1))
        assert selectors.story_of_the_day(staff) == newest

    def test_then_the_newest_one_that_names_my_team(self, staff, finance):
        story("Older for my team", teams=[finance], at=ago(days=30))
        for_team = story("For my team", teams=[finance], at=ago(days=10))
        story("Another team's", teams=[TeamFactory(name="Legal")], at=ago(days=1))
        story("Newest of all")
        picked = selectors.story_of_the_day(staff)
        assert picked == for_team and not picked.is_followed

    def test_then_the_newest_unread_one(self, staff, finance, kens):
        Follow.objects.create(user=staff, customer=kens)
        read(by=staff, story=story("Followed, read", customer=kens))
        read(by=staff, story=story("Team's, read", teams=[finance]))
        story("Older", at=ago(days=3))
        newest = story("Newest unread", at=ago(days=1))
        assert selectors.story_of_the_day(staff) == newest

    def test_the_newest_unread_across_followed_customers(self, staff, kens):
        harbor = CustomerFactory(name="Harbor Lights Bakery")
        Follow.objects.create(user=staff, customer=kens)
        Follow.objects.create(user=staff, customer=harbor)
        read(by=staff, story=story("Ken's newest, read", customer=kens, at=ago(hours=1)))
        kens_unread = story("Ken's older, unread", customer=kens, at=ago(days=2))
        story("Harbor's, older", customer=harbor, at=ago(days=5))
        assert selectors.story_of_the_day(staff) == kens_unread

    def test_it_leaves_out_drafts_old_read_and_own_stories(self, as_user, staff, kens):
        Follow.objects.create(user=staff, customer=kens)
        story("Draft", customer=kens, status="submitted")
        story("Too old", customer=kens, at=ago(days=91))
        read(by=staff, story=story("Read", customer=kens))
        story("My own", customer=kens, author=staff)  # they know it already
        assert selectors.story_of_the_day(staff) is None
        assert "A story to start your day" not in as_user(staff).get(reverse("home")).content.decode()

    def test_someone_without_a_team_still_gets_one(self, admin_user):
        newest = story("Newest")
        assert selectors.story_of_the_day(admin_user) == newest

    def test_the_panel_shows_the_story(self, as_user, staff, kens):
        Follow.objects.create(user=staff, customer=kens)
        story("Ken's crew waits on us", customer=kens, body="The crew **waits** for the morning truck.")
        html = as_user(staff).get(reverse("home")).content.decode()
        assert "A story to start your day" in html and "Ken&#x27;s crew waits on us" in html
        assert "The crew waits for the morning truck." in html and "You follow this customer" in html

    @pytest.mark.parametrize("size", [3, 300])
    @pytest.mark.parametrize("case", ["followed", "team", "any", "none"])
    def test_one_query_whatever_the_number_of_stories(self, staff, finance, kens, case, size, django_assert_num_queries):
        """The read stories sit in every branch's way: each still runs once, in the one query."""
        Follow.objects.create(user=staff, customer=kens)
        bulk_read_stories(size, reader=staff, customer=kens, team=finance)
        expected = {
            "followed": lambda: story("Followed", customer=kens, at=ago(days=2)),
            "team": lambda: story("For my team", teams=[finance], at=ago(days=2)),
            "any": lambda: story("Any", at=ago(days=2)),
            "none": lambda: None,
        }[case]()
        with django_assert_num_queries(1):
            picked = selectors.story_of_the_day(staff)
        assert picked == expected
        if picked is not None:
            assert picked.is_followed == (case == "followed")


def test_only_the_signed_in_persons_reads_count(staff, kens):
    newest = story("Newest")
    read(by=UserFactory(), story=newest)
    assert selectors.story_of_the_day(staff) == newest


class TestPickedOnEveryRequest:
    """The pick is made on every request (one query, nothing kept per person), so it follows at once
    what the person reads and follows and what is published."""

    def panel(self, user):
        from portal.lib.panels import _PANELS

        context = _PANELS["story_of_the_day"].context(user)
        return context["story"] if context else None

    def test_others_reads_and_reactions_change_nothing(self, staff, leader, django_assert_num_queries):
        from stories import services

        first = story("First", author=leader)
        assert self.panel(staff) == first
        services.read_record(by=leader, story=first)
        services.reaction_toggle(by=leader, story=first, kind="moved")
        with django_assert_num_queries(1):
            assert self.panel(staff) == first

    def test_picks_again_when_they_read_it(self, staff, leader):
        from stories import services

        older, newer = story("Older", author=leader, at=ago(days=2)), story("Newer", author=leader)
        assert self.panel(staff) == newer
        services.read_record(by=staff, story=newer)
        assert self.panel(staff) == older

    def test_picks_again_when_they_follow_a_customer(self, staff, leader, kens):
        followed = story("Kens", customer=kens, author=leader, at=ago(days=3))
        newest = story("Newest", author=leader)
        assert self.panel(staff) == newest
        Follow.objects.create(user=staff, customer=kens)
        assert self.panel(staff) == followed
        Follow.objects.filter(user=staff, customer=kens).delete()
        assert self.panel(staff) == newest

    def test_a_new_or_withdrawn_story_shows_at_once(self, staff, leader):
        from stories import services

        first = story("First", author=leader, at=ago(days=1))
        assert self.panel(staff) == first
        second = services.story_create(by=leader, customer=CustomerFactory(), title="Second", body="B", publish=True)
        assert self.panel(staff) == second
        services.story_unpublish(by=leader, story=second)
        assert self.panel(staff) == first

    def test_each_person_has_their_own(self, staff, leader, finance):
        mine = story("For finance", teams=[finance], author=leader, at=ago(days=1))
        theirs = story("Newest", author=leader)
        other = UserFactory(team=TeamFactory())
        assert self.panel(staff) == mine
        assert self.panel(other) == theirs
