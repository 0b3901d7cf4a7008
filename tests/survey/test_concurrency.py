"""One answer per person, even when the link is clicked twice at once (a double submit, the email link and
the home page in two tabs). PostgreSQL only: the invitation's row lock is what serialises them."""

import datetime
import threading

import pytest
from django.db import connection

from survey import services
from survey.models import Invitation, Response
from tests.conftest import frozen_at
from tests.factories import TeamFactory, UserFactory

from .builders import answers_for, open_pulse

NOW = datetime.datetime(2026, 11, 10, 9, 0, tzinfo=datetime.UTC)
now = pytest.fixture(autouse=True)(frozen_at(NOW))
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]
TABS = 8


def test_the_same_invitation_answered_at_once_saves_one_response(transactional_db):
    admin = UserFactory(team=None, is_staff=True, is_superuser=True)
    person = UserFactory(team=TeamFactory(name="Finance", slug="finance"))
    survey = open_pulse(admin, year=2026, quarter=4, send=False)
    invitation = services.invitation_for(person, survey)
    answers = answers_for(survey)
    barrier, outcomes = threading.Barrier(TABS, timeout=20), []

    def submit():
        try:
            barrier.wait()
            services.response_submit(invitation=invitation, answers=answers)
            outcomes.append("saved")
        except services.NotAnswerable:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(TABS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * (TABS - 1) + ["saved"]
    assert Response.objects.count() == 1
    assert Invitation.objects.get(pk=invitation.pk).answered_on is not None
