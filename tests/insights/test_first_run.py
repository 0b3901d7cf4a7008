"""Insights pages of a new company, before any figure, team or pulse exists: no chart of nothing, and
each page offers the next step to the one who may take it."""

import pytest
from django.urls import reverse

from insights import services
from insights.periods import add_months, last_months
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PULSE = reverse("insights:pulse")


def figures(**values):
    return {"products_returned": 0, "customers_credited": 0, "legal_threats": 0, "customers_saved": 0, **values}


class TestEmptyPulse:
    def test_no_charts_when_no_month_shown_has_figures(self, as_user, staff):
        html = as_user(staff).get(PULSE).content.decode()
        assert 'role="img"' not in html
        assert "format=csv" not in html
        assert "No figures recorded yet for these months." in html
        assert "Customer Success records them each month" in html

    def test_those_who_record_are_offered_to_record_here_too(self, as_user, host):
        html = as_user(host).get(PULSE).content.decode()
        section = html.split('id="pulse-charts-heading"')[1]
        assert reverse("insights:pulse_record") in section and reverse("insights:pulse_import") in section

    def test_one_month_with_figures_brings_the_charts_back(self, as_user, staff, admin_user):
        services.pulse_record(by=admin_user, month=add_months(last_months(1)[0], -3), figures=figures())
        html = as_user(staff).get(PULSE).content.decode()
        assert html.count('role="img"') == 4
        assert "No figures recorded yet for these months." not in html


SCORECARD = reverse("insights:scorecard")
TEAM_ADD = reverse("admin:portal_team_add")


class TestScorecardWithoutTeams:
    def test_an_admin_is_offered_to_set_up_teams_not_told_to_ask_an_admin(self, as_user, admin_user):
        html = as_user(admin_user).get(SCORECARD).content.decode()
        assert "Ask an admin" not in html
        assert "No teams yet." in html and f'href="{TEAM_ADD}"' in html
        assert "format=csv" not in html

    def test_someone_without_a_team_is_told_to_ask_an_admin(self, as_user, admin_user):
        loner = UserFactory(team=None)
        as_user(admin_user).get(SCORECARD)  # the admin's view is kept in the fragment cache first
        html = as_user(loner).get(SCORECARD).content.decode()
        assert "Ask an admin to add you to your team." in html
        assert TEAM_ADD not in html and "format=csv" not in html
