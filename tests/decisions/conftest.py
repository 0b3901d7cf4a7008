import datetime

import pytest
from django.utils import timezone

from decisions.models import Decision
from tests.factories import CustomerFactory, DecisionFactory, ImpactReviewFactory, UserFactory

# Who may write a decision owned by `staff` in the finance team: the owner, finance's leader, admins.
WRITERS = {"leader": True, "staff": True, "host": False, "admin_user": True, "outsider": False}

GOOD_ANSWER = "Our IT training vendor would put weaker trainers on customer projects."


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")


@pytest.fixture
def decision(staff, finance, customer):
    """In review, owned by finance staff (so finance's leader may also write), naming one customer."""
    d = DecisionFactory(title="60-day payment terms for suppliers", team=finance, owner=staff, status="in_review")
    d.customers.add(customer)
    return d


@pytest.fixture
def draft(staff, finance):
    return DecisionFactory(title="A draft", team=finance, owner=staff, status="draft")


@pytest.fixture
def it_member(it_team):
    return UserFactory(name="IT member", team=it_team)


def future(days=7):
    return timezone.localdate() + datetime.timedelta(days=days)


def hurts_high(decision, author=None):
    return ImpactReviewFactory(decision=decision, author=author or UserFactory(), direction="hurts", severity="high")


__all__ = ["Decision", "GOOD_ANSWER", "WRITERS", "future", "hurts_high"]
