"""Decision dates (decide by, review due by) only from 2000-01-01 to 2100-12-31, with a clear error;
the services refuse the same, so nothing saves an absurd date."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from decisions import services
from decisions.models import Decision, ReviewRequest

from .conftest import future

RANGE_ERROR = "Enter a date from 1 Jan 2000 to 31 Dec 2100."
ABSURD = ["0001-01-01", "9999-12-31", "2101-01-01"]


def decision_data(team, owner, **extra):
    return {
        "title": "Require 60-day terms", "team": team.pk, "owner": owner.pk, "context": "Cash flow.",
        "proposal": "We propose **60 days**.", "decide_by": future().isoformat(), "links": "", **extra,
    }


@pytest.mark.django_db
class TestDecideBy:
    @pytest.mark.parametrize("value", ABSURD)
    def test_the_form_refuses_it_and_saves_nothing(self, as_user, leader, finance, value):
        response = as_user(leader).post(reverse("decisions:new"), decision_data(finance, leader, decide_by=value))
        assert response.status_code == 200
        assert response.context["form"].errors["decide_by"] == [RANGE_ERROR]
        assert not Decision.objects.exists()

    def test_an_edit_is_refused_too(self, as_user, staff, decision):
        data = decision_data(decision.team, staff, decide_by="9999-12-31")
        response = as_user(staff).post(reverse("decisions:edit", args=[decision.pk]), data)
        assert response.context["form"].errors["decide_by"] == [RANGE_ERROR]
        decision.refresh_from_db()
        assert decision.decide_by.year < 2100

    def test_the_last_day_is_accepted(self, as_user, leader, finance):
        response = as_user(leader).post(reverse("decisions:new"), decision_data(finance, leader, decide_by="2100-12-31"))
        assert response.status_code == 302
        assert Decision.objects.get().decide_by == datetime.date(2100, 12, 31)

    def test_the_input_tells_the_browser_the_range(self, as_user, leader):
        body = as_user(leader).get(reverse("decisions:new")).content.decode()
        assert 'type="date" name="decide_by"' in body and 'min="2000-01-01" max="2100-12-31"' in body

    def test_the_service_refuses_it(self, leader, finance):
        with pytest.raises(ValidationError) as error:
            services.decision_create(by=leader, title="T", team=finance, owner=leader, context="c", proposal="p",
                                     decide_by=datetime.date(9999, 12, 31))
        assert error.value.message_dict["decide_by"] == [RANGE_ERROR]
        assert not Decision.objects.exists()


@pytest.mark.django_db
class TestReviewDueDate:
    @pytest.mark.parametrize("value", ["9999-12-31", "2101-01-01"])
    def test_the_form_refuses_it_and_asks_nobody(self, as_user, staff, decision, it_team, it_member, value):
        response = as_user(staff).post(reverse("decisions:request_reviews", args=[decision.pk]),
                                       {"teams": [it_team.pk], "due_date": value})
        assert response.status_code == 200
        assert response.context["form"].errors["due_date"] == [RANGE_ERROR]
        assert not ReviewRequest.objects.exists()

    def test_the_service_refuses_it(self, staff, decision, it_team, it_member):
        with pytest.raises(ValidationError) as error:
            services.reviews_request(by=staff, decision=decision, due_date=datetime.date(9999, 12, 31), teams=[it_team])
        assert error.value.message_dict["due_date"] == [RANGE_ERROR]
        assert not ReviewRequest.objects.exists()
