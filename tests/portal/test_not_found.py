"""An unknown address shows the product's own 404 page, with DEBUG on (make run) as with it off."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_address_shows_the_products_page(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert "URLconf" not in page


def test_a_missing_row_shows_it_too(as_user, staff, settings):
    settings.DEBUG = True
    response = as_user(staff).get(reverse("stories:detail", args=[999999, "gone"]))
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/password_reset/", "/no-such-page/"])
def test_pages_without_a_session_name_nobody(client, url, admin_user):
    page = client.get(url).content.decode()
    for revealing in (admin_user.name, "Sign out", "Notifications", ">Admin<"):
        assert revealing not in page
