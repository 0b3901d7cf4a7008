"""The story page's fragments (stories/detail.html): the same for every reader, renewed when anything
they show changes, and finished with each reader's own actions, reactions and history."""

import pytest
from django.test import Client

from portal.permissions import RULES
from stories import services


def page(user, story):
    client = Client()
    client.force_login(user)
    return client.get(story.get_absolute_url()).content.decode()


def test_the_comment_rules_look_only_at_the_author():
    """stories.views._comments_for works out the actions once for one's own comments and once for
    everyone else's: right only while these rules' relations look at nothing but the author."""
    for action in ("comment.edit", "comment.delete"):
        assert set(RULES[action].relations) <= {"author"}, action
        assert not RULES[action].requires, action


@pytest.mark.django_db
class TestStoryPageViewers:
    def test_each_reader_sees_the_actions_on_their_own_comments(self, staff, outsider, admin_user, story):
        mine = services.comment_add(by=staff, story=story, body="Mine")
        theirs = services.comment_add(by=outsider, story=story, body="Theirs")
        edit = f'/stories/{story.pk}/comments/{{}}/edit/'
        delete = f'action="/stories/{story.pk}/comments/{{}}/delete/"'
        html = page(staff, story)
        assert edit.format(mine.pk) in html and delete.format(mine.pk) in html
        assert edit.format(theirs.pk) not in html and delete.format(theirs.pk) not in html
        html = page(outsider, story)  # the same shared comments
        assert edit.format(theirs.pk) in html and delete.format(theirs.pk) in html
        assert edit.format(mine.pk) not in html and delete.format(mine.pk) not in html
        html = page(admin_user, story)  # admins delete any comment, and edit none but their own
        assert delete.format(mine.pk) in html and delete.format(theirs.pk) in html
        assert edit.format(mine.pk) not in html and edit.format(theirs.pk) not in html
        assert 'name="csrfmiddlewaretoken" value="' in html

    def test_each_reader_sees_their_own_reactions(self, staff, outsider, story):
        services.reaction_toggle(by=staff, story=story, kind="moved")
        pressed = 'id="react-moved" class="reaction reaction--moved" aria-pressed="true"'
        assert pressed in page(staff, story)
        html = page(outsider, story)
        assert pressed not in html
        assert 'id="react-moved" class="reaction reaction--moved" aria-pressed="false"' in html

    def test_only_those_who_publish_see_manage_and_history(self, leader, staff, host, draft):
        services.story_submit(by=host, story=draft)
        html = page(leader, draft)
        assert "Manage" in html and "History" in html and "submitted for review" in html
        html = page(host, draft)  # the author edits and sees the same shared page, without history
        assert "Manage" in html and "History" not in html
        assert "submitted for review" not in html.split('id="manage-heading"')[1]


@pytest.mark.django_db
class TestStoryPageRenewal:
    """Every kind of thing the shared parts show: change it, and the next request shows the change."""

    @pytest.fixture
    def seen(self, staff, outsider, story):
        comment = services.comment_add(by=outsider, story=story, body="First thoughts")
        html = page(staff, story)
        assert "First thoughts" in html and "Read by 1 person" in html
        return comment

    def test_a_new_comment(self, staff, outsider, story, seen):
        services.comment_add(by=outsider, story=story, body="Second thoughts")
        html = page(staff, story)
        assert "Second thoughts" in html and "2 comments" in html

    def test_an_edited_and_a_deleted_comment(self, staff, outsider, story, seen):
        services.comment_update(by=outsider, comment=seen, body="Better thoughts")
        assert "Better thoughts" in page(staff, story)
        services.comment_delete(by=outsider, comment=seen)
        html = page(staff, story)
        assert "Better thoughts" not in html and "No comments yet" in html

    def test_a_reaction(self, staff, outsider, story, seen):
        services.reaction_toggle(by=outsider, story=story, kind="great_news")
        assert '<span>Great news</span> <span class="reaction__count" data-count>1</span>' in page(staff, story)

    def test_a_read(self, staff, outsider, story, seen):
        services.read_record(by=outsider, story=story)
        assert "Read by 2 people" in page(staff, story)

    def test_renamed_customer_author_commenter_theme_and_team(self, staff, leader, outsider, story, kens, theme, finance, seen):
        kens.name = "Ken's Plumbing & Heating"
        kens.save()
        leader.name = "Grace O. Adeyemi"
        leader.save()
        outsider.name = "Noa Levi-Cohen"
        outsider.save()
        theme.name = "Dependability"
        theme.save()
        finance.name = "Finance & Ops"
        finance.save()
        html = page(staff, story)
        for text in ("Ken&#x27;s Plumbing &amp; Heating", "Grace O. Adeyemi", "Noa Levi-Cohen", "Dependability", "For Finance &amp; Ops"):
            assert text in html, text

    def test_an_edited_story_and_its_themes(self, staff, leader, story, kens, seen):
        services.story_update(by=leader, story=story, customer=kens, title="The 5 a.m. counter", body="Now at **five**.")
        html = page(staff, story)
        assert "The 5 a.m. counter" in html and "<strong>five</strong>" in html and "Reliability" not in html

    def test_a_status_change_reaches_the_history(self, leader, story, seen):
        assert "unpublished" not in page(leader, story)
        services.story_unpublish(by=leader, story=story)
        html = page(leader, story)
        assert "unpublished" in html and "Draft" in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/stories/99999999999999999999/", "/stories/9223372036854775808/a-slug/",
                                  "/stories/9223372036854775807/"])
def test_an_id_larger_than_any_row_is_a_404(staff, path):
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    assert client.get(path).status_code == 404


def test_a_story_in_another_language_than_the_page_says_so(staff, story):
    """A screen reader reads an English story on an Arabic page with an English voice: its title and
    text carry their own language, on its page, its card and in "Stories like this"."""
    staff.language = "ar"
    staff.save(update_fields=["language"])
    story.language = "en"
    story.save(update_fields=["language"])
    html = page(staff, story)
    assert '<html lang="ar"' in html
    assert f'<h1 id="story-title" dir="auto" lang="en">{story.title}</h1>' in html
    assert '<div class="prose story__body" dir="auto" lang="en">' in html
    client = Client()
    client.force_login(staff)
    feed = client.get("/stories/").content.decode()
    assert f'href="{story.get_absolute_url()}" dir="auto" lang="en">{story.title}</a></h2>' in feed
    assert '<p class="story-card__excerpt" dir="auto" lang="en">' in feed
