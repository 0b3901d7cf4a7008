"""Who may read a story (company-wide, leaders only, chosen teams) and how it names its customer (with
consent, inside the company only, anonymised): the one funnel (stories.selectors.readable_by and
Story.is_visible_to) and every surface that shows stories."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.models import Follow
from digests.compose import compose_for
from digests.preferences import preferences_of
from digests.services import digest_email
from meetings.services import calendar_feed_get
from portal.models import User
from stories import search, selectors, services
from stories.digest import pick_stories, prepare
from stories.feeds import CUSTOMER, FOLLOWING, feed_path
from stories.models import Story, StoryEvent
from tests.factories import ContactFactory, CustomerFactory, MeetingFactory, SeatFactory, UserFactory

NAME, SLUG = "Zephyrine Widgets Ltd", "zephyrine-widgets-ltd"
DESCRIPTION = "a 40-person plumbing supply business in the Midwest"
SECRET_NAME, SECRET_SLUG = "Quillon Harbour Foods", "quillon-harbour-foods"


@pytest.fixture
def zephyrine(db):
    return CustomerFactory(
        name=NAME, slug=SLUG, industry="Plumbing supply", region="the Midwest", employees=40, do_not_name=True,
        who_they_are="Zephyrine's counter opens at six.",
    )


@pytest.fixture
def quillon(db):
    return CustomerFactory(name=SECRET_NAME, slug=SECRET_SLUG, industry="Food")


@pytest.fixture
def anonymised(leader, zephyrine, finance):
    """Published, anonymised (the customer asked not to be named: the default), for everyone."""
    return services.story_create(
        by=leader, customer=zephyrine, title="The morning the fittings ran out",
        body="Their counter opens at six; a missing fitting costs a crew of four a whole day.",
        bought="Fittings", impact="Crews no longer wait.", teams=[finance], publish=True,
    )


@pytest.fixture
def leaders_only(leader, quillon):
    return services.story_create(
        by=leader, customer=quillon, title="Margins we cannot talk about", body=f"{SECRET_NAME} shared their margins.",
        visibility=Story.Visibility.LEADERS, publish=True,
    )


@pytest.fixture
def for_it(leader, quillon, it_team):
    return services.story_create(
        by=leader, customer=quillon, title="The server room audit", body=f"{SECRET_NAME} audits our servers.",
        visibility=Story.Visibility.TEAMS, audience=[it_team], publish=True,
    )


# -- every surface, for a reader without access -------------------------------------------------------


def _get(client, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    return response.content.decode()


def _digest_email(user):
    message = digest_email(compose_for(user, now=timezone.now() + datetime.timedelta(minutes=1)), preferences_of(user))
    return message.body + "".join(content for content, _type in message.alternatives)


# (surface, how to read it as `staff`, what must be there: proof that the surface lists the anonymised
# story at all, so that the absence of the name means something)
SURFACES = {
    "feed": (lambda c, w: _get(c, reverse("stories:feed")), [DESCRIPTION]),
    "feed, htmx results": (lambda c, w: _get(c, reverse("stories:feed") + "?theme=&q="), [DESCRIPTION]),
    "search results and highlights": (lambda c, w: _get(c, reverse("stories:feed") + "?q=fitting"), ["<mark>"]),
    "search for the restricted story": (lambda c, w: _get(c, reverse("stories:feed") + "?q=margins"), []),
    "story page and its title": (lambda c, w: _get(c, w["anonymised"].get_absolute_url()), [DESCRIPTION, "Anonymised"]),
    "story by its short URL": (lambda c, w: _get(c, reverse("stories:detail_short", args=[w["anonymised"].pk])), [DESCRIPTION]),
    "presentation view": (lambda c, w: _get(c, w["anonymised"].get_present_url()), [DESCRIPTION]),
    "give me a story": (lambda c, w: _get(c, reverse("stories:give_me_one")), [DESCRIPTION]),
    "home panels": (lambda c, w: _get(c, reverse("home")), [DESCRIPTION]),
    "Atom feed": (lambda c, w: _get(c, reverse("stories:atom")), [DESCRIPTION]),
    "private Atom feed": (lambda c, w: _get(Client(), feed_path(w["staff"])), [DESCRIPTION]),
    "digest preview": (lambda c, w: _get(c, reverse("digests:preview")), [DESCRIPTION]),
    "digest email": (lambda c, w: _digest_email(w["staff"]), [DESCRIPTION]),
    "calendar (.ics)": (lambda c, w: _get(c, reverse("meetings:calendar_feed", args=[w["feed"].token])), ["BEGIN:VEVENT"]),
    "scorecard CSV": (lambda c, w: _get(c, reverse("insights:scorecard") + "?format=csv"), []),
    "bench peer feed": (lambda c, w: _get(c, reverse("bench_peer_feed")), [DESCRIPTION]),
    "bench peer story": (lambda c, w: _get(c, reverse("bench_peer_story", args=[w["anonymised"].pk])), [DESCRIPTION]),
}


@pytest.fixture
def world(staff, leader, anonymised, leaders_only, for_it, finance, zephyrine, quillon):
    other = CustomerFactory(name="Harbor Lights Bakery", slug="harbor-lights-bakery")
    meeting = MeetingFactory(customer=other)
    SeatFactory(meeting=meeting, user=staff)
    return {"staff": staff, "anonymised": anonymised, "feed": calendar_feed_get(user=staff)}


@pytest.mark.django_db
class TestNothingNamesTheCustomer:
    @pytest.mark.parametrize("surface", list(SURFACES))
    def test_the_customer_and_restricted_stories_are_absent(self, as_user, world, surface):
        read, expected = SURFACES[surface]
        text = read(as_user(world["staff"]), world)
        for needle in expected:
            assert needle in text, f"{surface} does not show the story at all ({needle!r} missing)"
        lowered = text.lower()
        for secret in (NAME, "Zephyrine", SLUG, SECRET_NAME, SECRET_SLUG, "Margins we cannot talk about", "The server room audit"):
            assert secret.lower() not in lowered, f"{surface} shows {secret!r}"

    def test_the_page_title_and_url_are_anonymous(self, as_user, world):
        story = world["anonymised"]
        html = _get(as_user(world["staff"]), story.get_absolute_url())
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert "Zephyrine" not in title and "The morning the fittings ran out" in title
        assert SLUG not in story.get_absolute_url() and "zephyrine" not in story.slug

    def test_a_private_feed_of_the_customer_leaves_out_its_anonymised_and_restricted_stories(self, world, zephyrine, quillon):
        """The feed of one customer names it (the reader asked for it), so the anonymised story about it is
        not there, as on the customer's page; nor are the restricted ones about the other."""
        reader = Client()
        about_zephyrine = _get(reader, feed_path(world["staff"], CUSTOMER, zephyrine))
        assert "<entry" not in about_zephyrine and world["anonymised"].title not in about_zephyrine
        about_quillon = _get(reader, feed_path(world["staff"], CUSTOMER, quillon))
        assert "<entry" not in about_quillon and "Margins we cannot talk about" not in about_quillon

    def test_a_private_feed_of_followed_customers_leaves_them_out_too(self, world, zephyrine, quillon):
        for customer in (zephyrine, quillon):
            Follow.objects.create(user=world["staff"], customer=customer)
        followed = _get(Client(), feed_path(world["staff"], FOLLOWING))
        assert "<entry" not in followed
        for secret in (NAME, SLUG, SECRET_NAME, "Margins we cannot talk about", world["anonymised"].title):
            assert secret not in followed

    def test_the_customer_page_does_not_list_the_anonymised_story(self, as_user, world, zephyrine):
        html = _get(as_user(world["staff"]), zephyrine.get_absolute_url())
        assert NAME in html and "Do not name us" in html  # the customer's own page, with its wish
        assert world["anonymised"].title not in html and world["anonymised"].get_absolute_url() not in html

    def test_following_the_customer_does_not_bring_it_to_the_home_page(self, as_user, world, zephyrine, outsider):
        Follow.objects.create(user=outsider, customer=zephyrine)
        html = _get(as_user(outsider), reverse("home"))
        # the followed customer's card names the customer (they follow it), never the anonymised story
        followed = html[html.index('id="followed-heading"'):]
        followed = followed[: followed.index("</section>")]
        assert NAME in followed and world["anonymised"].title not in followed
        assert world["anonymised"].get_absolute_url() not in followed

    def test_searching_for_the_customer_finds_nothing(self, as_user, world):
        for q in ("Zephyrine", NAME, SLUG, "Quillon", "margins"):
            response = as_user(world["staff"]).get(reverse("stories:feed"), {"q": q})
            assert list(response.context["stories"]) == [], q

    def test_filtering_the_feed_by_the_customer_leaves_the_anonymised_story_out(self, as_user, world, leader):
        for reader in (world["staff"], leader):
            response = as_user(reader).get(reverse("stories:feed"), {"customer": SLUG})
            assert world["anonymised"] not in response.context["stories"]

    def test_the_editor_sees_whom_it_is_about_in_the_manage_box_only(self, as_user, world, leader):
        html = _get(as_user(leader), world["anonymised"].get_absolute_url())
        assert html.count(NAME) == 1 and "manage-heading" in html
        assert world["anonymised"].customer_label_for(leader) == NAME
        assert world["anonymised"].customer_label_for(world["staff"]) == DESCRIPTION


