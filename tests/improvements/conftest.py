import datetime

import pytest

from improvements import services
from improvements.models import Complaint
from tests.conftest import frozen_at
from tests.factories import CustomerFactory

# Mid-December 2026, so "this month" is December and the trailing six months June to November.
NOW = datetime.datetime(2026, 12, 15, 10, 0, tzinfo=datetime.UTC)
now = pytest.fixture(autouse=True)(frozen_at(NOW))
THIS_MONTH = datetime.date(2026, 12, 1)


@pytest.fixture
def ken(db):
    return CustomerFactory(name="Ken's Plumbing Supply", external_id="CRM-1", industry="Wholesale", region="Ohio")


@pytest.fixture
def riverbend(db):
    """A customer who asked not to be named."""
    return CustomerFactory(name="Riverbend Farms", external_id="CRM-2", industry="Agriculture", region="Iowa",
                           employees=12, do_not_name=True)


def add(customer, category, day, count=1, text="It went wrong."):
    Complaint.objects.bulk_create(
        [Complaint(customer=customer, category=category, date=day, text=f"{text} ({customer.name})") for _ in range(count)]
    )


@pytest.fixture
def rising(ken, riverbend):
    """"Late delivery": 2 a month June-November, 12 in December (rising); "Damaged goods": 3 a month, 4 now."""
    for month in range(6, 12):
        add(ken, "Late delivery", datetime.date(2026, month, 10), 2)
        add(ken, "Damaged goods", datetime.date(2026, month, 11), 3)
    add(ken, "Late delivery", datetime.date(2026, 12, 2), 7, "Crew idle")
    add(riverbend, "Late delivery", datetime.date(2026, 12, 3), 5, "Truck came after closing")
    add(ken, "Damaged goods", datetime.date(2026, 12, 4), 4)


@pytest.fixture
def idea(staff, ken):
    return services.idea_open(by=staff, title="Confirm delivery slots", category="Late delivery",
                              problem="Late again.", proposal="Text the day before.", customers=[ken],
                              estimated_cost=800, estimated_benefit=3000)
