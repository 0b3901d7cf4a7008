import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from digests import services
from digests.models import NotificationPreferences
from digests.tokens import make_token
from portal.permissions import can
from tests.factories import UserFactory

from .conftest import NOW

SETTINGS = reverse("digests:settings")
PREVIEW = reverse("digests:preview")
PERSONAS = ["leader", "staff", "host", "admin_user", "outsider"]

GOOD = {
    "digest_enabled": "on",
    "digest_weekday": "3",
    "digest_hour": "17",
    "sections": ["stories", "open_seats"],
    "meeting_tomorrow": "on",
    "review_due": "on",
}


def unsubscribe_url(user, kind="digest", version=1):
    return reverse("digests:unsubscribe", kwargs={"token": make_token(user, kind, version)})


class TestSettingsView:
    def test_anonymous_is_sent_to_sign_in(self, client):
        assert client.get(SETTINGS).status_code == 302

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_each_person_sees_and_edits_only_their_own(self, persona, request, as_user, staff):
        user = request.getfixturevalue(persona)
        client = as_user(user)
        response = client.get(SETTINGS)
        assert response.status_code == 200
        assert NotificationPreferences.objects.filter(user=user).exists()  # created lazily
        response = client.post(SETTINGS, {**GOOD, "user": staff.pk, "user_id": staff.pk})
        assert response.status_code == 302
        prefs = NotificationPreferences.objects.get(user=user)
        assert (prefs.digest_weekday, prefs.digest_hour) == (3, 17)
        offered = {"quota": user.is_leader, "rhythm": can(user, "rhythm.use")}
        assert prefs.muted_sections == [key for key in (
            "reviews", "routed_notes", "seat_offers", "impact_checks", "employee_pulse", "ideas_changed", "my_meetings",
            "debriefs", "rising_complaints", "quota", "rhythm",
        ) if offered.get(key, True)]
        assert (prefs.meeting_tomorrow, prefs.debrief_due, prefs.review_requested) == (True, False, False)
        if user != staff:
            assert not NotificationPreferences.objects.filter(user=staff).exists()

    @pytest.mark.parametrize(
        "field, value, message",
        [
            ("digest_hour", "24", "Choose an hour from 0 to 23."),
            ("digest_hour", "-1", "Choose an hour from 0 to 23."),
            ("digest_hour", "eight", "Choose an hour from 0 to 23."),
            ("digest_weekday", "7", "Choose a day of the week (0 is Monday, 6 is Sunday)."),
            ("sections", "nonsense", "nonsense is not a section of the digest."),
            ("time_zone", "Mars/Olympus_Mons", "Choose a time zone from the list."),
        ],
    )
    def test_bad_input_changes_nothing_and_says_why(self, as_user, staff, field, value, message):
        client = as_user(staff)
        response = client.post(SETTINGS, {**GOOD, field: value})
        assert response.status_code == 400
        assert message in response.content.decode()
        prefs = NotificationPreferences.objects.get(user=staff)
        assert (prefs.digest_weekday, prefs.digest_hour, prefs.muted_sections) == (0, 8, [])
        assert 'aria-invalid="true"' in response.content.decode() or field == "sections"
        staff.refresh_from_db()
        assert staff.time_zone == "UTC"

    def test_each_person_sets_their_own_time_zone_here(self, as_user, staff):
        client = as_user(staff)
        page = client.get(SETTINGS).content.decode()
        assert '<option value="UTC" selected>UTC</option>' in page
        assert client.post(SETTINGS, {**GOOD, "time_zone": "Asia/Ho_Chi_Minh"}).status_code == 302
        staff.refresh_from_db()
        assert staff.time_zone == "Asia/Ho_Chi_Minh"
        assert '<option value="Asia/Ho_Chi_Minh" selected>' in client.get(SETTINGS).content.decode()
        # a form without the field (an older page) leaves it as it is
        assert client.post(SETTINGS, GOOD).status_code == 302
        staff.refresh_from_db()
        assert staff.time_zone == "Asia/Ho_Chi_Minh"

    def test_sections_that_could_never_show_anything_are_not_offered(self, as_user, staff, leader):
        from portal.models import Team

        rhythm, quota = "Your contact rhythm this week", "Your customer meetings this year"
        page = as_user(staff).get(SETTINGS).content.decode()  # Finance: no rhythm, not a leader
        assert rhythm not in page and quota not in page and "New customer stories" in page
        assert quota in as_user(leader).get(SETTINGS).content.decode()
        seller = UserFactory(team=Team.objects.create(name="Sales", slug="sales", kind="customer_facing"))
        assert can(seller, "rhythm.use") and rhythm in as_user(seller).get(SETTINGS).content.decode()
        # Saving leaves what is not offered as it was.
        prefs = NotificationPreferences.objects.get(user=staff)
        prefs.muted_sections = ["rhythm"]
        prefs.save()
        as_user(staff).post(SETTINGS, GOOD)
        assert "rhythm" in NotificationPreferences.objects.get(user=staff).muted_sections

    def test_other_methods_are_refused(self, as_user, staff):
        client = as_user(staff)
        assert client.put(SETTINGS).status_code == 405
        assert client.delete(SETTINGS).status_code == 405

    def test_switching_a_kind_back_on_bumps_the_version(self, as_user, staff):
        client = as_user(staff)
        client.post(SETTINGS, {**GOOD, "digest_enabled": ""})
        assert NotificationPreferences.objects.get(user=staff).version == 1
        client.post(SETTINGS, GOOD)
        assert NotificationPreferences.objects.get(user=staff).version == 2

    def test_routed_notes_and_the_employee_pulse_are_on_by_default_and_saved(self, as_user, staff):
        client = as_user(staff)
        page = client.get(SETTINGS).content.decode().replace("&#x27;", "'")
        for text in ("A customer note is routed to me or my team",
                     "Without the email, the note still waits on your home page and in your weekly digest.",
                     "Invite me to the quarterly employee pulse",
                     "Without it you can still answer from your home page and the weekly digest's reminder."):
            assert text in page
        for name in ("note_routed", "employee_pulse"):
            tag = re.search(rf'<input type="checkbox" name="{name}"[^>]*>', page).group()
            assert " checked" in tag and f'aria-describedby="id_{name}_helptext"' in tag
        client.post(SETTINGS, {**GOOD, "note_routed": "on"})
        prefs = NotificationPreferences.objects.get(user=staff)
        assert (prefs.note_routed, prefs.employee_pulse, prefs.version) == (True, False, 1)
        client.post(SETTINGS, {**GOOD, "employee_pulse": "on"})
        prefs = NotificationPreferences.objects.get(user=staff)
        assert (prefs.note_routed, prefs.employee_pulse, prefs.version) == (False, True, 2)

    def test_someone_who_never_saved_settings_gets_both(self, staff):
        from portal.lib.notifications import subscription, wants

        assert not NotificationPreferences.objects.filter(user=staff).exists()
        for kind in ("note_routed", "employee_pulse"):
            assert wants(staff, kind)
            found = subscription(staff, kind)
            assert found.headers["List-Unsubscribe"] == f"<{found.unsubscribe_url}>"

    def test_the_page_links_the_preview(self, as_user, staff):
        assert PREVIEW in as_user(staff).get(SETTINGS).content.decode()


