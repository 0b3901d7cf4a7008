"""improvements 0002 gives the complaints already stored their fingerprint, and removes only the copies
that importing the same rows again had added."""

import datetime
from decimal import Decimal

import pytest

from tests.migrations import back_at

BEFORE, AFTER = [("improvements", "0001_initial")], [("improvements", "0002_complaint_identity")]


@pytest.mark.django_db(transaction=True)
def test_existing_complaints_are_fingerprinted_and_repeated_imports_undone(capsys):
    with back_at(BEFORE) as db:
        apps = db.apps
        Customer, Complaint = apps.get_model("customers", "Customer"), apps.get_model("improvements", "Complaint")
        Upload = apps.get_model("improvements", "ComplaintImport")
        ken = Customer.objects.create(name="Ken", slug="ken", external_id="CRM-1")
        bea = Customer.objects.create(name="Bea", slug="bea", external_id="CRM-2")
        quarter, year, other = (Upload.objects.create(file_name=name, content=b"") for name in ("q.csv", "y.csv", "o.csv"))
        day = datetime.date(2026, 11, 20)

        def add(customer, upload, text, n=1, cost=None):
            for _ in range(n):
                Complaint.objects.create(customer=customer, upload=upload, date=day, category="Late", text=text, cost=cost)

        add(ken, quarter, "Crew idle", cost=Decimal("120.50"))  # the quarter, then the year: one complaint twice
        add(ken, year, "Crew idle", cost=Decimal("120.50"))
        add(ken, quarter, "Crushed", 2)  # two real ones in one file, imported again in the year's file
        add(ken, year, "Crushed", 2)
        add(ken, other, "Crushed", 1)
        add(bea, quarter, "Crew idle", cost=Decimal("120.50"))  # another customer's: kept
        add(ken, None, "Demo", 2)  # no upload (the demo, or a deleted upload): one source, both kept
        add(ken, year, "Crew  idle", cost=Decimal("120.51"))  # differs: kept

        Complaint = db.forward(AFTER).get_model("improvements", "Complaint")
        left = sorted(Complaint.objects.values_list("customer__slug", "text", "upload__file_name", "occurrence"))
        assert left == [
            ("bea", "Crew idle", "q.csv", 1),
            ("ken", "Crew  idle", "y.csv", 1),
            ("ken", "Crew idle", "q.csv", 1),
            ("ken", "Crushed", "q.csv", 1),
            ("ken", "Crushed", "q.csv", 2),
            ("ken", "Demo", None, 1),
            ("ken", "Demo", None, 2),
        ]
        assert not Complaint.objects.filter(fingerprint=None).exists()
        assert "Removed 4 complaints" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_the_backfilled_fingerprint_is_the_importers():
    """A file imported before the change is skipped when imported again after it."""
    from improvements.importer import import_complaints
    from improvements.models import Complaint
    from tests.factories import CustomerFactory

    with back_at(BEFORE) as db:
        CustomerFactory(external_id="CRM-1")
        apps = db.apps
        Old = apps.get_model("improvements", "Complaint")
        customer = apps.get_model("customers", "Customer").objects.get()
        Old.objects.create(customer=customer, date=datetime.date(2026, 11, 20), category="Late delivery",
                           text="Truck  came\nafter closing", cost=Decimal("40.00"))
        db.forward()
        result = import_complaints(
            'date,customer_external_id,category,text,cost\n2026-11-20,CRM-1,Late delivery,"Truck came after closing",40\n'
            .encode()
        )
        assert (result.created, result.skipped) == (0, 1) and Complaint.objects.count() == 1
