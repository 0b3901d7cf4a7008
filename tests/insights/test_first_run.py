"""Insights pages of a new company, before any figure, team or pulse exists: no chart of nothing, and
each page offers the next step to the one who may take it."""

import pytest
from django.urls import reverse

from insights import services
from insights.periods import add_months, last_months

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

