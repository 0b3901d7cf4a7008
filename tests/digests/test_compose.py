import datetime

import pytest
from django.utils import translation

from digests.compose import compose_batch, compose_for
from digests.models import NotificationPreferences
from tests.factories import (
    FollowFactory,
    MeetingFactory,
    SeatFactory,
    StoryFactory,
    TeamFactory,
    UserFactory,
)

from .conftest import NOW, make_people


class TestComposeWithFakeSections:
    def test_it_builds_blocks_in_section_order(self, fake_sections, staff):
        digest = compose_batch([staff], now=NOW)[staff.pk]
        assert [b.key for b in digest.blocks] == ["hello", "note"]
        assert digest.blocks[0].items[0]["detail"] == staff.name
        assert not digest.is_empty

    def test_a_note_alone_is_nothing_to_say(self, fake_sections, db):
        quiet = UserFactory(email="quiet@example.com")
        digest = compose_batch([quiet], now=NOW)[quiet.pk]
        assert [b.key for b in digest.blocks] == ["note"]
        assert digest.is_empty

    def test_it_leaves_out_muted_sections(self, fake_sections, staff):
        NotificationPreferences.objects.create(user=staff, muted_sections=["hello"])
        digest = compose_batch([staff], now=NOW)[staff.pk]
        assert [b.key for b in digest.blocks] == ["note"]

    def test_it_picks_in_each_persons_language(self, fake_sections, db):
        arabic = UserFactory(language="ar")
        with translation.override("en"):
            digest = compose_batch([arabic], now=NOW)[arabic.pk]
        # "Hello" has no Arabic catalogue entry in the tests, but the pick ran with Arabic active.
        assert digest.blocks[0].items[0]["title"] in ("Hello", translation.gettext_noop("Hello"))

    @pytest.mark.parametrize("size", [3, 12])
    def test_a_batch_runs_a_fixed_number_of_queries(self, fake_sections, django_assert_num_queries, size, db):
        users = make_people(size)
        # preferences (1) + last digests (1) + the one provider's prepare (1)
        with django_assert_num_queries(3):
            digests = compose_batch(users, now=NOW)
        assert len(digests) == size


class TestStoriesSection:
    def test_followed_customers_then_own_team_first(self, week, staff):
        digest = compose_for(staff, now=NOW)
        stories = next(b for b in digest.blocks if b.key == "stories")
        assert [i["title"] for i in stories.items] == ["Ken's crew", "For finance", "A plain story"]
        assert stories.items[0]["tag"] == "A customer you follow"
        assert stories.items[1]["tag"] == "For your team"
        assert stories.items[0]["url"].startswith("http")

    def test_someone_else_gets_them_by_popularity(self, week, outsider):
        stories = next(b for b in compose_for(outsider, now=NOW).blocks if b.key == "stories")
        assert [i["title"] for i in stories.items][0] == "A plain story"  # the one with a reaction

    def test_only_since_the_last_digest(self, week, staff):
        from digests.models import Delivery

        Delivery.objects.create(
            user=staff,
            kind="digest",
            period="2026-W47",
            status="sent",
            sent_at=NOW - datetime.timedelta(days=2, hours=12),
        )
        stories = next(b for b in compose_for(staff, now=NOW).blocks if b.key == "stories")
        assert [i["title"] for i in stories.items] == ["For finance", "A plain story"]

    def test_it_leaves_out_stories_read_or_written(self, week, staff, host):
        followed = week["stories"]["followed"]
        followed.reads.create(user=staff, customer_id=followed.customer_id)
        stories = next(b for b in compose_for(staff, now=NOW).blocks if b.key == "stories")
        assert "Ken's crew" not in [i["title"] for i in stories.items]
        assert not any(b.key == "stories" for b in compose_for(host, now=NOW).blocks)


class TestDecisionsSection:
    def test_mine_first_then_my_teams(self, week, staff, leader, finance):
        from tests.factories import DecisionFactory, ReviewRequestFactory

        other = DecisionFactory(title="New expense tool", team=finance, owner=leader, status="in_review")
        ReviewRequestFactory(decision=other, reviewer=leader, via_team=finance, due_date=NOW.date())
        reviews = next(b for b in compose_for(staff, now=NOW).blocks if b.key == "reviews")
        assert [(i["title"], i["tag"]) for i in reviews.items] == [
            ("60-day terms", "Asked of you"),
            ("New expense tool", "Asked of your team"),
        ]

    def test_reviewed_or_closed_decisions_are_not_waiting(self, week, staff):
        week["request"].reviewed_at = NOW
        week["request"].save()
        assert not any(b.key == "reviews" for b in compose_for(staff, now=NOW).blocks)


