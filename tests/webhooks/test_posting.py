"""What reaches Slack and Teams when a story is published, a decision awaits reviews or is decided, or a
meeting opens with free seats: each tool's own format, in the channel's language, only what passes the
channel's filters, and only what may leave the portal."""

import datetime
import json

import pytest
from django.utils import timezone

from decisions import services as decisions
from meetings import services as meetings
from stories import services as stories
from tests.factories import (
    CustomerFactory, DecisionFactory, ImpactReviewFactory, StoryFactory, TeamFactory, ThemeFactory, UserFactory,
)
from webhooks.models import Channel, Delivery

pytestmark = pytest.mark.django_db

SITE = "https://lifeline.example.com"


@pytest.fixture
def draft(customer, publisher):
    return StoryFactory(
        customer=customer, author=publisher, status="draft", published_at=None,
        title="Ken's crew kept its schedule", body="Ken's crew needed the valves by Friday, and they came on Thursday.",
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a write and what it enqueued after commit, as a request would."""

    def run(write, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(**kwargs)

    return run


def decided(*, owner, team, customers=(), outcome="We pay the training vendor in stages."):
    decision = DecisionFactory(title="60-day payment terms for suppliers", team=team, owner=owner, status="in_review")
    decision.customers.set(customers)
    ImpactReviewFactory(decision=decision)
    return decision, outcome


class TestSlack:
    def test_a_published_story_is_posted_as_block_kit(self, run, receiver, make_channel, draft, publisher):
        make_channel("#stories")
        run(stories.story_publish, by=publisher, story=draft)
        [request] = receiver.requests
        assert request.path == "/services/T0LOCAL/B0LOCAL/stories-secret-token"
        assert request.headers["Content-Type"] == "application/json"
        header, facts, excerpt, actions = request.body["blocks"]
        assert header == {"type": "header", "text": {"type": "plain_text", "text": "New story: Ken's crew kept its schedule"}}
        assert facts["fields"] == [{"type": "plain_text", "text": "Customer: Ken's Plumbing Supply"}]
        assert excerpt["text"] == {"type": "plain_text", "text": draft.excerpt}
        assert "valves by Friday" in draft.excerpt
        [button] = actions["elements"]
        assert button["url"] == f"{SITE}/stories/{draft.pk}/{draft.slug}/"
        assert button["text"]["text"] == "Read the story"
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.response_code, delivery.attempts) == ("sent", 200, 1)

    def test_what_colleagues_wrote_pings_no_one(self, run, receiver, make_channel, customer, publisher):
        make_channel()
        story = StoryFactory(customer=customer, status="draft", published_at=None, title="<!channel> *urgent* & more")
        run(stories.story_publish, by=publisher, story=story)
        body = receiver.requests[0].body
        assert body["blocks"][0]["text"] == {"type": "plain_text", "text": "New story: <!channel> *urgent* & more"}
        assert "mrkdwn" not in json.dumps(body)
        assert body["text"].startswith("New story: &lt;!channel&gt; *urgent* &amp; more")

    def test_a_draft_is_never_posted(self, run, receiver, make_channel, customer, publisher):
        make_channel()
        run(stories.story_create, by=publisher, customer=customer, title="Not yet", body="Draft text.")
        assert receiver.requests == [] and not Delivery.objects.exists()


class TestTeams:
    def test_a_decided_decision_is_posted_as_an_adaptive_card(self, run, receiver, make_channel, publisher, finance, customer):
        make_channel("#decisions", service=Channel.Service.TEAMS)
        decision, outcome = decided(owner=publisher, team=finance, customers=[customer])
        run(decisions.decision_record_outcome, by=publisher, decision=decision, outcome=outcome, decide=True)
        [request] = receiver.requests
        assert request.body["type"] == "message"
        [attachment] = request.body["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        card = attachment["content"]
        assert (card["type"], card["version"], card["lang"]) == ("AdaptiveCard", "1.4", "en")
        heading, facts, excerpt = card["body"]
        assert heading["text"] == "Decided: 60-day payment terms for suppliers"
        assert facts["facts"] == [{"title": "Customer", "value": "Ken's Plumbing Supply"}, {"title": "Team", "value": "Finance"}]
        assert excerpt["text"] == "We pay the training vendor in stages."
        assert card["actions"] == [
            {"type": "Action.OpenUrl", "title": "Read the decision", "url": f"{SITE}/decisions/{decision.pk}/"}
        ]

    def test_a_decision_sent_for_review_asks_for_reviews(self, run, receiver, make_channel, publisher, finance, staff):
        make_channel("#decisions", service=Channel.Service.TEAMS)
        draft = DecisionFactory(title="Close the Leeds warehouse", team=finance, owner=publisher, status="draft")
        run(decisions.reviews_request, by=publisher, decision=draft, due_date=timezone.localdate() + datetime.timedelta(days=7),
            people=[staff])
        [request] = receiver.requests
        card = request.body["attachments"][0]["content"]
        assert card["body"][0]["text"] == "How will this affect our customers? Close the Leeds warehouse"
        assert card["actions"][0]["url"] == f"{SITE}/decisions/{draft.pk}/#my-review"
        assert "Customer" not in [f["title"] for f in card["body"][1]["facts"]]  # it names no customer


class TestMeetings:
    def test_a_new_meeting_with_free_seats_is_posted(self, run, receiver, make_channel, host, customer):
        make_channel("#listen-in")
        starts = timezone.now() + datetime.timedelta(days=10)
        meeting = run(
            meetings.meeting_create, by=host, customer=customer, kind="annual_review", title="Annual review with Ken",
            starts_at=starts, ends_at=starts + datetime.timedelta(hours=1), seats=3,
            signup_closes_at=starts - datetime.timedelta(days=1), place="Ken's yard",
        )
        [request] = receiver.requests
        header, facts, excerpt, actions = request.body["blocks"]
        assert header["text"]["text"] == "Listen in: Annual review with Ken"
        texts = [f["text"] for f in facts["fields"]]
        assert "Customer: Ken's Plumbing Supply" in texts and "Free listener seats: 3 seats" in texts
        assert excerpt["text"]["text"] == "Annual business review"
        assert actions["elements"][0]["url"] == f"{SITE}/meetings/{meeting.pk}/"

    def test_a_meeting_whose_sign_up_has_closed_is_not(self, run, receiver, make_channel, host, customer):
        make_channel("#listen-in")
        starts = timezone.now() + datetime.timedelta(hours=2)
        run(
            meetings.meeting_create, by=host, customer=customer, kind="annual_review", title="Too late",
            starts_at=starts, ends_at=starts + datetime.timedelta(hours=1), seats=3,
            signup_closes_at=starts - datetime.timedelta(hours=3), place="Ken's yard",
        )
        assert receiver.requests == []


class TestLanguage:
    def test_slack_messages_speak_the_channels_language(self, run, receiver, make_channel, draft, publisher):
        make_channel(language="ar")
        run(stories.story_publish, by=publisher, story=draft)
        fields = receiver.requests[0].body["blocks"][1]["fields"]
        assert fields == [{"type": "plain_text", "text": "العميل: Ken's Plumbing Supply"}]

    def test_teams_cards_speak_it_and_run_right_to_left(self, run, receiver, make_channel, publisher, finance, staff):
        make_channel("#قرارات", service=Channel.Service.TEAMS, language="ar")
        english = make_channel("#decisions", service=Channel.Service.TEAMS, language="en")
        draft = DecisionFactory(team=finance, owner=publisher, status="draft")
        run(decisions.reviews_request, by=publisher, decision=draft, due_date=timezone.localdate() + datetime.timedelta(days=7),
            people=[staff])
        cards = {r.path: r.body["attachments"][0]["content"] for r in receiver.requests}
        arabic = next(card for path, card in cards.items() if "decisions" not in path)
        assert (arabic["lang"], arabic["rtl"]) == ("ar", True)
        assert arabic["actions"][0]["title"] == "مراجعة القرار"
        assert {"title": "الفريق", "value": "Finance"} in arabic["body"][1]["facts"]
        other = cards[f"/services/T0LOCAL/B0LOCAL/{english.name.strip('#')}-secret-token"]
        assert other["actions"][0]["title"] == "Review the decision" and "rtl" not in other


    def test_a_list_of_customers_reads_in_the_channels_language(self, run, receiver, make_channel, publisher, finance,
                                                                customer):
        make_channel(service=Channel.Service.TEAMS, language="ar")
        decision, outcome = decided(owner=publisher, team=finance, customers=[customer, CustomerFactory(name="Acme")])
        run(decisions.decision_record_outcome, by=publisher, decision=decision, outcome=outcome, decide=True)
        facts = receiver.requests[0].body["attachments"][0]["content"]["body"][1]["facts"]
        assert {"title": "العملاء", "value": "Acme، Ken's Plumbing Supply"} in facts


class TestFilters:
    def test_only_the_customers_it_names(self, run, receiver, make_channel, draft, publisher, customer):
        make_channel("#ken", customers=[customer])
        make_channel("#others", customers=[CustomerFactory()])
        run(stories.story_publish, by=publisher, story=draft)
        assert [r.path.split("/")[-1] for r in receiver.requests] == ["ken-secret-token"]

    def test_only_stories_on_its_themes(self, run, receiver, make_channel, customer, publisher):
        safety = ThemeFactory(name="Safety")
        make_channel("#safety", themes=[safety])
        plain = StoryFactory(customer=customer, status="draft", published_at=None)
        on_theme = StoryFactory(customer=customer, status="draft", published_at=None)
        on_theme.themes.add(safety)
        run(stories.story_publish, by=publisher, story=plain)
        run(stories.story_publish, by=publisher, story=on_theme)
        assert len(receiver.requests) == 1
        assert Delivery.objects.get().object_id == on_theme.pk

    def test_only_its_teams_stories_and_decisions(self, run, receiver, make_channel, publisher, finance, customer):
        make_channel("#finance", teams=[finance])
        other_team = TeamFactory(name="Legal")
        story = StoryFactory(customer=customer, status="draft", published_at=None)
        story.teams.add(other_team)
        run(stories.story_publish, by=publisher, story=story)
        legal_leader = UserFactory(team=other_team, role="leader")
        decision, outcome = decided(owner=legal_leader, team=other_team)
        run(decisions.decision_record_outcome, by=legal_leader, decision=decision, outcome=outcome, decide=True)
        assert receiver.requests == []
        ours, outcome = decided(owner=publisher, team=finance)
        run(decisions.decision_record_outcome, by=publisher, decision=ours, outcome=outcome, decide=True)
        assert len(receiver.requests) == 1

    def test_meetings_are_for_every_team(self, run, receiver, make_channel, host, customer, finance):
        make_channel("#finance", teams=[finance])
        starts = timezone.now() + datetime.timedelta(days=10)
        run(meetings.meeting_create, by=host, customer=customer, kind="annual_review", title="Review",
            starts_at=starts, ends_at=starts + datetime.timedelta(hours=1), seats=1,
            signup_closes_at=starts - datetime.timedelta(days=1), place="HQ")
        assert len(receiver.requests) == 1

    def test_only_the_kinds_it_wants(self, run, receiver, make_channel, draft, publisher):
        make_channel("#no-stories", post_stories=False)
        run(stories.story_publish, by=publisher, story=draft)
        assert receiver.requests == []

    def test_a_disabled_channel_gets_nothing(self, run, receiver, make_channel, draft, publisher):
        make_channel(enabled=False)
        run(stories.story_publish, by=publisher, story=draft)
        assert receiver.requests == [] and not Delivery.objects.exists()


class TestAudience:
    def test_a_story_unpublished_before_its_post_is_not_posted(self, receiver, make_channel, draft, publisher):
        from webhooks.services import deliveries_plan
        from webhooks.tasks import post_task

        make_channel()
        stories.story_publish(by=publisher, story=draft)
        [delivery_id] = deliveries_plan(kind="story_published", pk=draft.pk)
        stories.story_unpublish(by=publisher, story=draft)
        assert post_task.apply(args=[delivery_id]).get() == "skipped"
        assert receiver.requests == []
        assert "No longer to be posted" in Delivery.objects.get().last_error

    def test_a_write_that_rolls_back_announces_nothing(self, receiver, make_channel, draft, publisher,
                                                      django_capture_on_commit_callbacks):
        from django.db import transaction

        make_channel()
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
            with transaction.atomic():
                stories.story_publish(by=publisher, story=draft)
                raise RuntimeError("the rest of the request failed")
        assert receiver.requests == []

    @pytest.mark.parametrize("visibility", ["leaders", "teams"])
    def test_a_story_kept_to_some_people_is_never_posted(self, run, receiver, make_channel, draft, publisher, visibility):
        """A channel's members are not known to be in the story's audience."""
        make_channel()
        draft.visibility = visibility
        draft.save(update_fields=["visibility"])
        run(stories.story_publish, by=publisher, story=draft)
        assert receiver.requests == [] and not Delivery.objects.exists()

    def test_an_anonymised_story_goes_out_under_its_description(self, run, receiver, make_channel, draft, publisher):
        make_channel()
        draft.title, draft.body, draft.excerpt = "The crew kept its schedule", "The valves came on Thursday.", "The valves came."
        draft.naming, draft.anonymised_as = "anonymised", "a 12-person plumbing supplier in Ohio"
        draft.save()
        run(stories.story_publish, by=publisher, story=draft)
        [request] = receiver.requests
        text = json.dumps(request.body, ensure_ascii=False)
        assert "a 12-person plumbing supplier in Ohio" in text
        assert draft.customer.name not in text and draft.customer.slug not in text

    def test_an_anonymised_story_skips_a_channel_about_its_customer(self, run, receiver, make_channel, draft, publisher,
                                                                   customer):
        """Posted to the channel that follows that customer, the story would be named by where it went."""
        make_channel(customers=[customer])
        draft.naming, draft.anonymised_as = "anonymised", "a plumbing supplier"
        draft.save(update_fields=["naming", "anonymised_as"])
        run(stories.story_publish, by=publisher, story=draft)
        assert receiver.requests == []
