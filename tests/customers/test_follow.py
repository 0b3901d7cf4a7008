import pytest
from django.urls import reverse

from customers.models import Follow
from tests.conftest import PERSONAS
from tests.factories import CustomerFactory


@pytest.mark.django_db
class TestFollow:
    @pytest.fixture
    def customer(self):
        return CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")

    def url(self, customer):
        return reverse("customers:follow", args=[customer.slug])

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_everyone_signed_in_can_follow(self, request, as_user, customer, persona):
        user = request.getfixturevalue(persona)
        response = as_user(user).post(self.url(customer))
        assert response.status_code == 302
        assert Follow.objects.filter(user=user, customer=customer).exists()

    def test_anonymous_people_cannot(self, client, customer):
        response = client.post(self.url(customer))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not Follow.objects.exists()

    def test_get_is_refused(self, as_user, staff, customer):
        assert as_user(staff).get(self.url(customer)).status_code == 405
        assert not Follow.objects.exists()

    def test_it_toggles_with_htmx_and_returns_the_button(self, as_user, staff, customer):
        client = as_user(staff)
        response = client.post(self.url(customer), HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert html.lstrip().startswith('<form id="follow-form"')
        assert 'aria-pressed="true"' in html
        response = client.post(self.url(customer), HTTP_HX_REQUEST="true")
        assert 'aria-pressed="false"' in response.content.decode()
        assert not Follow.objects.exists()

    def test_an_explicit_follow_is_idempotent(self, as_user, staff, customer):
        client = as_user(staff)
        client.post(self.url(customer), {"follow": "1"})
        client.post(self.url(customer), {"follow": "1"})
        assert Follow.objects.filter(user=staff).count() == 1
        client.post(self.url(customer), {"follow": "0"})
        client.post(self.url(customer), {"follow": "0"})
        assert Follow.objects.filter(user=staff).count() == 0

    def test_following_a_missing_customer_is_a_404(self, as_user, staff):
        assert as_user(staff).post("/customers/nobody/follow/").status_code == 404

    def test_home_lists_customers_i_follow(self, as_user, staff, customer):
        client = as_user(staff)
        assert "You do not follow any customers yet." in client.get(reverse("home")).content.decode()
        client.post(self.url(customer))
        html = client.get(reverse("home")).content.decode()
        assert "Customers I follow" in html
        assert 'href="/customers/kens-plumbing-supply/"' in html
