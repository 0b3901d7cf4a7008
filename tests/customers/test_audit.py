import csv
import io

import pytest
from django.urls import reverse

from customers.models import ContactAudit
from customers.services import contact_erase
from tests.factories import ContactFactory, CustomerFactory


@pytest.mark.django_db
class TestFordNotesAudit:
    @pytest.fixture
    def contact(self, host):
        return ContactFactory(customer=CustomerFactory(account_owner=host), name="Ken Alvarez",
                              family="Married to Luz.", dreams="Hand it to Rosa.")

    def test_viewing_the_customer_page_is_recorded(self, as_user, staff, contact):
        as_user(staff).get(contact.customer.get_absolute_url())
        entry = ContactAudit.objects.get()
        assert (entry.actor, entry.action, entry.contact, entry.contact_name) == (staff, "viewed", contact, "Ken Alvarez")

    def test_a_change_records_who_and_which_fields(self, as_user, host, contact):
        url = reverse("customers:contact_edit", args=[contact.customer.slug, contact.pk])
        as_user(host).post(url, {"name": "Ken Alvarez", "role": "Owner", "family": "Grandfather of two.",
                                 "dreams": "Hand it to Rosa."})
        entry = ContactAudit.objects.filter(action="changed").get()
        assert entry.actor == host
        # Unsent fields were cleared (a form post sends every field), unticked is_key too.
        assert sorted(entry.fields) == ["family", "is_key", "occupation", "recreation"]

    def test_erasing_anonymises_notes_and_the_log(self, as_user, staff, admin_user, contact):
        as_user(staff).get(contact.customer.get_absolute_url())
        contact_erase(by=admin_user, contact=contact)
        contact.refresh_from_db()
        assert contact.name == "Erased contact"
        assert not contact.has_ford_notes()
        names = set(ContactAudit.objects.values_list("contact_name", flat=True))
        assert names == {"Erased contact"}
        assert ContactAudit.objects.filter(action="erased", actor=admin_user).exists()

    def test_only_admins_erase(self, staff, host, contact):
        from django.core.exceptions import PermissionDenied

        for user in (staff, host):
            with pytest.raises(PermissionDenied):
                contact_erase(by=user, contact=contact)
        contact.refresh_from_db()
        assert contact.family == "Married to Luz."

    def test_admins_read_and_export_the_log(self, as_user, staff, admin_user, contact):
        as_user(staff).get(contact.customer.get_absolute_url())
        client = as_user(admin_user)
        listing = client.get(reverse("admin:customers_contactaudit_changelist"))
        assert listing.status_code == 200 and "Ken Alvarez" in listing.content.decode()
        ids = list(ContactAudit.objects.values_list("pk", flat=True))
        export = client.post(reverse("admin:customers_contactaudit_changelist"),
                             {"action": "export_csv", "_selected_action": ids})
        assert export["Content-Type"].startswith("text/csv")
        lines = export.getvalue().decode().splitlines()
        assert lines[0].startswith("at,actor,actor_email,action,contact")
        assert "viewed,Ken Alvarez" in lines[1] and staff.email in lines[1]

    def test_the_export_streams_the_rows_as_it_reads_them(self, as_user, staff, admin_user, contact):
        """Written line by line while it is sent (rows read in chunks), not built whole in memory first."""
        for _ in range(3):
            as_user(staff).get(contact.customer.get_absolute_url())
        ids = list(ContactAudit.objects.values_list("pk", flat=True))
        export = as_user(admin_user).post(reverse("admin:customers_contactaudit_changelist"),
                                          {"action": "export_csv", "_selected_action": ids})
        assert export.streaming
        assert export["Content-Type"] == "text/csv; charset=utf-8"
        assert export["Content-Disposition"] == 'attachment; filename="contact-audit.csv"'
        chunks = [chunk.decode() for chunk in export.streaming_content]
        assert chunks[0] == "at,actor,actor_email,action,contact,customer,fields\r\n"
        assert len(chunks) == 1 + len(ids) and all(",viewed,Ken Alvarez," in chunk for chunk in chunks[1:])

    def test_the_export_keeps_formulas_inert(self, as_user, staff, admin_user, host):
        """A name a spreadsheet would run (a link that leaks the sheet, or worse) comes out as text."""
        customer = CustomerFactory(account_owner=host, name="@SUM(1+1)")
        ContactFactory(customer=customer, name='=HYPERLINK("http://x","y")', family="Married to Luz.")
        as_user(staff).get(customer.get_absolute_url())
        ids = list(ContactAudit.objects.values_list("pk", flat=True))
        export = as_user(admin_user).post(reverse("admin:customers_contactaudit_changelist"),
                                          {"action": "export_csv", "_selected_action": ids})
        row = dict(zip(*csv.reader(io.StringIO(export.getvalue().decode()))))
        assert row["contact"] == """'=HYPERLINK("http://x","y")"""
        assert row["customer"] == "'@SUM(1+1)"

    def test_the_admin_erase_action(self, as_user, admin_user, contact):
        response = as_user(admin_user).post(reverse("admin:customers_contact_changelist"),
                                            {"action": "erase", "_selected_action": [contact.pk]})
        assert response.status_code == 302
        contact.refresh_from_db()
        assert contact.name == "Erased contact"
