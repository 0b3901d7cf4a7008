"""A form refused before it reaches its view (the page's security token no longer matches, because its
tab was open across a sign-out and sign-in) must not lose what was typed: the page says, in the reader's
language, that nothing was saved and why, and shows the text to copy."""

import re

import pytest
from django import forms
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.refused import written_text

from tests.factories import CustomerFactory, DecisionFactory, StoryFactory

pytestmark = pytest.mark.django_db


def post_with_stale_token(user, url, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(url)  # the page is drawn: the form holds a token
    client.cookies["csrftoken"] = "x" * 32  # signed out and in again in another tab: a new token since
    return client.post(url, {**data, "csrfmiddlewaretoken": "y" * 32})


def test_a_story_posted_with_a_stale_token_keeps_its_text(leader):
    customer = CustomerFactory()
    response = post_with_stale_token(leader, reverse("stories:new"), {
        "customer": customer.pk, "title": "Why Ken opens at 6", "body": "Ken's crew <loads> at dawn.", "action": "draft",
        "language": "ar", "audience": "everyone",
    })
    assert response.status_code == 403
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "Why Ken opens at 6" in page and "Ken&#x27;s crew &lt;loads&gt; at dawn." in page
    main = page.split("<main", 1)[1]
    assert "csrfmiddlewaretoken" not in main  # neither token is shown as text
    assert ">ar<" not in main and ">everyone<" not in main  # nor the choices made
    assert 'href="/stories/new/"' in page  # back to the form


def test_each_piece_comes_back_under_its_own_fields_label(leader, staff):
    """The story's body and a comment's are both `body`: the view says which form it takes."""
    customer = CustomerFactory()
    page = post_with_stale_token(leader, reverse("stories:new"), {
        "customer": customer.pk, "title": "Why Ken opens at 6", "body": "Ken's crew loads at dawn.",
    }).content.decode()
    assert re.search(r"<bdi>The story</bdi></span>\s*<textarea[^>]*>Ken&#x27;s crew loads at dawn.</textarea>", page)
    story = StoryFactory(customer=customer)
    page = post_with_stale_token(staff, reverse("stories:comment_add", args=[story.pk]), {"body": "Same at our depot."})
    assert re.search(r"<bdi>Your comment</bdi></span>\s*<textarea[^>]*>Same at our depot.</textarea>", page.content.decode())
    decision = DecisionFactory(status="in_review")
    page = post_with_stale_token(staff, reverse("decisions:review", args=[decision.pk]), {
        "answer": "Ken would wait a week longer.", "direction": "hurts",
    }).content.decode()
    assert re.search(r"<bdi>How will this affect our customers\?</bdi></span>\s*<textarea[^>]*>Ken would wait", page)


@pytest.mark.parametrize(("url", "field", "label"), [
    ("loops:note_respond", "answer", "Your answer"),  # `answer` and `note` mean different things in different forms
    ("improvements:idea_close", "note", "Why"),
    ("decisions:check", "note", "Note"),
])
def test_an_answer_or_a_note_comes_back_under_its_forms_label(leader, url, field, label):
    page = post_with_stale_token(leader, reverse(url, args=[1]), {field: "Ken waited a week."}).content.decode()
    assert re.search(rf"<bdi>{label}</bdi></span>\s*<textarea[^>]*>Ken waited a week.</textarea>", page)


def test_a_one_word_text_posted_with_a_stale_token_is_kept_too(leader):
    customer = CustomerFactory()
    response = post_with_stale_token(leader, reverse("stories:new"), {
        "customer": customer.pk, "title": "onboarding", "body": "thanks", "language": "en", "audience": "everyone",
    })
    main = response.content.decode().split("<main", 1)[1]
    assert 'dir="auto">onboarding</textarea>' in main and 'dir="auto">thanks</textarea>' in main
    assert ">en<" not in main and ">everyone<" not in main  # the choices still are not writing


def test_it_speaks_the_readers_language(leader):
    leader.language = "ar"
    leader.save(update_fields=["language"])
    response = post_with_stale_token(leader, reverse("stories:new"), {"title": "عنوان", "body": "نص كتبته"})
    assert response.status_code == 403
    page = response.content.decode()
    assert 'lang="ar" dir="rtl"' in page and "نص كتبته" in page
    assert "CSRF" not in page.split("<main", 1)[1]  # Django's own page names the mechanism, never what to do



def test_a_stale_sign_in_form_never_shows_the_password():
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    client.cookies["csrftoken"] = "x" * 32
    response = client.post(reverse("login"), {"username": "grace@example.com", "password": "Correct horse 9",
                                              "csrfmiddlewaretoken": "y" * 32})
    assert response.status_code == 403
    assert "Correct horse 9" not in response.content.decode()


def test_a_form_sent_from_another_site_shows_nothing_it_sent(leader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(leader)
    response = client.post(reverse("stories:new"), {"title": "Call 555-0100 to unlock your account"},
                           headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Nothing was saved" in page and "555-0100" not in page


class TestWhatIsKeptGivenTheForm:
    """Given the form a request was sent to, its text fields are writing whatever they hold and its choice
    fields never are; without it, values that look like a choice or a slug are left out."""

    class Form(forms.Form):
        answer = forms.CharField(widget=forms.Textarea)
        audience = forms.ChoiceField(choices=[("Everyone", "Everyone"), ("Team", "Team")])
        seen = forms.CharField(widget=forms.HiddenInput)

    def post(self, data):
        return RequestFactory().post("/no-such-page/", data)  # no view that declares its form

    def test_a_one_word_answer_is_kept_with_the_form(self):
        request = self.post({"answer": "thanks", "audience": "Everyone", "seen": "abc"})
        assert written_text(request, self.Form()) == [{"label": "Answer", "text": "thanks"}]

    def test_without_the_form_a_name_no_form_has_is_judged_by_its_value(self):
        request = self.post({"remark": "thanks", "audience": "Everyone"})
        assert written_text(request) == [{"label": "", "text": "Everyone"}]  # "thanks" looks like a choice's value

    def test_without_the_form_a_name_that_is_text_in_every_form_is_writing(self):
        request = self.post({"answer": "thanks", "body": "ok", "title": "Ken at six", "language": "ar"})
        assert written_text(request) == [
            {"label": "", "text": "thanks"},  # forms call their "answer" different things: no name is given
            {"label": "", "text": "ok"},
            {"label": "Title", "text": "Ken at six"},  # every form calls it "Title"
        ]

    def test_a_blank_answer_is_not_writing(self):
        assert written_text(self.post({"answer": "  \r\n"}), self.Form()) == []

    def test_a_prefixed_form_is_read_by_its_field_names(self):
        request = self.post({"check-answer": "late", "check-audience": "Team"})
        assert written_text(request, self.Form(prefix="check")) == [{"label": "Answer", "text": "late"}]
