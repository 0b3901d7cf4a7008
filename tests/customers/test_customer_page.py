import copy

import pytest
from django.urls import reverse

from customers.sections import _SECTIONS, register_section
from tests.factories import ContactFactory, CustomerFactory


@pytest.mark.django_db
class TestCustomerPage:
    def test_it_shows_who_they_are_and_their_people(self, as_user, staff, host):
        customer = CustomerFactory(
            name="Ken's Plumbing Supply", account_owner=host, who_they_are="A family wholesaler in Dayton.",
            daily_challenges="Crews stand idle when parts are late.", how_we_help="Next-morning **delivery**.",
        )
        ContactFactory(customer=customer, name="Ken Alvarez", family="Married to Luz.", dreams="Hand it to Rosa.")
        html = as_user(staff).get(customer.get_absolute_url()).content.decode()
        assert "A family wholesaler in Dayton." in html
        assert "Crews stand idle when parts are late." in html
        assert "Next-morning <strong>delivery</strong>." in html
        assert "Sam Carter" in html
        assert "Ken Alvarez" in html and "Married to Luz." in html and "Hand it to Rosa." in html

    def test_an_unknown_slug_is_a_404_in_the_site_layout(self, as_user, staff):
        response = as_user(staff).get("/customers/no-such-customer/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "We could not find that page" in html
        assert 'class="site-header"' in html

    def test_contact_notes_are_for_signed_in_colleagues_only(self, client):
        customer = CustomerFactory()
        ContactFactory(customer=customer, family="Secret family note")
        response = client.get(customer.get_absolute_url())
        assert response.status_code == 302
        assert "Secret family note" not in response.content.decode()

    def test_other_apps_fill_their_sections(self, as_user, staff, settings, tmp_path):
        (tmp_path / "section.html").write_text("<p>{{ ctx.greeting }} {{ ctx.customer.name }}</p>")
        templates = copy.deepcopy(settings.TEMPLATES)
        templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
        settings.TEMPLATES = templates
        customer = CustomerFactory(name="Atlas Machine Works")
        register_section(key="test", title="Test section", template="section.html",
                         context=lambda customer, user: {"greeting": f"Hello {user.name}"}, order=999)
        try:
            html = as_user(staff).get(customer.get_absolute_url()).content.decode()
        finally:
            _SECTIONS.pop("test")
        assert 'id="section-test"' in html
        assert "Test section" in html
        assert "<p>Hello Minh Anh Atlas Machine Works</p>" in html

    def test_owner_and_admins_see_edit_links(self, as_user, host, staff, admin_user):
        customer = CustomerFactory(account_owner=host)
        contact = ContactFactory(customer=customer)
        edit = reverse("customers:contact_edit", args=[customer.slug, contact.pk])
        assert edit in as_user(host).get(customer.get_absolute_url()).content.decode()
        assert edit in as_user(admin_user).get(customer.get_absolute_url()).content.decode()
        assert edit not in as_user(staff).get(customer.get_absolute_url()).content.decode()
