"""Every write endpoint against every persona, plus GET refused and bad input saving nothing."""

import re

import pytest
from django.urls import reverse

from stories import services
from stories.models import Comment, Reaction, Story
from tests.conftest import PERSONAS
from tests.factories import ThemeFactory


def story_data(customer, **overrides):
    return {"customer": customer.pk, "title": "Counter at six", "body": "Ken's **crew**", "bought": "", "impact": "",
            "action": "draft", **overrides}


@pytest.mark.django_db
class TestNew:
    @pytest.mark.parametrize("persona,allowed", [("leader", True), ("host", True), ("admin_user", True), ("staff", False), ("outsider", False)])
    def test_each_persona(self, request, as_user, kens, persona, allowed):
        client = as_user(request.getfixturevalue(persona))
        assert client.get(reverse("stories:new")).status_code == (200 if allowed else 403)
        response = client.post(reverse("stories:new"), story_data(kens))
        assert response.status_code == (302 if allowed else 403)
        assert Story.objects.count() == (1 if allowed else 0)

    def test_a_leader_publishes(self, as_user, leader, kens, theme, finance):
        response = as_user(leader).post(
            reverse("stories:new"), story_data(kens, action="publish", themes=[theme.pk], teams=[finance.pk])
        )
        story = Story.objects.get()
        assert response["Location"] == story.get_absolute_url()
        assert story.is_published and list(story.themes.all()) == [theme]

    def test_a_host_submits_for_review(self, as_user, host, kens):
        as_user(host).post(reverse("stories:new"), story_data(kens, action="submit"))
        assert Story.objects.get().status == Story.Status.SUBMITTED

    def test_a_host_cannot_sneak_a_publish(self, as_user, host, kens):
        as_user(host).post(reverse("stories:new"), story_data(kens, action="publish"))
        assert Story.objects.get().status == Story.Status.DRAFT

    def test_preview_button_saves_nothing(self, as_user, leader, kens):
        response = as_user(leader).post(reverse("stories:new"), story_data(kens, action="preview", body="**Hi** <script>x</script>"))
        assert response.status_code == 200
        assert "<strong>Hi</strong>" in response.content.decode()
        assert "<script>x" not in response.content.decode()
        assert not Story.objects.exists()

    @pytest.mark.parametrize(
        "overrides,field,message",
        [
            ({"customer": ""}, "customer", "Choose the customer this story is about."),
            ({"customer": "999999"}, "customer", "That customer is no longer in the directory."),
            ({"customer": "abc"}, "customer", "That customer is no longer in the directory."),
            ({"title": ""}, "title", "Give the story a title."),
            ({"body": ""}, "body", "Write the story."),
            ({"body": "   \n "}, "body", "Write the story."),
            ({"body": "x" * 100_001}, "body", "at most 100000 characters"),
            ({"themes": ["9999"]}, "themes", "Unknown theme."),
            ({"themes": ["nope"]}, "themes", "Unknown theme."),
            ({"teams": ["9999"]}, "teams", "Unknown team."),
        ],
    )
    def test_bad_input_says_what_is_wrong_keeps_the_text_and_saves_nothing(self, as_user, leader, kens, overrides, field, message):
        data = {**story_data(kens, title="My kept title", body="My kept body", bought="Kept bought"), **overrides}
        response = as_user(leader).post(reverse("stories:new"), data)
        assert response.status_code == 400
        assert message in " ".join(str(e) for e in response.context["form"].errors[field])
        html = response.content.decode()
        assert message.replace("'", "&#x27;") in html
        for name, kept in (("title", "My kept title"), ("body", "My kept body"), ("bought", "Kept bought")):
            if name not in overrides:
                assert kept in html
        assert not Story.objects.exists()

    def test_a_customer_deleted_while_writing(self, as_user, leader, kens):
        from tests.factories import CustomerFactory

        gone = CustomerFactory(name="Gone Ltd")
        gone_pk = gone.pk
        gone.delete()
        response = as_user(leader).post(reverse("stories:new"), {**story_data(kens, title="Kept"), "customer": gone_pk})
        assert response.status_code == 400
        assert "no longer in the directory" in response.content.decode()
        assert 'value="Kept"' in response.content.decode()

    def test_it_prefills_the_customer_from_the_customer_page(self, as_user, leader, kens):
        response = as_user(leader).get(reverse("stories:new") + f"?customer={kens.pk}")
        assert response.context["form"]["customer"].value() == str(kens.pk)


