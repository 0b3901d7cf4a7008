import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from customers.models import Customer
from stories import services
from stories.models import Comment, Reaction, Read, Story, StoryEvent

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
    '<div onmouseover="alert(1)">hover</div>',
    "<body onload=alert(1)>",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<object data=javascript:alert(1)></object>",
    '<style>body{background:url("javascript:alert(1)")}</style>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '"><script>alert(document.cookie)</script>',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "[x](&#106;avascript:alert(1))",
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
]
FORBIDDEN = ["<script", "onerror", "onload", "onmouseover", "javascript:", "<iframe", "<svg", "<style", "<object", "data:text", "<form", "<img"]


def assert_safe(html):
    html = html.lower()
    for needle in FORBIDDEN:
        assert needle not in html, needle


@pytest.mark.django_db
class TestStoryCreate:
    @pytest.mark.parametrize(("field", "text", "named"), [
        ("body", "Ken's Plumbing Supply waits on us.", "ken s plumbing supply"),
        ("body", "At Ken's Plumbing the crews wait.", "ken s plumbing"),
        ("title", "KEN'S PLUMBING, again", "ken s plumbing"),
        ("anonymised_as", "Ken's plumbing supply Inc.", "ken s plumbing supply"),
    ])
    def test_an_anonymised_story_may_not_name_its_customer_by_a_short_name_either(self, leader, kens, field, text,
                                                                                 named):
        story = {"title": "A wholesaler's idle crews", "body": "Crews wait.", "anonymised_as": "a plumbing wholesaler"}
        with pytest.raises(ValidationError) as error:
            services.story_create(by=leader, customer=kens, naming="anonymised", **{**story, field: text})
        assert error.value.message_dict[field] == [
            f"An anonymised story must not name the customer or their people, and this mentions “{named}”."]
        assert not Story.objects.exists()
        # what such a customer does, in the same words, is not their name
        services.story_create(by=leader, customer=kens, naming="anonymised", **{**story, "body": "Plumbing supply."})

    def test_it_creates_a_draft_by_default(self, leader, kens):
        story = services.story_create(by=leader, customer=kens, title=" Ken ", body="**Bold** words")
        assert story.status == Story.Status.DRAFT
        assert story.published_at is None
        assert story.title == "Ken"
        assert story.body_html == "<p><strong>Bold</strong> words</p>"
        assert list(story.events.values_list("action", flat=True)) == ["created"]

    def test_a_leader_publishes_straight_away_and_touches_the_customer(self, leader, kens):
        Customer.objects.filter(pk=kens.pk).update(last_activity_at=timezone.now() - timezone.timedelta(days=30))
        story = services.story_create(by=leader, customer=kens, title="Ken", body="Words", publish=True)
        assert story.status == Story.Status.PUBLISHED
        assert story.published_at is not None
        kens.refresh_from_db()
        assert kens.last_activity_at == story.published_at

    def test_an_anonymised_story_leaves_the_customers_activity_alone(self, leader, kens):
        # The directory sorts by activity: moving up as an anonymised story appears would name them.
        month_ago = timezone.now() - timezone.timedelta(days=30)
        Customer.objects.filter(pk=kens.pk).update(last_activity_at=month_ago)
        services.story_create(by=leader, customer=kens, title="A wholesaler", body="Words", publish=True,
                              naming="anonymised", anonymised_as="a plumbing wholesaler")
        kens.refresh_from_db()
        assert kens.last_activity_at == month_ago

    def test_a_host_asking_to_publish_gets_a_draft(self, host, kens):
        story = services.story_create(by=host, customer=kens, title="Ken", body="Words", publish=True)
        assert story.status == Story.Status.DRAFT

    def test_an_admin_publishes(self, admin_user, kens):
        assert services.story_create(by=admin_user, customer=kens, title="K", body="W", publish=True).is_published

    @pytest.mark.parametrize("persona", ["staff", "outsider"])
    def test_staff_may_not_write_stories(self, request, persona, kens):
        with pytest.raises(PermissionDenied):
            services.story_create(by=request.getfixturevalue(persona), customer=kens, title="K", body="W")
        assert not Story.objects.exists()

    @pytest.mark.parametrize(
        "fields",
        [{"customer": None}, {"title": "  "}, {"body": ""}, {"body": "   "}, {"body": "x" * 100_001}],
    )
    def test_it_rejects_bad_input_and_saves_nothing(self, leader, kens, fields):
        data = {"customer": kens, "title": "T", "body": "B", **fields}
        with pytest.raises(ValidationError):
            services.story_create(by=leader, **data)
        assert not Story.objects.exists()

    def test_it_keeps_themes_and_teams(self, leader, kens, theme, finance):
        story = services.story_create(by=leader, customer=kens, title="T", body="B", themes=[theme], teams=[finance])
        assert list(story.themes.all()) == [theme]
        assert list(story.teams.all()) == [finance]

    def test_it_gives_non_latin_titles_a_slug(self, leader, kens):
        assert services.story_create(by=leader, customer=kens, title="قصة خالد", body="B").slug == "قصة-خالد"
        assert services.story_create(by=leader, customer=kens, title="!!!", body="B").slug == "story"

    @pytest.mark.parametrize("payload", XSS_PAYLOADS)
    def test_it_sanitises_every_xss_payload(self, leader, kens, payload):
        story = services.story_create(
            by=leader, customer=kens, title="T", body=f"Words\n\n{payload}\n\nmore", impact=payload, publish=True
        )
        assert_safe(story.body_html)
        assert_safe(story.impact_html)