# -- who may read what --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestVisibility:
    @pytest.mark.parametrize("url_name", ["stories:detail", "stories:present"])
    def test_a_reader_without_access_gets_404(self, as_user, staff, leaders_only, for_it, url_name):
        for story in (leaders_only, for_it):
            assert as_user(staff).get(reverse(url_name, args=[story.pk, story.slug])).status_code == 404
        assert as_user(staff).get(reverse("stories:detail_short", args=[for_it.pk])).status_code == 404

    def test_nor_may_they_react_or_comment(self, as_user, staff, leaders_only):
        client = as_user(staff)
        assert client.post(reverse("stories:react", args=[leaders_only.pk]), {"kind": "moved"}).status_code == 404
        assert client.post(reverse("stories:comment_add", args=[leaders_only.pk]), {"body": "Hi"}).status_code == 404
        assert leaders_only.reactions.count() == 0 and leaders_only.comments.count() == 0

    def test_leaders_admins_and_the_teams_chosen_read_them(self, as_user, leader, admin_user, outsider, staff, host, leaders_only, for_it):
        readers = {
            leaders_only: {leader, admin_user},
            for_it: {leader, admin_user, outsider},  # outsider is in IT
        }
        for story, allowed in readers.items():
            for user in (leader, admin_user, outsider, staff, host):
                status = as_user(user).get(story.get_absolute_url()).status_code
                assert status == (200 if user in allowed else 404), (story.title, user.name, status)
                in_feed = story in as_user(user).get(reverse("stories:feed")).context["stories"]
                assert in_feed == (user in allowed), (story.title, user.name)

    def test_the_author_reads_their_own_restricted_story(self, as_user, host, quillon):
        story = services.story_create(
            by=host, customer=quillon, title="Field notes", body="What I saw.", visibility=Story.Visibility.LEADERS
        )
        services.story_publish(by=UserFactory(role=User.Role.LEADER), story=story)
        assert as_user(host).get(story.get_absolute_url()).status_code == 200

    def test_the_story_page_badges_say_who_may_read_it(self, as_user, leader, outsider, leaders_only, for_it, it_team):
        assert "Leaders only" in _get(as_user(leader), leaders_only.get_absolute_url())
        assert f"Teams: {it_team.name}" in _get(as_user(outsider), for_it.get_absolute_url())

    def test_the_funnel_and_the_row_rule_agree(self, leader, staff, host, admin_user, outsider, quillon, it_team, finance):
        stories = []
        for visibility, audience in (("everyone", []), ("leaders", []), ("teams", [it_team]), ("teams", [finance])):
            for status in ("draft", "published"):
                story = services.story_create(
                    by=host, customer=quillon, title=f"{visibility} {status}", body="Body.",
                    visibility=visibility, audience=audience,
                )
                if status == "published":
                    services.story_publish(by=leader, story=story)
                stories.append(Story.objects.get(pk=story.pk))
        for user in (leader, staff, host, admin_user, outsider, UserFactory(team=None)):
            readable = set(selectors.readable_by(user).values_list("pk", flat=True))
            for story in stories:
                fresh = Story.objects.get(pk=story.pk)
                assert (story.pk in readable) == fresh.is_visible_to(user), (user.name, story.title)
                if story.is_published:
                    row = selectors.may_read_row(
                        user, status=story.status, visibility=story.visibility, author_id=story.author_id,
                        audience_team_ids=fresh.audience_team_ids,
                    )
                    assert row == (story.pk in readable), (user.name, story.title)

    def test_the_home_panel_picks_only_what_the_reader_may_read(self, staff, leader, leaders_only, for_it):
        assert selectors.story_of_the_day(staff) is None
        assert selectors.story_of_the_day(leader) is None  # their own stories
        assert selectors.story_of_the_day(UserFactory(role=User.Role.LEADER)).pk == for_it.pk

    def test_the_digest_leaves_out_what_the_reader_may_not_read(self, staff, outsider, leaders_only, for_it):
        now = timezone.now() + datetime.timedelta(minutes=1)
        since = now - datetime.timedelta(days=7)
        data = prepare([staff, outsider], {staff.pk: since, outsider.pk: since}, now)
        assert pick_stories(data, staff, since, now) is None
        assert [item["title"] for item in pick_stories(data, outsider, since, now)["items"]] == ["The server room audit"]


