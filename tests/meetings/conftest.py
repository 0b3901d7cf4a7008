import datetime

import pytest
from django.utils import timezone

from tests.factories import CustomerFactory, MeetingFactory, UserFactory


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")


@pytest.fixture
def meeting(host, customer):
    """Two seats, two weeks out, hosted by the `host` persona."""
    return MeetingFactory(host=host, customer=customer, title="Annual review with Ken", seats=2)


@pytest.fixture
def past_meeting(host, customer):
    start = timezone.now() - datetime.timedelta(days=3)
    return MeetingFactory(
        host=host, customer=customer, title="Quarterly review", starts_at=start,
        ends_at=start + datetime.timedelta(hours=1), signup_closes_at=start - datetime.timedelta(days=1),
    )


@pytest.fixture
def make_users(db):
    def make(n, **kwargs):
        return [UserFactory(**kwargs) for _ in range(n)]

    return make
