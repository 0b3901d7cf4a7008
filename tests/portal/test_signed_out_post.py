"""A form sent after the session ran out (or after signing out in another tab) must not lose what was
typed: the person is sent to sign in, then back to the page the form was on, which shows what they
wrote, once, to copy, and to nobody else. An htmx form with text to keep sends the whole page to sign
in; any other htmx request is refused and the page stays. A form sent to something deleted meanwhile,
or that its sender may no longer send, says nothing was saved and shows what was written."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal.refused import UNSENT, UNSENT_KEPT, UNSENT_MAX_CHARS, WRITER_COOKIE
from stories.models import Comment
from tests.factories import TEST_PASSWORD, CustomerFactory, StoryFactory

pytestmark = pytest.mark.django_db

HOST = "http://testserver"
NOW = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)
NOT_SAVED = "What you wrote was not saved"


def sign_in(client, user, next_url):
    """The real sign-in form, as a person whose session ran out fills it in."""
    return client.post(f"{reverse('login')}?next={next_url}", {"username": user.email, "password": TEST_PASSWORD,
                                                               "next": next_url})


def session_runs_out(client, user, page):
    """`user` signed in with this browser and opened `page`; then the session ran out."""
    client.force_login(user)
    client.get(page)
    client.session.flush()
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)


@pytest.fixture
def story(leader):
    return StoryFactory(author=leader, title="Why Ken opens at 6")


def comment(client, story, body, **headers):
    return client.post(reverse("stories:comment_add", args=[story.pk]), {"body": body},
                       headers={"Referer": HOST + story.get_absolute_url(), **headers})


def test_a_comment_sent_after_the_session_ran_out_comes_back_after_signing_in(client, staff, story):
    page = story.get_absolute_url()
    session_runs_out(client, staff, page)
    response = comment(client, story, "Ken's crew <loads> at dawn.")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert story.comments.count() == 0  # nothing was saved on its way

    signed_in = sign_in(client, staff, page)
    assert signed_in.status_code == 302 and signed_in["Location"] == page  # back to the story, not to a POST-only address
    shown = client.get(page).content.decode()
    assert NOT_SAVED in shown
    assert "Ken&#x27;s crew &lt;loads&gt; at dawn." in shown
    assert NOT_SAVED not in client.get(page).content.decode()  # shown once, then forgotten


def test_it_is_shown_in_the_readers_language(client, staff, story):
    staff.language = "ar"
    staff.save(update_fields=["language"])
    session_runs_out(client, staff, story.get_absolute_url())
    comment(client, story, "نص كتبته")
    sign_in(client, staff, story.get_absolute_url())
    shown = client.get(story.get_absolute_url()).content.decode()
    assert 'lang="ar" dir="rtl"' in shown and "نص كتبته" in shown
    assert NOT_SAVED not in shown  # said in Arabic


def test_an_htmx_form_with_text_sends_the_whole_page_to_sign_in(client, staff, story):
    page = story.get_absolute_url()
    session_runs_out(client, staff, page)
    response = comment(client, story, "Their crew counts on us.", **{"HX-Request": "true", "HX-Current-URL": HOST + page})
    assert response.status_code == 401 and response.content == b""  # nothing for htmx to swap in
    assert response["HX-Redirect"] == f"{reverse('login')}?next={page}"
    assert [item["text"] for item in client.session[UNSENT]["written"]] == ["Their crew counts on us."]


@pytest.mark.parametrize("method", ["get", "post"])
def test_any_other_htmx_request_leaves_the_page_as_it_is(client, staff, story, method):
    """A picker, a filter or a reaction: a redirect would throw away whatever is half-typed on the page."""
    session_runs_out(client, staff, story.get_absolute_url())
    url = reverse("customers:autocomplete") if method == "get" else reverse("stories:react", args=[story.pk])
    response = getattr(client, method)(url, {"q": "Ken"} if method == "get" else {"kind": "moved"},
                                       headers={"HX-Request": "true", "HX-Current-URL": HOST + story.get_absolute_url()})
    assert response.status_code == 401 and "HX-Redirect" not in response and response.content == b""


def test_a_signed_out_page_is_still_sent_to_sign_in_and_back(client):
    response = client.get("/stories/?team=finance")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/stories/%3Fteam%3Dfinance"


def test_no_password_secret_nor_choice_is_kept(client, staff, story):
    session_runs_out(client, staff, story.get_absolute_url())
    client.post(reverse("digests:settings"), {"current_password": "Correct horse 9", "api_token": "abc def ghi",
                                              "webhook_url": "https://hooks.example/T0/B0/secret",
                                              "language": "ar", "note": "Remind me on Fridays"})
    assert [item["text"] for item in client.session[UNSENT]["written"]] == ["Remind me on Fridays"]


def test_nothing_sent_to_the_admin_is_kept(client, admin_user):
    session_runs_out(client, admin_user, reverse("admin:index"))
    client.post(reverse("admin:webhooks_channel_add"), {"name": "Finance channel", "webhook_url": "https://x"})
    assert UNSENT not in client.session


def test_another_sites_form_keeps_nothing(client, staff, story):
    session_runs_out(client, staff, story.get_absolute_url())
    comment(client, story, "Call 555-0100 to unlock your account", Origin="https://elsewhere.example")
    assert UNSENT not in client.session


def test_a_browser_nobody_signed_in_with_keeps_nothing(client, story):
    """A script posting text from a browser with no sign-in cannot fill the session table."""
    assert comment(client, story, "Lots of text").status_code == 302
    assert UNSENT not in client.session


def test_more_than_a_form_can_carry_is_not_kept(client, staff, story):
    session_runs_out(client, staff, story.get_absolute_url())
    assert comment(client, story, "a" * (UNSENT_MAX_CHARS + 1)).status_code == 302
    assert UNSENT not in client.session


def test_it_is_shown_only_to_its_writer(client, staff, leader, story):
    """On a shared computer, the next person to sign in with that browser does not see it."""
    session_runs_out(client, staff, story.get_absolute_url())
    comment(client, story, "Only mine")
    sign_in(client, leader, story.get_absolute_url())
    assert client.cookies[WRITER_COOKIE].value != ""
    assert "Only mine" not in client.get(story.get_absolute_url()).content.decode()
    assert UNSENT not in client.session


def test_it_waits_an_hour_for_its_writer_not_days(client, staff, story):
    page = story.get_absolute_url()
    with time_machine.travel(NOW, tick=False):
        session_runs_out(client, staff, page)
        comment(client, story, "Written before lunch")
    with time_machine.travel(NOW + UNSENT_KEPT + datetime.timedelta(minutes=1), tick=False):
        sign_in(client, staff, page)
        assert "Written before lunch" not in client.get(page).content.decode()
    assert UNSENT not in client.session


def test_a_session_of_an_older_shape_shows_nothing_and_breaks_nothing(as_user, staff, story):
    client = as_user(staff)
    session = client.session
    session[UNSENT] = ["a plain list"]
    session.save()
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200 and "a plain list" not in response.content.decode()


def test_writing_kept_before_pieces_had_names_is_still_shown(as_user, staff, story):
    client = as_user(staff)
    session = client.session
    session[UNSENT] = {"written": ["Kept by the release before"], "at": timezone.now().timestamp(), "by": staff.pk}
    session.save()
    page = client.get(story.get_absolute_url()).content.decode()
    assert 'aria-label="What you wrote" dir="auto">Kept by the release before</textarea>' in page


def test_a_comment_edited_after_it_was_deleted_shows_the_text(as_user, staff, story):
    comment = Comment.objects.create(story=story, author=staff, body="First thoughts")
    url = reverse("stories:comment_edit", args=[story.pk, comment.pk])
    comment.delete()
    response = as_user(staff).post(url, {"body": "Second thoughts, longer and kinder"})
    assert response.status_code == 404
    page = response.content.decode()
    assert NOT_SAVED in page and "Second thoughts, longer and kinder" in page


def test_a_missing_page_asked_for_shows_no_writing(as_user, staff):
    page = as_user(staff).get(reverse("stories:detail", args=[999999, "gone"])).content.decode()
    assert NOT_SAVED not in page


def test_a_body_too_large_to_read_is_still_a_not_found_page(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = client.post("/no-such-page/", {f"field{n}": "text" for n in range(10)})
    assert response.status_code == 404


def test_a_form_its_sender_may_no_longer_send_shows_the_text(as_user, staff):
    response = as_user(staff).post(reverse("stories:new"), {"customer": CustomerFactory().pk, "title": "Ken at six",
                                                            "body": "Their crew counts on the morning delivery."})
    assert response.status_code == 403
    page = response.content.decode()
    assert NOT_SAVED in page and "Their crew counts on the morning delivery." in page


def test_a_page_refused_shows_no_writing(as_user, staff):
    response = as_user(staff).get(reverse("stories:new"))
    assert response.status_code == 403 and NOT_SAVED not in response.content.decode()