# -- naming and consent -------------------------------------------------------------------------------


@pytest.mark.django_db
class TestNaming:
    def test_a_story_about_a_customer_who_asked_not_to_be_named_is_anonymised(self, leader, zephyrine):
        story = services.story_create(by=leader, customer=zephyrine, title="Six o'clock", body="The counter opens early.")
        assert story.naming == Story.Naming.ANONYMISED and story.anonymised_as == DESCRIPTION
        assert story.customer_label == DESCRIPTION

    def test_other_stories_are_named_inside_the_company(self, leader, quillon):
        story = services.story_create(by=leader, customer=quillon, title="Hello", body="Body.")
        assert story.naming == Story.Naming.INTERNAL and story.customer_label == SECRET_NAME

    def test_it_cannot_be_published_named_without_consent(self, leader, zephyrine):
        with pytest.raises(ValidationError) as error:
            services.story_create(
                by=leader, customer=zephyrine, title="Six", body="Body.", naming=Story.Naming.INTERNAL, publish=True
            )
        assert "naming" in error.value.message_dict
        assert not Story.objects.exists()
        draft = services.story_create(by=leader, customer=zephyrine, title="Six", body="Body.", naming=Story.Naming.INTERNAL)
        with pytest.raises(ValidationError):
            services.story_publish(by=leader, story=draft)
        assert Story.objects.get(pk=draft.pk).status == Story.Status.DRAFT

    def test_recording_consent_lets_it_be_published_named(self, leader, zephyrine):
        before = timezone.now()
        story = services.story_create(
            by=leader, customer=zephyrine, title="Six", body="Body.", naming=Story.Naming.CONSENTED,
            consent_method=Story.ConsentMethod.EMAIL, consent_note="Mail from their MD, 3 March", publish=True,
        )
        story.refresh_from_db()
        assert story.is_published and story.customer_label == NAME
        assert story.consent_recorded_by == leader and before <= story.consent_recorded_at <= timezone.now()
        assert story.events.filter(action=StoryEvent.Action.CONSENT, actor=leader).count() == 1

    def test_consent_needs_how_it_was_given(self, leader, quillon):
        with pytest.raises(ValidationError) as error:
            services.story_create(by=leader, customer=quillon, title="Six", body="Body.", naming=Story.Naming.CONSENTED)
        assert "consent_method" in error.value.message_dict

    def test_an_anonymised_story_may_not_name_the_customer_or_their_people(self, leader, zephyrine):
        ContactFactory(customer=zephyrine, name="Rosa Alvarez")
        for field, text in (("body", "We visited zephyrine widgets LTD today."), ("title", "Rosa Alvarez's scanners")):
            fields = {"title": "Six", "body": "Body.", field: text}
            with pytest.raises(ValidationError) as error:
                services.story_create(by=leader, customer=zephyrine, **fields)
            assert field in error.value.message_dict
        assert not Story.objects.exists()

    def test_the_description_is_editable(self, leader, zephyrine):
        story = services.story_create(
            by=leader, customer=zephyrine, title="Six", body="Body.", anonymised_as="a family plumbing wholesaler"
        )
        assert story.customer_label == "a family plumbing wholesaler"

    def test_an_anonymised_story_is_found_by_its_description_not_the_customer(self, staff, anonymised):
        def found(q):
            stories, _cursor = selectors.feed(user=staff, filters=selectors.FeedFilters(q=q))
            return [s.pk for s in stories]

        assert found("plumbing") == [anonymised.pk]
        assert found("Zephyrine") == [] and found('"Widgets Ltd"') == []

    def test_renaming_the_customer_keeps_it_out_of_the_index(self, staff, anonymised, zephyrine):
        zephyrine.name = "Zephyrine Brand New"
        zephyrine.save()
        assert selectors.feed(user=staff, filters=selectors.FeedFilters(q="Brand"))[0] == []
        search.index(Story.objects.all())
        assert selectors.feed(user=staff, filters=selectors.FeedFilters(q="Zephyrine"))[0] == []


