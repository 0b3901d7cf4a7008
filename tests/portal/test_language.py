import pytest
from django.conf import settings
from django.urls import reverse


@pytest.mark.django_db
class TestLanguageSwitch:
    def test_it_keeps_the_choice_on_the_person(self, as_user, staff):
        client = as_user(staff)
        response = client.post(reverse("set_language"), {"language": "ar", "next": "/customers/"})
        assert response.status_code == 302
        assert response["Location"] == "/customers/"
        staff.refresh_from_db()
        assert staff.language == "ar"
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"

    @pytest.mark.parametrize("code", ["ar", "he", "fa"])
    def test_right_to_left_languages_render_rtl(self, as_user, staff, code):
        staff.language = code
        staff.save()
        html = as_user(staff).get(reverse("customers:directory")).content.decode()
        assert f'<html lang="{code}" dir="rtl">' in html

    def test_vietnamese_stays_left_to_right(self, as_user, staff):
        staff.language = "vi"
        staff.save()
        html = as_user(staff).get(reverse("home")).content.decode()
        assert '<html lang="vi" dir="ltr">' in html

    def test_an_unknown_language_changes_nothing(self, as_user, staff):
        client = as_user(staff)
        response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
        assert response.status_code == 302
        staff.refresh_from_db()
        assert staff.language == "en"
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies

    def test_it_never_redirects_off_site(self, as_user, staff):
        response = as_user(staff).post(reverse("set_language"), {"language": "he", "next": "https://evil.example/"})
        assert response["Location"] == reverse("home")

    def test_get_is_refused(self, as_user, staff):
        assert as_user(staff).get(reverse("set_language")).status_code == 405

    def test_a_choice_made_before_signing_in_is_kept_after(self, client, staff):
        from tests.factories import TEST_PASSWORD

        client.post(reverse("set_language"), {"language": "fa", "next": "/accounts/login/"})
        page = client.get(reverse("login")).content.decode()
        assert 'dir="rtl"' in page
        client.post(reverse("login"), {"username": staff.email, "password": TEST_PASSWORD})
        staff.refresh_from_db()
        assert staff.language == "fa"

    def test_every_page_offers_the_switch(self, as_user, staff, client):
        for url in [reverse("login"), reverse("password_reset")]:
            assert 'name="language"' in client.get(url).content.decode()
        client = as_user(staff)
        for url in [reverse("home"), reverse("customers:directory")]:
            html = client.get(url).content.decode()
            for code, _name in settings.LANGUAGES:
                assert f'<option value="{code}"' in html
