import re

import pytest
from django.urls import reverse

from customers.models import Contact
from tests.conftest import PERSONAS
from tests.factories import ContactFactory, CustomerFactory

ALLOWED = {"host", "admin_user"}  # the account owner (host here) and admins


@pytest.mark.django_db
class TestContactEditing:
    @pytest.fixture
    def customer(self, host):
        return CustomerFactory(account_owner=host)

    @pytest.fixture
    def contact(self, customer):
        return ContactFactory(customer=customer, name="Ken Alvarez", family="Married to Luz.")

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_only_owner_and_admins_edit_notes(self, request, as_user, customer, contact, persona):
        user = request.getfixturevalue(persona)
        url = reverse("customers:contact_edit", args=[customer.slug, contact.pk])
        data = {"name": "Ken Alvarez", "role": "Owner", "is_key": "on", "family": "Grandfather of two.",
                "occupation": "", "recreation": "", "dreams": ""}
        response = as_user(user).post(url, data)
        contact.refresh_from_db()
        if persona in ALLOWED:
            assert response.status_code == 302
            assert contact.family == "Grandfather of two."
            assert contact.updated_by == user
        else:
            assert response.status_code == 403
            assert contact.family == "Married to Luz."

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_only_owner_and_admins_add_and_remove(self, request, as_user, customer, contact, persona):
        user = request.getfixturevalue(persona)
        client = as_user(user)
        new = client.post(reverse("customers:contact_new", args=[customer.slug]), {"name": "Rosa Alvarez"})
        delete = client.post(reverse("customers:contact_delete", args=[customer.slug, contact.pk]))
        if persona in ALLOWED:
            assert new.status_code == delete.status_code == 302
            assert list(customer.contacts.values_list("name", flat=True)) == ["Rosa Alvarez"]
        else:
            assert new.status_code == delete.status_code == 403
            assert list(customer.contacts.values_list("name", flat=True)) == ["Ken Alvarez"]

    def test_a_missing_name_keeps_what_was_typed(self, as_user, host, customer, contact):
        url = reverse("customers:contact_edit", args=[customer.slug, contact.pk])
        response = as_user(host).post(url, {"name": "", "family": "Typed with care"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "This field is required." in html
        assert "Typed with care" in html
        assert 'aria-invalid="true"' in html
        contact.refresh_from_db()
        assert contact.name == "Ken Alvarez" and contact.family == "Married to Luz."

    def test_two_people_editing_at_once_the_second_save_loses_nothing(self, as_user, host, admin_user, customer, contact):
        """The account owner and an admin open the same contact; the admin saves first. The owner's save
        must not silently undo the admin's notes: it is refused with the owner's text kept in the form,
        and a second save (after comparing) keeps the owner's version."""
        url = reverse("customers:contact_edit", args=[customer.slug, contact.pk])
        seen = re.search(r'name="seen" value="([0-9a-f]+)"', as_user(host).get(url).content.decode())[1]
        data = {"name": "Ken Alvarez", "role": "", "is_key": "on", "occupation": "", "recreation": "", "dreams": ""}
        assert as_user(admin_user).post(url, {**data, "family": "The admin's notes."}).status_code == 302

        response = as_user(host).post(url, {**data, "family": "The owner's notes.", "seen": seen})
        assert response.status_code == 200
        page = response.content.decode()
        assert "Someone else saved changes to this contact while you were editing it." in page
        assert "The owner&#x27;s notes." in page
        contact.refresh_from_db()
        assert contact.family == "The admin's notes."

        again = re.search(r'name="seen" value="([0-9a-f]+)"', page)[1]
        assert as_user(host).post(url, {**data, "family": "The owner's notes.", "seen": again}).status_code == 302
        contact.refresh_from_db()
        assert contact.family == "The owner's notes."

    def test_a_contact_is_found_only_through_its_customer(self, as_user, host, customer):
        other = ContactFactory()
        url = reverse("customers:contact_edit", args=[customer.slug, other.pk])
        assert as_user(host).get(url).status_code == 404

    def test_delete_refuses_get(self, as_user, host, customer, contact):
        url = reverse("customers:contact_delete", args=[customer.slug, contact.pk])
        assert as_user(host).get(url).status_code == 405
        assert Contact.objects.filter(pk=contact.pk).exists()