@pytest.mark.django_db
class TestTheForm:
    def _post(self, client, url, **data):
        base = {"title": "Six o'clock", "body": "The counter opens early.", "action": "publish"}
        return client.post(url, {**base, **data})

    def test_publishing_named_is_refused_with_a_message_and_nothing_saved(self, as_user, leader, zephyrine):
        response = self._post(as_user(leader), reverse("stories:new"), customer=zephyrine.pk, naming="internal")
        assert response.status_code == 400
        assert "asked not to be named" in response.content.decode()
        assert not Story.objects.exists()
        assert response.context["form"]["title"].value() == "Six o'clock"  # nothing written is lost

    def test_the_default_anonymises_and_publishes(self, as_user, leader, zephyrine):
        response = self._post(as_user(leader), reverse("stories:new"), customer=zephyrine.pk)
        story = Story.objects.get()
        assert response.status_code == 302 and story.is_published and story.anonymised_as == DESCRIPTION

    def test_consent_without_its_method_is_a_form_error(self, as_user, leader, zephyrine):
        response = self._post(as_user(leader), reverse("stories:new"), customer=zephyrine.pk, naming="consented")
        assert response.status_code == 400 and "Say how the customer agreed" in response.content.decode()
        assert not Story.objects.exists()

    def test_teams_visibility_needs_a_team(self, as_user, leader, quillon, it_team):
        client = as_user(leader)
        response = self._post(client, reverse("stories:new"), customer=quillon.pk, visibility="teams")
        assert response.status_code == 400 and not Story.objects.exists()
        response = self._post(client, reverse("stories:new"), customer=quillon.pk, visibility="teams", audience=[it_team.pk])
        story = Story.objects.get()
        assert story.visibility == "teams" and list(story.audience.all()) == [it_team]

    def test_an_edit_refused_at_publish_changes_nothing(self, as_user, leader, zephyrine):
        draft = services.story_create(by=leader, customer=zephyrine, title="Six", body="Body.", naming="internal")
        url = reverse("stories:edit", args=[draft.pk, draft.slug])
        response = self._post(as_user(leader), url, customer=zephyrine.pk, naming="internal", title="Changed")
        assert response.status_code == 400
        draft.refresh_from_db()
        assert (draft.title, draft.status) == ("Six", "draft")

    def test_the_form_shows_the_fields_without_javascript(self, as_user, leader):
        html = _get(as_user(leader), reverse("stories:new"))
        for name in ("visibility", "audience", "naming", "anonymised_as", "consent_method", "consent_note"):
            assert f'name="{name}"' in html


