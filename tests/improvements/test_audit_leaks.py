"""What the customer page shows of the complaints of a customer who asked not to be named: their texts
are for those the matrix allows `complaint.read_named` (hosts, admins, the account owner), as on the
patterns page, the idea pages and the quarterly summary."""

import datetime

import pytest

from tests.improvements.conftest import add


@pytest.mark.django_db
class TestCustomerPageComplaints:
    @pytest.fixture
    def complaints(self, riverbend):
        add(riverbend, "Late delivery", datetime.date(2026, 12, 3), 2, "Truck came after closing")

    @pytest.mark.parametrize("persona, shown", [("staff", False), ("leader", False), ("outsider", False),
                                                ("host", True), ("admin_user", True)])
    def test_texts_only_for_those_who_may_read_them_named(self, complaints, riverbend, persona, shown, request, as_user):
        page = as_user(request.getfixturevalue(persona)).get(riverbend.get_absolute_url()).content.decode()
        assert "Complaints from the support desk" in page and "Late delivery" in page
        assert ("Truck came after closing" in page) is shown

    def test_the_account_owner_reads_them(self, complaints, riverbend, staff, as_user):
        riverbend.account_owner = staff
        riverbend.save()
        page = as_user(staff).get(riverbend.get_absolute_url()).content.decode()
        assert "Truck came after closing" in page
