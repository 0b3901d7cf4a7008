import datetime

import pytest

from insights import selectors as insights
from insights.periods import Quarter
from portal.models import Team
from tests.conftest import frozen_at

from .conftest import NOW, make_note

now = pytest.fixture(autouse=True)(frozen_at(NOW))


@pytest.mark.django_db
class TestRoutedNotesOnTheScorecard:
    def test_each_team_counts_the_notes_routed_to_it_and_those_answered_in_time(self, settings, host, owner, seller, customer, sales, success_team):
        settings.TIME_ZONE = "UTC"
        friday = datetime.datetime(2026, 11, 6, 15, 0, tzinfo=datetime.UTC)
        # to Sales: answered the next Friday (on time), answered after 6 working days (late), still open
        make_note(customer, host, route="team", route_team=sales, status="answered", at=friday,
                  responded_at=friday + datetime.timedelta(days=7))
        make_note(customer, host, route="team", route_team=sales, status="answered", at=friday,
                  responded_at=friday + datetime.timedelta(days=10))
        make_note(customer, host, route="team", route_team=sales, status="open", at=friday)
        # to the account owner (in Sales): acknowledged the same day
        make_note(customer, host, route="owner", route_user=owner, status="acknowledged", at=friday,
                  responded_at=friday + datetime.timedelta(hours=2))
        # to Customer Success, in the previous quarter
        make_note(customer, owner, route="team", route_team=success_team, status="answered",
                  at=friday - datetime.timedelta(days=60), responded_at=friday - datetime.timedelta(days=59))
        quarters = Quarter(2026, 4).trend(2)
        rows = {row.team.slug: row for row in insights.scorecard(teams=Team.objects.all(), quarters=quarters)}
        assert [(q["routed_notes"], q["routed_on_time"]) for q in rows["sales"].quarters] == [(0, 0), (4, 2)]
        assert [(q["routed_notes"], q["routed_on_time"]) for q in rows["customer-success"].quarters] == [(1, 1), (0, 0)]

    def test_it_shows_on_the_team_scorecard(self, as_user, seller, sales, host, customer):
        make_note(customer, host, route="team", route_team=sales, status="open")
        body = as_user(seller).get("/insights/teams/sales/").content.decode()
        assert "Routed notes answered within 5 working days" in body
