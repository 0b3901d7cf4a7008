import datetime

import pytest

from tests.conftest import frozen_at
from tests.factories import CustomerFactory, FollowFactory, StoryFactory, TeamFactory, UserFactory

# A Monday: 08:00 in Ho Chi Minh City is 01:00 UTC, 08:00 in Jerusalem (UTC+2 in November) is 06:00 UTC.
NOW = datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)


# Every digest test runs at NOW, so "this week" and "due tomorrow" mean the same whatever the day.
now = pytest.fixture(autouse=True, name="now")(frozen_at(NOW))


@pytest.fixture
def fake_sections(monkeypatch):
    from digests import sections

    from .fake_sections import FAKE_SECTIONS

    monkeypatch.setattr(sections, "SECTIONS", FAKE_SECTIONS)
    return FAKE_SECTIONS


@pytest.fixture
def week(db, finance, leader, staff, host, outsider):
    """A small realistic week: stories (one about a customer staff follows, one for finance), an open
    meeting, a review request for staff."""
    from tests.factories import DecisionFactory, MeetingFactory, ReviewRequestFactory

    kens = CustomerFactory(name="Ken's Plumbing Supply", slug="kens")
    acme = CustomerFactory(name="Acme Foods", slug="acme")
    other = CustomerFactory(name="Blue Harbour", slug="blue")
    FollowFactory(user=staff, customer=kens)
    plain = StoryFactory(
        title="A plain story", customer=other, author=host, published_at=NOW - datetime.timedelta(days=1)
    )
    from stories.services import reaction_toggle

    reaction_toggle(by=leader, story=plain, kind="moved")
    team_story = StoryFactory(
        title="For finance", customer=acme, author=host, published_at=NOW - datetime.timedelta(days=2)
    )
    team_story.teams.add(finance)
    followed = StoryFactory(
        title="Ken's crew", customer=kens, author=host, published_at=NOW - datetime.timedelta(days=3)
    )
    old = StoryFactory(
        title="Too old", customer=kens, author=host, published_at=NOW - datetime.timedelta(days=9)
    )
    meeting = MeetingFactory(
        title="Acme annual review",
        customer=acme,
        host=host,
        starts_at=NOW + datetime.timedelta(days=5),
        ends_at=NOW + datetime.timedelta(days=5, hours=1),
        signup_closes_at=NOW + datetime.timedelta(days=4),
    )
    decision = DecisionFactory(title="60-day terms", team=finance, owner=leader, status="in_review")
    request = ReviewRequestFactory(
        decision=decision,
        reviewer=staff,
        via_team=finance,
        due_date=(NOW + datetime.timedelta(days=3)).date(),
    )
    return {
        "stories": {"plain": plain, "team": team_story, "followed": followed, "old": old},
        "meeting": meeting,
        "decision": decision,
        "request": request,
        "customers": (kens, acme, other),
    }


def make_people(n, team=None, **fields):
    team = team or TeamFactory(name="Bench", slug="bench")
    return [UserFactory(team=team, **fields) for _ in range(n)]
