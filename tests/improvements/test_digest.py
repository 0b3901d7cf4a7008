"""The digest's improvement sections: rising complaint patterns (for everyone), and ideas one joined
(oneself or through one's team) that changed state since the last digest."""

import datetime

import pytest
from django.utils import translation
from django.utils import timezone

from digests.compose import compose_for
from digests.sections import active_sections
from improvements import services
from improvements.digest import pick_ideas_changed, pick_rising, prepare
from tests.factories import UserFactory

from .conftest import NOW


@pytest.mark.django_db
class TestRising:
    def test_a_rising_pattern_is_in_everyones_digest(self, rising, staff, outsider, django_assert_num_queries):
        with django_assert_num_queries(2):
            data = prepare([staff, outsider], {}, NOW)
        for user in (staff, outsider):
            section = pick_rising(data, user, None, NOW)
            assert [item["title"] for item in section["items"]] == ["Late delivery"]
            assert "12 complaints this month; 6-month average 2.0." == section["items"][0]["detail"]
            assert section["items"][0]["url"].endswith("/improvements/?month=2026-12")

    def test_the_average_is_written_as_the_readers_language_writes_numbers(self, rising, staff):
        with translation.override("vi"):
            detail = pick_rising(prepare([staff], {}, NOW), staff, None, NOW)["items"][0]["detail"]
        assert "2,0" in detail and "2.0" not in detail

    def test_nothing_rising_leaves_the_section_out(self, ken, staff):
        assert pick_rising(prepare([staff], {}, NOW), staff, None, NOW) is None

    def test_the_sections_are_registered(self):
        keys = [section.key for section in active_sections()]
        assert "rising_complaints" in keys and "ideas_changed" in keys

    def test_the_composed_digest_carries_it(self, rising, staff):
        digest = compose_for(staff, now=NOW)
        block = next(block for block in digest.blocks if block.key == "rising_complaints")
        assert block.title == "Rising complaint patterns" and block.items[0]["title"] == "Late delivery"


@pytest.mark.django_db
class TestIdeasChanged:
    def test_members_and_their_teams_hear_of_state_changes_by_others(self, idea, staff, leader, outsider, finance, it_team):
        member, team_member, stranger = UserFactory(team=it_team), UserFactory(team=finance), UserFactory()
        services.idea_join(by=member, idea=idea)
        services.idea_team_join(by=leader, idea=idea, team=finance)
        since = timezone.now() - datetime.timedelta(days=7)
        services.pilot_start(by=staff, idea=idea, owner=staff, starts_on=datetime.date(2026, 12, 16),
                             ends_on=datetime.date(2027, 1, 31), measure="m")
        users = [member, team_member, stranger, staff]
        data = prepare(users, {u.pk: since for u in users}, timezone.now() + datetime.timedelta(minutes=1))
        section = pick_ideas_changed(data, member, since, NOW)
        assert [item["title"] for item in section["items"]] == ["Confirm delivery slots"]
        assert section["items"][0]["detail"] == f"{staff.name} started a pilot: m"  # who did what; the date is its own
        assert pick_ideas_changed(data, team_member, since, NOW)["items"][0]["title"] == "Confirm delivery slots"
        assert pick_ideas_changed(data, stranger, since, NOW) is None
        assert pick_ideas_changed(data, staff, since, NOW) is None  # they did it themselves

    def test_changes_before_the_last_digest_are_left_out(self, idea, staff, outsider):
        services.idea_join(by=outsider, idea=idea)
        services.pilot_start(by=staff, idea=idea, owner=staff, starts_on=datetime.date(2026, 12, 16),
                             ends_on=datetime.date(2027, 1, 31), measure="m")
        later = timezone.now() + datetime.timedelta(hours=1)
        data = prepare([outsider], {outsider.pk: later}, later)
        assert pick_ideas_changed(data, outsider, later, later) is None