@pytest.mark.django_db
class TestEdit:
    @pytest.mark.parametrize("persona,status", [("leader", 302), ("admin_user", 302), ("staff", 403), ("host", 403), ("outsider", 403)])
    def test_a_published_story(self, request, as_user, story, kens, persona, status):
        url = reverse("stories:edit", args=[story.pk, story.slug])
        response = as_user(request.getfixturevalue(persona)).post(url, story_data(kens, title="Changed"))
        assert response.status_code == status
        story.refresh_from_db()
        assert (story.title == "Changed") == (status == 302)
        assert story.is_published  # saving never unpublishes

    @pytest.mark.parametrize("persona,status", [("host", 302), ("leader", 302), ("admin_user", 302), ("staff", 404), ("outsider", 404)])
    def test_a_hosts_draft(self, request, as_user, draft, kens, persona, status):
        url = reverse("stories:edit", args=[draft.pk, draft.slug])
        response = as_user(request.getfixturevalue(persona)).post(url, story_data(kens, title="Changed"))
        assert response.status_code == status

    def test_saving_a_published_story_says_saved_not_published(self, as_user, leader, story, draft, kens):
        response = as_user(leader).post(reverse("stories:edit", args=[story.pk, story.slug]),
                                        story_data(kens, title="Changed"), follow=True)  # "Save changes"
        assert "Story saved." in response.content.decode() and "Story published." not in response.content.decode()
        response = as_user(leader).post(reverse("stories:edit", args=[draft.pk, draft.slug]),
                                        story_data(kens, title="Changed", action="publish"), follow=True)
        assert "Story published." in response.content.decode()

    def test_the_edit_page_opens_with_the_preview_of_the_story(self, as_user, leader, story, kens):
        url = reverse("stories:edit", args=[story.pk, story.slug])
        Story.objects.filter(pk=story.pk).update(body="Ken's **crew** waits")
        page = as_user(leader).get(url).content.decode()
        assert "<strong>crew</strong> waits" in page.split('id="story-preview"')[1].split("</div>")[0]
        # A refused save shows the preview of what was sent.
        page = as_user(leader).post(url, story_data(kens, title="", body="A *new* draft")).content.decode()
        assert "<em>new</em> draft" in page.split('id="story-preview"')[1].split("</div>")[0]

    def test_bad_input_changes_nothing(self, as_user, leader, story, kens):
        url = reverse("stories:edit", args=[story.pk, story.slug])
        response = as_user(leader).post(url, story_data(kens, title="New title", body=""))
        assert response.status_code == 400
        assert "New title" in response.content.decode()
        assert "The story was not saved. Please correct the fields marked below." in response.content.decode()
        story.refresh_from_db()
        assert story.title == "The 6 a.m. counter"

    def test_a_second_save_never_undoes_the_first_and_loses_nothing(self, as_user, leader, admin_user, story, kens):
        url = reverse("stories:edit", args=[story.pk, story.slug])
        seen = re.search(r'name="seen" value="([0-9a-f]+)"', as_user(leader).get(url).content.decode()).group(1)
        # Both open the form; the admin saves first.
        assert as_user(admin_user).post(url, story_data(kens, title="The admin's title")).status_code == 302
        # The leader's save is refused, and the form comes back with the leader's own text in it.
        response = as_user(leader).post(url, story_data(kens, title="The leader's title", body="Mine", seen=seen))
        page = response.content.decode().replace("&#x27;", "'")
        assert response.status_code == 400
        assert "Someone else saved changes to this story while you were editing it." in page
        assert "Please correct the fields marked below." not in page  # none is
        assert "The leader's title" in page and "Mine</textarea>" in page
        story.refresh_from_db()
        assert story.title == "The admin's title"
        # Saving again, after comparing, keeps the leader's version.
        again = re.search(r'name="seen" value="([0-9a-f]+)"', page).group(1)
        assert again != seen
        assert as_user(leader).post(url, story_data(kens, title="The leader's title", seen=again)).status_code == 302
        story.refresh_from_db()
        assert story.title == "The leader's title"

    def test_the_form_reads_each_list_once_for_itself_and_its_fingerprint(self, as_user, leader, story):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = as_user(leader)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("stories:edit", args=[story.pk, story.slug]))
        for table in ("stories_story_themes", "stories_story_teams", "stories_story_audience"):
            assert sum(f'"{table}"' in query["sql"] for query in queries) <= 1, table

    def test_a_change_of_themes_meanwhile_is_a_conflict_too(self, as_user, leader, admin_user, story, kens, theme):
        url = reverse("stories:edit", args=[story.pk, story.slug])
        Story.objects.filter(pk=story.pk).update(**{k: v for k, v in story_data(kens).items() if k in ("body", "bought", "impact")})
        seen = re.search(r'name="seen" value="([0-9a-f]+)"', as_user(leader).get(url).content.decode()).group(1)
        other = ThemeFactory(name="Cash flow")
        # The admin only swaps a theme: the leader's form, drawn before, would silently put it back.
        assert as_user(admin_user).post(url, story_data(kens, title=story.title, themes=[other.pk])).status_code == 302
        response = as_user(leader).post(url, story_data(kens, title="The leader's title", themes=[theme.pk], seen=seen))
        assert response.status_code == 400
        assert "Someone else saved changes to this story while you were editing it." in response.content.decode()
        assert list(story.themes.all()) == [other]

    def test_publishing_meanwhile_is_no_conflict(self, as_user, leader, admin_user, draft, kens):
        url = reverse("stories:edit", args=[draft.pk, draft.slug])
        seen = re.search(r'name="seen" value="([0-9a-f]+)"', as_user(leader).get(url).content.decode()).group(1)
        services.story_publish(by=admin_user, story=draft)  # saves the row, but not what the form edits
        assert as_user(leader).post(url, story_data(kens, title="Changed", seen=seen)).status_code == 302
        draft.refresh_from_db()
        assert draft.title == "Changed"

    def test_a_leader_publishes_a_submitted_story_from_the_form(self, as_user, leader, host, draft, kens):
        services.story_submit(by=host, story=draft)
        as_user(leader).post(reverse("stories:edit", args=[draft.pk, draft.slug]), story_data(kens, action="publish"))
        draft.refresh_from_db()
        assert draft.is_published