@pytest.mark.django_db
class TestStoryStatus:
    def test_a_host_submits_and_a_leader_publishes(self, host, leader, draft):
        services.story_submit(by=host, story=draft)
        assert draft.status == Story.Status.SUBMITTED
        services.story_publish(by=leader, story=draft)
        assert draft.is_published
        actions = list(draft.events.values_list("action", flat=True))
        assert actions == ["created", "submitted", "published"]

    @pytest.mark.parametrize("persona", ["staff", "host", "outsider"])
    def test_only_leaders_and_admins_publish(self, request, persona, draft):
        with pytest.raises(PermissionDenied):
            services.story_publish(by=request.getfixturevalue(persona), story=draft)
        draft.refresh_from_db()
        assert draft.status == Story.Status.DRAFT

    def test_unpublish_makes_it_a_draft_again(self, leader, story):
        services.story_unpublish(by=leader, story=story)
        story.refresh_from_db()
        assert story.status == Story.Status.DRAFT and story.published_at is None

    def test_publishing_twice_keeps_the_first_date(self, leader, story):
        first = story.published_at
        services.story_publish(by=leader, story=story)
        assert story.published_at == first
        assert StoryEvent.objects.filter(story=story, action="published").count() == 1

    def test_a_host_may_not_edit_once_published(self, host, leader, draft, kens):
        services.story_publish(by=leader, story=draft)
        with pytest.raises(PermissionDenied):
            services.story_update(by=host, story=draft, customer=kens, title="X", body="Y")

    @pytest.mark.parametrize("persona", ["leader", "staff", "admin_user"])
    def test_only_the_author_submits(self, request, draft, persona):
        with pytest.raises(PermissionDenied):
            services.story_submit(by=request.getfixturevalue(persona), story=draft)
        draft.refresh_from_db()
        assert draft.status == Story.Status.DRAFT


@pytest.mark.django_db
class TestReactions:
    def test_reacting_twice_toggles(self, staff, story):
        assert services.reaction_toggle(by=staff, story=story, kind="moved") is True
        assert services.reaction_toggle(by=staff, story=story, kind="great_news") is True
        assert Reaction.objects.filter(story=story).count() == 2
        assert services.reaction_toggle(by=staff, story=story, kind="moved") is False
        assert list(Reaction.objects.values_list("kind", flat=True)) == ["great_news"]

    def test_it_refuses_drafts_and_unknown_kinds(self, staff, draft, story):
        with pytest.raises(PermissionDenied):
            services.reaction_toggle(by=staff, story=draft, kind="moved")
        with pytest.raises(ValidationError):
            services.reaction_toggle(by=staff, story=story, kind="meh")
        assert not Reaction.objects.exists()


@pytest.mark.django_db
class TestComments:
    def test_the_author_edits_and_deletes_their_own(self, staff, outsider, story):
        comment = services.comment_add(by=staff, story=story, body="**Yes**")
        assert comment.body_html == "<p><strong>Yes</strong></p>"
        with pytest.raises(PermissionDenied):
            services.comment_update(by=outsider, comment=comment, body="hijack")
        with pytest.raises(PermissionDenied):
            services.comment_delete(by=outsider, comment=comment)
        services.comment_update(by=staff, comment=comment, body="*No*")
        assert Comment.objects.get().body_html == "<p><em>No</em></p>"
        services.comment_delete(by=staff, comment=comment)
        assert not Comment.objects.exists()

    def test_an_admin_may_delete_but_not_edit(self, staff, admin_user, story):
        comment = services.comment_add(by=staff, story=story, body="hello")
        with pytest.raises(PermissionDenied):
            services.comment_update(by=admin_user, comment=comment, body="x")
        services.comment_delete(by=admin_user, comment=comment)

    @pytest.mark.parametrize("body", ["", "  ", "x" * 10_001])
    def test_it_rejects_empty_or_huge_comments(self, staff, story, body):
        with pytest.raises(ValidationError):
            services.comment_add(by=staff, story=story, body=body)
        assert not Comment.objects.exists()

    @pytest.mark.parametrize("payload", XSS_PAYLOADS)
    def test_it_sanitises_comments(self, staff, story, payload):
        assert_safe(services.comment_add(by=staff, story=story, body=payload).body_html)


@pytest.mark.django_db
class TestReads:
    def test_a_read_is_recorded_once(self, staff, story):
        services.read_record(by=staff, story=story)
        services.read_record(by=staff, story=story)
        assert Read.objects.filter(story=story, user=staff).count() == 1

    def test_drafts_record_no_reads(self, leader, draft):
        services.read_record(by=leader, story=draft)
        assert not Read.objects.exists()
