"""A new company's directory, before any customer is imported: it says what will appear and offers the
import to the one who may run it."""

import pytest
from django.urls import reverse

URL = reverse("customers:directory")
IMPORT = reverse("customers:import")


@pytest.mark.django_db
class TestEmptyDirectory:
    def test_an_admin_is_offered_the_import(self, as_user, admin_user):
        html = as_user(admin_user).get(URL).content.decode()
        assert "No customers yet." in html
        assert "No customers match these filters." not in html
        assert f'href="{IMPORT}"' in html.split('id="customer-results"')[1]

    def test_others_are_told_who_adds_them_and_get_no_import_link(self, as_user, staff):
        html = as_user(staff).get(URL).content.decode()
        assert "No customers yet." in html
        assert "An admin adds them" in html
        assert IMPORT not in html

    def test_an_htmx_search_cleared_back_to_nothing_still_offers_the_import(self, as_user, admin_user):
        html = as_user(admin_user).get(URL, {"q": ""}, HTTP_HX_REQUEST="true").content.decode()
        assert "No customers yet." in html and f'href="{IMPORT}"' in html

    def test_a_search_that_finds_nothing_still_says_so(self, as_user, admin_user):
        html = as_user(admin_user).get(URL, {"q": "zzz"}).content.decode()
        assert "No customers match these filters." in html
        assert f'<a href="{URL}">Clear the filters</a>' in html
        assert "No customers yet." not in html