STATUS_MATRIX = {
    # endpoint: fixture, {persona: status}
    "publish": ("draft", {"leader": 302, "admin_user": 302, "host": 403, "staff": 404, "outsider": 404}),
    "unpublish": ("story", {"leader": 302, "admin_user": 302, "host": 403, "staff": 403, "outsider": 403}),
    "submit": ("draft", {"host": 302, "leader": 403, "admin_user": 403, "staff": 404, "outsider": 404}),
}


@pytest.mark.django_db
class TestStatusChanges:
    @pytest.mark.parametrize("endpoint", STATUS_MATRIX)
    @pytest.mark.parametrize("persona", PERSONAS)
    def test_each_persona(self, request, as_user, endpoint, persona):
        fixture, statuses = STATUS_MATRIX[endpoint]
        story = request.getfixturevalue(fixture)
        before = story.status
        client = as_user(request.getfixturevalue(persona))
        url = reverse(f"stories:{endpoint}", args=[story.pk])
        assert client.get(url).status_code == 405
        response = client.post(url)
        assert response.status_code == statuses[persona]
        story.refresh_from_db()
        assert (story.status != before) == (statuses[persona] == 302)

    def test_missing_story_is_404(self, as_user, leader):
        assert as_user(leader).post(reverse("stories:publish", args=[999])).status_code == 404


@pytest.mark.django_db
class TestPreview:
    @pytest.mark.parametrize("persona,status", [("leader", 200), ("host", 200), ("admin_user", 200), ("staff", 403), ("outsider", 403)])
    def test_each_persona(self, request, as_user, persona, status):
        client = as_user(request.getfixturevalue(persona))
        assert client.get(reverse("stories:preview")).status_code == 405
        response = client.post(reverse("stories:preview"), {"body": "**Hi** <img src=x onerror=alert(1)> [x](javascript:alert(1))"}, HTTP_HX_REQUEST="true")
        assert response.status_code == status
        if status == 200:
            html = response.content.decode()
            assert "<strong>Hi</strong>" in html and "onerror" not in html and "javascript:" not in html
            assert 'id="story-preview"' in html and "<html" not in html

    def test_too_long(self, as_user, leader):
        response = as_user(leader).post(reverse("stories:preview"), {"body": "x" * 100_001})
        assert "too long" in response.content.decode()