@pytest.mark.django_db
class TestQueryCounts:
    def test_a_restricted_or_anonymised_story_page_costs_what_any_other_does(
        self, as_user, leader, quillon, zephyrine, django_assert_num_queries
    ):
        plain = services.story_create(by=leader, customer=quillon, title="Plain", body="Body.", publish=True)
        leaders = services.story_create(by=leader, customer=quillon, title="Leaders", body="Body.", visibility="leaders", publish=True)
        anonymous = services.story_create(by=leader, customer=zephyrine, title="Anon", body="Body.", publish=True)
        client = as_user(UserFactory(role=User.Role.LEADER))
        for story in (plain, leaders, anonymous):
            client.get(story.get_absolute_url())  # the first visit records the read
            # as tests/stories/test_reads.py: nothing reacted to or commented on, the stories like this;
            # a leader: + the history
            with django_assert_num_queries(5):
                client.get(story.get_absolute_url())

    def test_the_feed_costs_the_same_with_restricted_and_anonymised_stories(self, as_user, staff, world, django_assert_num_queries):
        client = as_user(staff)
        with django_assert_num_queries(6):  # as tests/stories/test_reads.py
            response = client.get(reverse("stories:feed"))
        assert [s.title for s in response.context["stories"]] == ["The morning the fittings ran out"]


@pytest.mark.django_db
class TestTheCustomerSaysDoNotName:
    def test_admins_set_it_on_the_customer_form(self, as_user, admin_user, quillon):
        html = _get(as_user(admin_user), reverse("admin:customers_customer_change", args=[quillon.pk]))
        assert 'name="do_not_name"' in html and 'name="employees"' in html

    def test_the_description_reads_from_the_profile(self, db):
        assert CustomerFactory(industry="Logistics", region="the Gulf", employees=600).anonymous_description() == (
            "a 600-person logistics business in the Gulf"
        )
        assert CustomerFactory(industry="", region="", employees=None).anonymous_description() == "a customer of ours"

    def test_in_another_language_the_industry_is_as_written(self, db):
        from django.utils import translation

        customer = CustomerFactory(industry="Agriculture", region="North America", employees=12)
        with translation.override("ar"):
            described = customer.anonymous_description()
        assert "Agriculture" in described and "agriculture" not in described

    def test_the_review_queue_tells_leaders_the_story_is_anonymised(self, as_user, host, leader, zephyrine):
        story = services.story_create(by=host, customer=zephyrine, title="Six", body="Body.")
        services.story_submit(by=host, story=story)
        html = _get(as_user(leader), reverse("stories:review"))
        assert NAME in html and "Anonymised" in html and "Do not name us" in html
