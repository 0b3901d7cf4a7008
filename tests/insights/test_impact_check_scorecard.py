"""The scorecard's impact checks: per team, how many were due, how many recorded on time, and how
often the prediction held."""

import datetime

import pytest

from decisions.models import Decision, ImpactCheck
from insights import selectors
from insights.periods import Quarter
from django.urls import reverse

from portal.models import Team
from tests.conftest import frozen_at
from tests.factories import DecisionFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 5, 15, 10, 0, tzinfo=datetime.UTC)
now = pytest.fixture(autouse=True, name="now")(frozen_at(NOW))
Q1 = Quarter(2026, 1)


def moment(y, m, d):
    return datetime.datetime(y, m, d, 12, 0, tzinfo=datetime.UTC)


def check(team, due, *, recorded=None, result="", on_time=None):
    decision = DecisionFactory(team=team, owner=UserFactory(team=team), status=Decision.Status.DECIDED,
                               decided_at=moment(2025, 10, 1))
    return ImpactCheck.objects.create(
        decision=decision, due_on=due, decided_at=decision.decided_at, result=result,
        recorded_at=recorded, on_time=on_time,
    )


@pytest.fixture
def checks(finance, it_team):
    check(finance, datetime.date(2026, 1, 20), recorded=moment(2026, 1, 25), result="as_predicted", on_time=True)
    check(finance, datetime.date(2026, 2, 10), recorded=moment(2026, 3, 20), result="worse", on_time=False)
    check(finance, datetime.date(2026, 3, 1))  # never recorded
    check(finance, datetime.date(2026, 3, 15), recorded=moment(2026, 3, 16), result="unknown", on_time=True)
    check(finance, datetime.date(2026, 6, 1))  # not due yet
    check(it_team, datetime.date(2026, 2, 1), recorded=moment(2026, 2, 2), result="better", on_time=True)


class TestImpactCheckFigures:
    def test_it_counts_checks_due_on_time_and_predictions_held(self, checks, finance):
        [row] = selectors.scorecard(teams=Team.objects.filter(pk=finance.pk), quarters=[Q1, Q1.shift(1)])
        q1, q2 = row.quarters
        assert (q1["checks_due"], q1["checks_on_time"]) == (4, 2)
        # recorded in Q1 with a result that says something: as predicted and worse (unknown is left out)
        assert q1["predictions_held"] == 50
        # Q2 so far: the June check is not due yet, and nothing was recorded
        assert (q2["checks_due"], q2["checks_on_time"], q2["predictions_held"]) == (0, 0, None)

    def test_a_better_outcome_is_not_a_prediction_that_held(self, checks, it_team):
        [row] = selectors.scorecard(teams=Team.objects.filter(pk=it_team.pk), quarters=[Q1])
        assert (row.quarters[0]["checks_due"], row.quarters[0]["checks_on_time"], row.quarters[0]["predictions_held"]) == (1, 1, 0)

    def test_the_page_shows_them(self, checks, finance, as_user):
        leader = UserFactory(team=finance, role="leader")
        page = as_user(leader).get(reverse("insights:scorecard") + f"?quarter={Q1}").content.decode()
        assert "Impact checks recorded on time" in page and "Impact checks where the prediction held" in page