@pytest.mark.django_db
class TestReact:
    @pytest.mark.parametrize("persona", PERSONAS)
    def test_everyone_reacts_and_toggles(self, request, as_user, story, persona):
        client = as_user(request.getfixturevalue(persona))
        url = reverse("stories:react", args=[story.pk])
        assert client.get(url).status_code == 405
        response = client.post(url, {"kind": "moved"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="react-moved" class="reaction reaction--moved" aria-pressed="true"' in html
        assert 'data-hx-swap-oob="innerHTML"' in html and "You reacted" in html
        assert Reaction.objects.filter(story=story).count() == 1
        client.post(url, {"kind": "moved"})
        assert not Reaction.objects.exists()

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_drafts_and_missing_stories_are_404(self, request, as_user, draft, persona):
        client = as_user(request.getfixturevalue(persona))
        assert client.post(reverse("stories:react", args=[draft.pk]), {"kind": "moved"}).status_code == 404
        assert client.post(reverse("stories:react", args=[99999]), {"kind": "moved"}).status_code == 404
        assert not Reaction.objects.exists()

    def test_unknown_kind_is_400(self, as_user, staff, story):
        assert as_user(staff).post(reverse("stories:react", args=[story.pk]), {"kind": "meh"}).status_code == 400

    def test_plain_post_redirects(self, as_user, staff, story):
        response = as_user(staff).post(reverse("stories:react", args=[story.pk]), {"kind": "great_news"})
        assert response.status_code == 302 and response["Location"] == story.get_absolute_url()


@pytest.mark.django_db
class TestComments:
    @pytest.mark.parametrize("persona", PERSONAS)
    def test_everyone_comments(self, request, as_user, story, persona):
        client = as_user(request.getfixturevalue(persona))
        url = reverse("stories:comment_add", args=[story.pk])
        assert client.get(url).status_code == 405
        response = client.post(url, {"body": "Moving <script>alert(1)</script>"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert 'id="comments"' in response.content.decode()
        assert "<script>alert" not in response.content.decode()
        assert "<p>Moving" in response.content.decode()  # the first comment shows at once
        assert Comment.objects.filter(story=story).count() == 1

    def test_an_empty_comment_is_refused_and_nothing_saved(self, as_user, staff, story):
        url = reverse("stories:comment_add", args=[story.pk])
        response = as_user(staff).post(url, {"body": ""}, HTTP_HX_REQUEST="true")
        assert "Write a comment first." in response.content.decode()
        response = as_user(staff).post(url, {"body": "x" * 10_001})
        assert response.status_code == 400
        assert not Comment.objects.exists()

    def test_no_comments_on_drafts(self, as_user, leader, draft):
        assert as_user(leader).post(reverse("stories:comment_add", args=[draft.pk]), {"body": "x"}).status_code == 404

    @pytest.mark.parametrize("persona,status", [("staff", 200), ("leader", 403), ("host", 403), ("admin_user", 403), ("outsider", 403)])
    def test_only_the_author_edits(self, request, as_user, staff, story, persona, status):
        comment = services.comment_add(by=staff, story=story, body="first")
        client = as_user(request.getfixturevalue(persona))
        url = reverse("stories:comment_edit", args=[story.pk, comment.pk])
        assert client.get(url).status_code == status
        response = client.post(url, {"body": "**second**"}, HTTP_HX_REQUEST="true")
        assert response.status_code == status
        comment.refresh_from_db()
        assert (comment.body == "**second**") == (status == 200)
        if status == 200:
            assert f'id="comment-{comment.pk}"' in response.content.decode()
            assert "<strong>second</strong>" in response.content.decode()

    def test_editing_with_an_empty_body_keeps_the_comment(self, as_user, staff, story):
        comment = services.comment_add(by=staff, story=story, body="first")
        response = as_user(staff).post(reverse("stories:comment_edit", args=[story.pk, comment.pk]), {"body": " "})
        assert response.status_code == 400
        comment.refresh_from_db()
        assert comment.body == "first"

    @pytest.mark.parametrize("persona,status", [("staff", 302), ("admin_user", 302), ("leader", 403), ("host", 403), ("outsider", 403)])
    def test_the_author_and_admins_delete(self, request, as_user, staff, story, persona, status):
        comment = services.comment_add(by=staff, story=story, body="first")
        client = as_user(request.getfixturevalue(persona))
        url = reverse("stories:comment_delete", args=[story.pk, comment.pk])
        assert client.get(url).status_code == 405
        assert client.post(url).status_code == status
        assert Comment.objects.exists() == (status != 302)

    def test_a_comment_is_looked_up_through_its_story(self, as_user, staff, story, leader, kens):
        other = services.story_create(by=leader, customer=kens, title="Other", body="B", publish=True)
        comment = services.comment_add(by=staff, story=other, body="first")
        url = reverse("stories:comment_delete", args=[story.pk, comment.pk])
        assert as_user(staff).post(url).status_code == 404
