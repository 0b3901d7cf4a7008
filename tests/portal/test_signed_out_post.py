"""A form sent after the session ran out (or after signing out in another tab) must not lose what was
typed: the person is sent to sign in, then back to the page the form was on, which shows what they
wrote, once, to copy. An htmx request is sent to sign in as a whole page. A form sent to something
deleted meanwhile, or that its sender may no longer send, says nothing was saved and shows what was
written."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from portal.refused import UNSENT, UNSENT_KEPT, UNSENT_MAX_CHARS
from stories.models import Comment
from tests.factories import TEST_PASSWORD, CustomerFactory, StoryFactory

pytestmark = pytest.mark.django_db

HOST = "http://testserver"
NOW = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)


def sign_in(client, user, next_url):
    """The real sign-in form, as a person whose session ran out fills it in."""
    return client.post(f"{reverse('login')}?next={next_url}", {"username": user.email, "password": TEST_PASSWORD,
                                                               "next": next_url})


@pytest.fixture
def story(leader):
    return StoryFactory(author=leader, title="Why Ken opens at 6")


def test_a_comment_sent_after_the_session_ran_out_comes_back_after_signing_in(client, staff, story):
    page = story.get_absolute_url()
    client.force_login(staff)
    client.get(page)
    client.session.flush()  # the session runs out while the page is open
    client.cookies.pop("sessionid", None)

    response = client.post(reverse("stories:comment_add", args=[story.pk]), {"body": "Ken's crew <loads> at dawn."},
                           headers={"Referer": HOST + page})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert story.comments.count() == 0  # nothing was saved on its way

    signed_in = sign_in(client, staff, page)
    assert signed_in.status_code == 302 and signed_in["Location"] == page  # back to the story, not to a POST-only address
    shown = client.get(page).content.decode()
    assert "What you wrote was not saved" in shown
    assert "Ken&#x27;s crew &lt;loads&gt; at dawn." in shown
    again = client.get(page).content.decode()
    assert "What you wrote was not saved" not in again  # shown once, then forgotten


def test_it_is_shown_in_the_readers_language(client, staff, story):
    staff.language = "ar"
    staff.save(update_fields=["language"])
    page = story.get_absolute_url()
    client.post(reverse("stories:comment_add", args=[story.pk]), {"body": "نص كتبته"}, headers={"Referer": HOST + page})
    sign_in(client, staff, page)
    shown = client.get(page).content.decode()
    assert 'lang="ar" dir="rtl"' in shown and "نص كتبته" in shown
    assert "What you wrote was not saved" not in shown  # said in Arabic


def test_an_htmx_request_sends_the_whole_page_to_sign_in(client, story):
    page = story.get_absolute_url()
    response = client.post(
        reverse("stories:comment_add", args=[story.pk]), {"body": "Their crew counts on us."},
        headers={"HX-Request": "true", "HX-Current-URL": HOST + page},
    )
    assert response.status_code == 401 and response.content == b""  # nothing for htmx to swap in
    assert response["HX-Redirect"] == f"{reverse('login')}?next={page}"
    assert client.session[UNSENT]["written"] == ["Their crew counts on us."]


def test_an_htmx_read_sends_the_page_it_was_on_to_sign_in(client):
    response = client.get(reverse("stories:feed"), {"before": "x"},
                          headers={"HX-Request": "true", "HX-Current-URL": f"{HOST}/stories/?team=finance"})
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/stories/%3Fteam%3Dfinance"


def test_a_signed_out_page_is_still_sent_to_sign_in_and_back(client):
    response = client.get("/stories/?team=finance")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/stories/%3Fteam%3Dfinance"


def test_no_password_nor_token_nor_choice_is_kept(client):
    client.post(reverse("digests:settings"), {"current_password": "Correct horse 9", "api_token": "abc def ghi",
                                              "language": "ar", "note": "Remind me on Fridays"})
    assert client.session[UNSENT]["written"] == ["Remind me on Fridays"]


def test_another_sites_form_keeps_nothing(client, story):
    client.post(reverse("stories:comment_add", args=[story.pk]), {"body": "Call 555-0100 to unlock your account"},
                headers={"Origin": "https://elsewhere.example"})
    assert UNSENT not in client.session


def test_more_than_a_form_can_carry_is_not_kept(client, story):
    response = client.post(reverse("stories:comment_add", args=[story.pk]), {"body": "a" * (UNSENT_MAX_CHARS + 1)})
    assert response.status_code == 302
    assert UNSENT not in client.session


def test_a_comment_edited_after_it_was_deleted_shows_the_text(as_user, staff, story):
    comment = Comment.objects.create(story=story, author=staff, body="First thoughts")
    url = reverse("stories:comment_edit", args=[story.pk, comment.pk])
    comment.delete()
    response = as_user(staff).post(url, {"body": "Second thoughts, longer and kinder"})
    assert response.status_code == 404
    page = response.content.decode()
    assert "What you wrote was not saved" in page and "Second thoughts, longer and kinder" in page


def test_a_missing_page_asked_for_shows_no_writing(as_user, staff):
    page = as_user(staff).get(reverse("stories:detail", args=[999999, "gone"])).content.decode()
    assert "What you wrote was not saved" not in page


def test_it_waits_an_hour_for_its_writer_not_days(client, staff, story):
    page = story.get_absolute_url()
    with time_machine.travel(NOW, tick=False):
        client.post(reverse("stories:comment_add", args=[story.pk]), {"body": "Left on a shared computer"},
                    headers={"Referer": HOST + page})
    with time_machine.travel(NOW + UNSENT_KEPT + datetime.timedelta(minutes=1), tick=False):
        sign_in(client, staff, page)  # the next person to use that browser, the next morning
        assert "Left on a shared computer" not in client.get(page).content.decode()
    assert UNSENT not in client.session


def test_it_never_follows_the_person_to_someone_elses_session(client, staff, leader, story):
    client.post(reverse("stories:comment_add", args=[story.pk]), {"body": "Only mine"})
    other = Client()
    other.force_login(leader)
    assert "Only mine" not in other.get(story.get_absolute_url()).content.decode()


def test_a_form_its_sender_may_no_longer_send_shows_the_text(as_user, staff, customer_for_story):
    response = as_user(staff).post(reverse("stories:new"), {"customer": customer_for_story.pk, "title": "Ken at six",
                                                            "body": "Their crew counts on the morning delivery."})
    assert response.status_code == 403
    page = response.content.decode()
    assert "What you wrote was not saved" in page and "Their crew counts on the morning delivery." in page


def test_a_page_refused_shows_no_writing(as_user, staff):
    response = as_user(staff).get(reverse("stories:new"))
    assert response.status_code == 403 and "What you wrote was not saved" not in response.content.decode()


@pytest.fixture
def customer_for_story():
    return CustomerFactory()
