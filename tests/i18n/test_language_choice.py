"""Language comes from the person's profile, else their choice before signing in, else the browser."""

import pytest
from django.conf import settings
from django.urls import reverse


@pytest.mark.django_db
class TestLanguageChoice:
    def test_anonymous_visitors_get_their_browser_language(self, client):
        html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="he-IL,he;q=0.9,en;q=0.5").content.decode()
        assert '<html lang="he" dir="rtl">' in html

    def test_an_unsupported_browser_language_falls_back_to_english(self, client):
        html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
        assert '<html lang="en" dir="ltr">' in html

    def test_an_unknown_language_cookie_falls_back_without_error(self, client):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx-evil"
        response = client.get(reverse("login"))
        assert response.status_code == 200
        assert '<html lang="en" dir="ltr">' in response.content.decode()

    def test_an_unknown_language_in_the_profile_falls_back_without_error(self, as_user, staff):
        staff.language = "zz"
        staff.save(update_fields=["language"])
        response = as_user(staff).get(reverse("home"))
        assert response.status_code == 200
        assert '<html lang="en" dir="ltr">' in response.content.decode()

    def test_an_unknown_language_in_the_switch_falls_back_without_error(self, client):
        response = client.post(reverse("set_language"), {"language": "../../etc", "next": "/accounts/login/"})
        assert response.status_code == 302
        assert '<html lang="en"' in client.get(reverse("login")).content.decode()

    def test_the_profile_wins_over_the_browser(self, as_user, staff):
        staff.language = "vi"
        staff.save(update_fields=["language"])
        html = as_user(staff).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
        assert '<html lang="vi" dir="ltr">' in html

    def test_times_follow_the_persons_time_zone_and_language(self, rf, staff):
        from django.http import HttpResponse
        from django.utils import timezone, translation

        from portal.middleware import UserPreferencesMiddleware

        seen = {}

        def view(request):
            seen["zone"] = timezone.get_current_timezone_name()
            seen["language"] = translation.get_language()
            return HttpResponse()

        staff.time_zone, staff.language = "Asia/Ho_Chi_Minh", "vi"
        request = rf.get("/")
        request.user = staff
        UserPreferencesMiddleware(view)(request)
        assert seen == {"zone": "Asia/Ho_Chi_Minh", "language": "vi"}
        assert timezone.get_current_timezone_name() == "UTC"  # nothing leaks past the request