class TestPreviewView:
    def test_it_shows_my_next_digest(self, as_user, week, staff):
        response = as_user(staff).get(PREVIEW)
        body = response.content.decode()
        assert response.status_code == 200
        assert "Ken&#x27;s crew" in body and "60-day terms" in body and "Acme annual review" in body
        assert mail.outbox == []

    def test_empty(self, as_user, outsider):
        response = as_user(outsider).get(PREVIEW)
        assert "no email would go out" in response.content.decode()

    def test_post_is_refused(self, as_user, staff):
        assert as_user(staff).post(PREVIEW).status_code == 405

    def test_fixed_queries_whatever_the_week(self, as_user, week, staff, django_assert_max_num_queries):
        client = as_user(staff)
        with django_assert_max_num_queries(20):
            client.get(PREVIEW)


class TestUnsubscribe:
    @pytest.fixture
    def anonymous(self):
        return Client(enforce_csrf_checks=True)

    def test_get_shows_a_button_and_changes_nothing(self, anonymous, staff):
        response = anonymous.get(unsubscribe_url(staff))
        assert response.status_code == 200
        assert '<form method="post"' in response.content.decode()
        assert not NotificationPreferences.objects.filter(user=staff, digest_enabled=False).exists()

    def test_one_click_post_needs_no_sign_in_nor_csrf_and_turns_off_only_that_kind(self, anonymous, staff):
        response = anonymous.post(
            unsubscribe_url(staff, "meeting_tomorrow"), {"List-Unsubscribe": "One-Click"}
        )
        assert response.status_code == 200
        prefs = NotificationPreferences.objects.get(user=staff)
        assert prefs.meeting_tomorrow is False
        assert prefs.digest_enabled and prefs.debrief_due and prefs.review_due and prefs.review_requested

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_it_shows_no_ones_identity(self, anonymous, staff, method):
        """Forwarded links are opened by others: the page names nobody and shows no signed-in header."""
        staff.is_staff = True
        staff.save()
        page = getattr(anonymous, method)(unsubscribe_url(staff)).content.decode()
        for revealing in (staff.name, staff.email, "Sign out", "Admin", "Notifications"):
            assert revealing not in page

    def test_posting_again_is_harmless(self, anonymous, staff):
        url = unsubscribe_url(staff)
        anonymous.post(url)
        response = anonymous.post(url)
        assert response.status_code == 200
        assert "no longer receive" in response.content.decode()
        assert NotificationPreferences.objects.get(user=staff).digest_enabled is False

    @pytest.mark.parametrize(
        "mangle",
        [
            lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
            lambda t: "x" + t,
            lambda t: "nonsense",
        ],
    )
    def test_a_tampered_token_changes_nothing(self, anonymous, staff, mangle):
        token = make_token(staff, "digest", 1)
        url = reverse("digests:unsubscribe", kwargs={"token": mangle(token)})
        assert anonymous.post(url).status_code == 400
        assert anonymous.get(url).status_code == 400
        assert not NotificationPreferences.objects.filter(user=staff, digest_enabled=False).exists()

    def test_a_token_for_another_kind_cannot_be_forged_from_this_one(self, staff):
        from django.core import signing

        from digests.tokens import SALT

        forged = signing.dumps([staff.pk, "digest", 1], salt="another.purpose")
        assert services.preferences_unsubscribe(token=forged) == services.INVALID
        assert (
            services.preferences_unsubscribe(token=signing.dumps([staff.pk, "bogus", 1], salt=SALT))
            == services.INVALID
        )

    def test_an_old_token_after_resubscribing_changes_nothing(self, anonymous, as_user, staff):
        old = unsubscribe_url(staff, "digest", 1)
        anonymous.post(old)
        # staff switches the digest back on in the settings page
        as_user(staff).post(SETTINGS, GOOD)
        prefs = NotificationPreferences.objects.get(user=staff)
        assert prefs.digest_enabled and prefs.version == 2
        response = anonymous.post(old)
        assert response.status_code == 400
        assert "out of date" in response.content.decode()
        assert NotificationPreferences.objects.get(user=staff).digest_enabled is True
        # the link in the next email works
        anonymous.post(unsubscribe_url(staff, "digest", 2))
        assert NotificationPreferences.objects.get(user=staff).digest_enabled is False

    def test_the_email_link_unsubscribes(self, anonymous, week, staff, settings):
        services.digest_send_batch([staff.pk], now=NOW)
        link = mail.outbox[0].extra_headers["List-Unsubscribe"][1:-1].removeprefix(settings.SITE_URL)
        assert anonymous.post(link).status_code == 200
        assert NotificationPreferences.objects.get(user=staff).digest_enabled is False

    def test_the_link_opens_in_the_recipients_language(self, anonymous, staff):
        staff.language = "he"
        staff.save(update_fields=["language"])
        html = anonymous.get(unsubscribe_url(staff), headers={"accept-language": "en"}).content.decode()
        assert '<html lang="he" dir="rtl"' in html
        html = anonymous.post(unsubscribe_url(staff), headers={"accept-language": "en"}).content.decode()
        assert '<html lang="he" dir="rtl"' in html

    def test_other_methods_are_refused(self, anonymous, staff):
        assert anonymous.put(unsubscribe_url(staff)).status_code == 405


class TestPreferencesService:
    def test_nobody_changes_someone_elses_preferences(self, staff, leader):
        from django.core.exceptions import PermissionDenied

        from digests.preferences import preferences_for_edit

        prefs = preferences_for_edit(staff)
        with pytest.raises(PermissionDenied):
            services.preferences_update(by=leader, prefs=prefs, data={"digest_enabled": False})
        assert NotificationPreferences.objects.get(user=staff).digest_enabled is True


class TestPreviewWhenSwitchedOff:
    def test_it_says_so(self, as_user, week, staff):
        NotificationPreferences.objects.create(user=staff, digest_enabled=False)
        body = as_user(staff).get(PREVIEW).content.decode()
        assert "Your weekly digest is switched off" in body
        assert "Ken&#x27;s crew" in body  # still shows what it would hold