class TestMeetingSections:
    def test_open_seats_in_the_next_three_weeks(self, week, staff, host):
        MeetingFactory(
            title="Too far",
            starts_at=NOW + datetime.timedelta(days=30),
            ends_at=NOW + datetime.timedelta(days=30, hours=1),
            signup_closes_at=NOW + datetime.timedelta(days=29),
        )
        block = next(b for b in compose_for(staff, now=NOW).blocks if b.key == "open_seats")
        assert [i["title"] for i in block.items] == ["Acme annual review"]
        assert block.items[0]["detail"] == "2 seats left"
        # the host sees it as their own meeting, not as an open seat
        host_blocks = {b.key: b for b in compose_for(host, now=NOW).blocks}
        assert "open_seats" not in host_blocks
        assert [i["title"] for i in host_blocks["my_meetings"].items] == ["Acme annual review"]

    def test_my_seat_moves_it_to_my_meetings(self, week, staff):
        SeatFactory(meeting=week["meeting"], user=staff)
        blocks = {b.key: b for b in compose_for(staff, now=NOW).blocks}
        assert "open_seats" not in blocks
        assert blocks["my_meetings"].items[0]["detail"] == "Your seat is confirmed"

    def test_debriefs_owed(self, week, staff):
        past = MeetingFactory(
            title="Past review",
            starts_at=NOW - datetime.timedelta(days=3),
            ends_at=NOW - datetime.timedelta(days=3) + datetime.timedelta(hours=1),
            signup_closes_at=NOW - datetime.timedelta(days=4),
        )
        SeatFactory(meeting=past, user=staff)
        blocks = {b.key: b for b in compose_for(staff, now=NOW).blocks}
        assert [i["title"] for i in blocks["debriefs"].items] == ["Past review"]

    def test_quota_only_for_leaders(self, week, leader, staff, settings):
        settings.LIFELINE_MEETING_QUOTA = 3
        past = MeetingFactory(
            starts_at=NOW - datetime.timedelta(days=40),
            ends_at=NOW - datetime.timedelta(days=40, hours=-1),
            signup_closes_at=NOW - datetime.timedelta(days=41),
        )
        SeatFactory(meeting=past, user=leader)
        quota = next(b for b in compose_for(leader, now=NOW).blocks if b.key == "quota")
        assert quota.note.startswith("You have listened in on 1 of your 3 customer meetings this year.")
        assert not any(b.key == "quota" for b in compose_for(staff, now=NOW).blocks)


class TestEmptyDigest:
    def test_nothing_new_means_empty(self, db):
        lonely = UserFactory(team=TeamFactory(name="Lonely", slug="lonely"))
        assert compose_for(lonely, now=NOW).is_empty


class TestQueryCount:
    """Composing a batch of people runs the same number of queries whatever its size."""

    def _world(self, users):
        host = UserFactory(role="host")
        for i, user in enumerate(users):
            story = StoryFactory(author=host, published_at=NOW - datetime.timedelta(hours=i + 1))
            FollowFactory(user=user, customer=story.customer)
            meeting = MeetingFactory(
                host=host,
                starts_at=NOW + datetime.timedelta(days=2, hours=i),
                ends_at=NOW + datetime.timedelta(days=2, hours=i + 1),
                signup_closes_at=NOW + datetime.timedelta(days=1),
            )
            SeatFactory(meeting=meeting, user=user)

    @pytest.mark.parametrize("size", [4, 16])
    def test_fixed_queries_at_two_sizes(self, django_assert_num_queries, size, finance):
        users = make_people(size, team=finance) + make_people(2, team=finance, role="leader")
        self._world(users)
        users = list(type(users[0]).objects.filter(pk__in=[u.pk for u in users]))
        # prefs 1 + last digests 1 + stories 4 + decisions 2 (review requests, impact checks due) + employee
        # pulse 1 (none open; 2 when one is) + meetings 5 + loops 2 (routed notes, who keeps the 3-2-1 rhythm;
        # two more, touches and targets, when someone does) + improvements 2 (complaints by category and
        # month, state changes of joined ideas)
        with django_assert_num_queries(18):
            digests = compose_batch(users, now=NOW)
        assert all(not d.is_empty for d in digests.values())
