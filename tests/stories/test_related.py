"""Stories like this (stories.related): on the story page and the customer page, up to five published
stories the reader may read, ranked by the customer they share (when both name it), their themes,
industry and titles (in every language, accents and vowel marks aside); one query each."""

import io
import os

import pytest

from stories import related, selectors, services
from stories.models import Story
from tests.factories import CustomerFactory, ThemeFactory

postgresql_only = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="trigram similarity (SQLite ranks by FTS5 text neighbours)",
)


@pytest.fixture
def harbour(db):
    return CustomerFactory(name="Harbour Freight Co", slug="harbour-freight-co", industry="Logistics")


@pytest.fixture
def bakery(db):
    return CustomerFactory(name="Rosa's Bakery", slug="rosas-bakery", industry="Food")


@pytest.fixture
def clinic(db):
    return CustomerFactory(name="Northside Clinic", slug="northside-clinic", industry="Health")


@pytest.fixture
def secret(db):
    """A customer who asked not to be named: its stories are anonymised."""
    return CustomerFactory(
        name="Zephyrine Widgets Ltd", slug="zephyrine-widgets-ltd", industry="Logistics", region="the Midwest",
        employees=40, do_not_name=True,
    )


@pytest.fixture
def reliability(db):
    return ThemeFactory(name="Reliability", slug="reliability")


@pytest.fixture
def night(db):
    return ThemeFactory(name="Night shift", slug="night-shift")


@pytest.fixture
def growth(db):
    return ThemeFactory(name="Growth", slug="growth")


def publish(by, customer, title, *, themes=(), **kwargs):
    kwargs.setdefault("body", "What happened, in their words.")
    return services.story_create(by=by, customer=customer, title=title, themes=themes, publish=True, **kwargs)


def page_story(story):
    """The story as the story page loads it (selectors.story_page_for_reader, in one written-out query)."""
    return selectors.story_page_for_reader(story.pk, reader=story.author)


def titles(stories):
    return [story.title for story in stories]


@pytest.mark.django_db
class TestRanking:
    def test_the_same_customer_first_then_shared_themes_then_industry(
        self, leader, harbour, bakery, clinic, reliability, night, growth
    ):
        source = publish(leader, harbour, "Pallets found at dawn", themes=[reliability, night])
        publish(leader, clinic, "Unrelated clinic notes")
        publish(leader, bakery, "One theme in common", themes=[growth, night])
        publish(leader, bakery, "Two themes in common", themes=[reliability, night])
        other_logistics = CustomerFactory(industry="Logistics")
        publish(leader, other_logistics, "Same industry only")
        publish(leader, harbour, "Another visit to the docks")  # same customer, nothing else shared
        result = titles(selectors.related_stories(story=page_story(source), user=leader))
        assert result[:4] == ["Another visit to the docks", "Two themes in common", "One theme in common", "Same industry only"]
        assert "Pallets found at dawn" not in result

    def test_never_the_story_itself_never_drafts_and_at_most_five(self, leader, host, harbour, bakery, reliability):
        source = publish(leader, harbour, "The source", themes=[reliability])
        for i in range(7):
            publish(leader, bakery, f"Sharing a theme {i}", themes=[reliability])
        services.story_create(by=leader, customer=harbour, title="A draft of the same customer", body="x", themes=[reliability])
        services.story_create(by=host, customer=harbour, title="A host's draft", body="x", themes=[reliability])
        result = selectors.related_stories(story=page_story(source), user=leader)
        assert len(result) == 5
        assert all(story.status == Story.Status.PUBLISHED for story in result)
        assert source.pk not in [story.pk for story in result]
        assert not {"A draft of the same customer", "A host's draft"} & set(titles(result))

    def test_ties_go_to_the_newest(self, leader, harbour, bakery, reliability):
        source = publish(leader, harbour, "Zzz", themes=[reliability])
        older = publish(leader, bakery, "Qqq one", themes=[reliability])
        newer = publish(leader, bakery, "Qqq two", themes=[reliability])
        Story.objects.filter(pk=older.pk).update(published_at=newer.published_at.replace(year=2025))
        assert titles(selectors.related_stories(story=page_story(source), user=leader)) == ["Qqq two", "Qqq one"]

    def test_a_story_with_nothing_in_common_shows_none(self, leader, harbour, bakery):
        source = publish(leader, harbour, "Alpha")
        publish(leader, bakery, "Omega")
        assert selectors.related_stories(story=page_story(source), user=leader) == []


@pytest.mark.django_db
@postgresql_only
class TestTextSimilarity:
    """Titles alike in any of the five languages, whatever accents or vowel marks they are written with;
    and either story finds the other, whichever was written first."""

    @pytest.mark.parametrize(
        "language, written, plain, different",
        [
            ("vi", "Tiệm bánh ở Đà Nẵng giao hàng lúc bình minh", "Tiem banh o Da Nang giao hang luc binh minh",
             "Phòng khám mở cửa vào chủ nhật"),
            ("ar", "مَخْبَزٌ فِي عَمَّانَ يُسَلِّمُ الطَّلَبَاتِ فَجْرًا", "مخبز في عمان يسلم الطلبات فجرا",
             "عيادة تفتح أبوابها يوم الأحد"),
            ("he", "הַמַּאֲפִיָּה בְּחֵיפָה פּוֹתַחַת בַּשַּׁחַר", "המאפיה בחיפה פותחת בשחר", "מרפאה שפתוחה בשבת"),
            ("fa", "نانوایی تهران سحرگاه باز می‌شود", "نانوایی تهران سحرگاه باز میشود", "درمانگاه روز جمعه باز است"),
            ("en", "The café in São Paulo opens before dawn", "The cafe in Sao Paulo opens before dawn",
             "Invoices closed in three days"),
        ],
    )
    def test_titles_alike_come_first_in_every_language(self, leader, harbour, bakery, clinic, language, written, plain, different):
        unlike = publish(leader, clinic, different, language=language)
        alike = publish(leader, bakery, plain, language=language)
        source = publish(leader, harbour, written, language=language)
        result = titles(selectors.related_stories(story=page_story(source), user=leader))
        assert result[0] == plain
        assert result.index(plain) < (result.index(different) if different in result else len(result))
        # and the earlier stories find the later one: through its list of neighbours
        assert titles(selectors.related_stories(story=page_story(alike), user=leader))[0] == written
        assert unlike.pk in Story.objects.get(pk=source.pk).text_neighbour_ids

    def test_the_neighbours_follow_a_new_title(self, leader, harbour, bakery):
        first = publish(leader, bakery, "Cold chain rescued in the storm")
        source = publish(leader, harbour, "Payroll closed early")
        story = Story.objects.get(pk=source.pk)
        services.story_update(by=leader, story=story, customer=harbour, title="Cold chain saved in a storm", body="x")
        assert Story.objects.get(pk=source.pk).text_neighbour_ids[0] == first.pk
        assert titles(selectors.related_stories(story=page_story(source), user=leader))[0] == first.title

    def test_the_similarity_is_a_ranking_signal_below_themes(self, leader, harbour, bakery, clinic, reliability):
        source = publish(leader, harbour, "Forklifts repaired overnight", themes=[reliability])
        publish(leader, clinic, "Forklifts repaired overnight again")
        publish(leader, bakery, "Different words entirely", themes=[reliability])
        assert titles(selectors.related_stories(story=page_story(source), user=leader)) == [
            "Different words entirely", "Forklifts repaired overnight again",
        ]


@pytest.mark.django_db
class TestAccess:
    def test_only_what_the_reader_may_read(self, leader, staff, outsider, it_team, harbour, bakery, reliability):
        source = publish(leader, harbour, "Source", themes=[reliability])
        publish(leader, bakery, "For everyone", themes=[reliability])
        publish(leader, bakery, "Leaders only", themes=[reliability], visibility=Story.Visibility.LEADERS)
        publish(leader, bakery, "For IT", themes=[reliability], visibility=Story.Visibility.TEAMS, audience=[it_team])
        story = page_story(source)
        assert set(titles(selectors.related_stories(story=story, user=staff))) == {"For everyone"}
        assert set(titles(selectors.related_stories(story=story, user=outsider))) == {"For everyone", "For IT"}
        assert set(titles(selectors.related_stories(story=story, user=leader))) == {"For everyone", "Leaders only", "For IT"}

    def test_the_restricted_stories_never_reach_the_page(self, as_user, leader, staff, harbour, bakery, reliability):
        source = publish(leader, harbour, "Source", themes=[reliability])
        publish(leader, bakery, "Margins we cannot talk about", themes=[reliability], visibility=Story.Visibility.LEADERS)
        html = as_user(staff).get(source.get_absolute_url()).content.decode()
        assert "Margins we cannot talk about" not in html
        assert "Margins we cannot talk about" in as_user(leader).get(source.get_absolute_url()).content.decode()


@pytest.mark.django_db
class TestAnonymised:
    """An anonymised story is shown under its description and is never put beside a story of its customer:
    the pair would name the customer."""

    def test_it_is_not_beside_the_named_stories_of_its_customer(self, leader, secret, reliability):
        named = publish(leader, secret, "Named with consent", themes=[reliability], naming=Story.Naming.CONSENTED,
                        consent_method=Story.ConsentMethod.EMAIL)
        anonymous = publish(leader, secret, "Named with consent, anonymised", themes=[reliability])
        assert anonymous.is_anonymised and not named.is_anonymised
        assert selectors.related_stories(story=page_story(named), user=leader) == []
        assert selectors.related_stories(story=page_story(anonymous), user=leader) == []

    def test_elsewhere_it_shows_its_description_never_the_customer(self, as_user, leader, staff, secret, bakery, reliability):
        anonymous = publish(leader, secret, "The morning the fittings ran out", themes=[reliability])
        source = publish(leader, bakery, "Flour ran out", themes=[reliability])
        result = selectors.related_stories(story=page_story(source), user=staff)
        assert titles(result) == ["The morning the fittings ran out"]
        html = as_user(staff).get(source.get_absolute_url()).content.decode()
        section = html[html.index('id="related-heading"'):]
        section = section[: section.index("</section>")]
        assert anonymous.anonymised_as in section and "Anonymised" in section
        assert "Zephyrine" not in section and secret.get_absolute_url() not in section

    def test_its_customer_and_industry_rank_nothing(self, leader, secret, bakery):
        """An anonymised story's customer and industry (which its description may not say) pick no stories."""
        anonymous = publish(leader, secret, "Aaa")
        logistics = CustomerFactory(industry="Logistics")
        publish(leader, logistics, "Bbb")
        assert selectors.related_stories(story=page_story(anonymous), user=leader) == []

    def test_the_customer_page_never_lists_its_anonymised_stories(self, as_user, leader, staff, secret, harbour, reliability):
        publish(leader, harbour, "Harbour at night", themes=[reliability])
        publish(leader, secret, "Secret at night", themes=[reliability])  # anonymised, same industry and theme
        for customer in (secret, harbour):
            html = as_user(staff).get(customer.get_absolute_url()).content.decode()
            assert ("Secret at night" in html) is (customer == harbour), customer
        # on the secret customer's own page: not in its stories, not among the stories like theirs
        sections = dict(
            (section.key, ctx) for section, ctx in as_user(staff).get(secret.get_absolute_url()).context["sections"]
        )
        assert "Secret at night" not in titles(sections["related_stories"]["stories"])

    def test_the_customer_page_themes_come_from_named_stories_shown_to_everyone(self, leader, staff, harbour, bakery, reliability, night):
        publish(leader, harbour, "Told to leaders", themes=[night], visibility=Story.Visibility.LEADERS)
        anonymised_about_harbour = services.story_create(
            by=leader, customer=harbour, title="Told anonymously", body="x", themes=[night], publish=True,
            naming=Story.Naming.ANONYMISED,
        )
        assert anonymised_about_harbour.is_anonymised
        publish(leader, bakery, "Night bakers", themes=[night])
        harbour.industry = ""
        assert selectors.stories_like_customers(customer=harbour, user=staff) == []


@pytest.mark.django_db
class TestCustomerPage:
    def test_stories_about_other_customers_like_theirs(self, as_user, leader, staff, harbour, bakery, clinic, reliability, growth):
        publish(leader, harbour, "Harbour one", themes=[reliability])
        publish(leader, harbour, "Harbour two", themes=[reliability, growth])
        publish(leader, bakery, "Bakery reliability", themes=[reliability])
        other_logistics = CustomerFactory(industry="Logistics")
        publish(leader, other_logistics, "Logistics too")
        publish(leader, clinic, "Nothing in common")
        result = titles(selectors.stories_like_customers(customer=harbour, user=staff))
        assert result == ["Bakery reliability", "Logistics too"]
        response = as_user(staff).get(harbour.get_absolute_url())
        html = response.content.decode()
        assert "Stories like theirs" in html and "Bakery reliability" in html

    def test_an_empty_section_says_so(self, as_user, staff, harbour):
        html = as_user(staff).get(harbour.get_absolute_url()).content.decode()
        assert "No stories like those about" in html


@pytest.mark.django_db
class TestQueries:
    @pytest.mark.parametrize("size", [10, 30])
    def test_one_query_each_whatever_the_number_of_stories(self, leader, staff, harbour, bakery, reliability, night, size, django_assert_num_queries):
        source = publish(leader, harbour, "Source story", themes=[reliability, night])
        for i in range(size):
            customer = bakery if i % 2 else harbour
            publish(leader, customer, f"Source story {i}", themes=[reliability] if i % 3 else [night])
        story = page_story(source)
        with django_assert_num_queries(1):
            result = selectors.related_stories(story=story, user=staff)
        assert len(result) == 5
        with django_assert_num_queries(1):
            assert len(selectors.stories_like_customers(customer=bakery, user=staff)) == 5

    @pytest.mark.parametrize("size", [10, 30])
    def test_the_story_page_costs_the_same_whatever_the_number(self, as_user, leader, staff, harbour, bakery, reliability, size, django_assert_num_queries):
        source = publish(leader, harbour, "Source story", themes=[reliability])
        for i in range(size):
            publish(leader, bakery, f"Like it {i}", themes=[reliability])
        client = as_user(staff)
        client.get(source.get_absolute_url())  # the first visit records the read
        # session, user, the story with all the page shows of it and the reader's own marks, and the
        # stories like this (nothing reacted to or commented on: tests/stories/test_reads.py)
        with django_assert_num_queries(4):
            response = client.get(source.get_absolute_url())
        assert len(response.context["related"]) == 5


@pytest.mark.django_db
class TestNeighbours:
    def test_saving_stores_the_nearest_titles(self, leader, harbour, bakery):
        first = publish(leader, bakery, "Scanners at the night shift")
        second = publish(leader, harbour, "Scanners at the night shift, part two")
        assert Story.objects.get(pk=second.pk).text_neighbour_ids[0] == first.pk
        assert len(Story.objects.get(pk=second.pk).text_neighbour_ids) <= related.NEIGHBOURS

    def test_a_story_with_none_stored_yet_still_gets_its_list(self, leader, harbour, bakery, reliability):
        """Stories written before (or in SQL, as bench/generate.py does) have none stored."""
        source = publish(leader, harbour, "Source", themes=[reliability])
        publish(leader, bakery, "Theme mate", themes=[reliability])
        Story.objects.update(text_neighbour_ids=None)
        assert titles(selectors.related_stories(story=page_story(source), user=leader)) == ["Theme mate"]



@pytest.mark.django_db
class TestRefreshCommand:
    def test_it_fills_the_stories_with_none_and_running_it_twice_changes_nothing(self, leader, harbour, bakery):
        from django.core.management import call_command

        first = publish(leader, bakery, "Scanners at the night shift")
        second = publish(leader, harbour, "Scanners at the night shift, part two")
        Story.objects.update(text_neighbour_ids=None)
        call_command("refresh_related", stdout=io.StringIO())
        stored = dict(Story.objects.values_list("pk", "text_neighbour_ids"))
        assert stored[second.pk][0] == first.pk and stored[first.pk][0] == second.pk
        call_command("refresh_related", stdout=io.StringIO())
        assert dict(Story.objects.values_list("pk", "text_neighbour_ids")) == stored


@pytest.mark.django_db
class TestTitlesAlone:
    def test_titles_sharing_words_are_shown_with_nothing_else_in_common(self, leader, harbour, bakery, clinic):
        """On both databases: trigram similarity (PostgreSQL) or FTS5's text neighbours (SQLite)."""
        publish(leader, clinic, "Invoices closed in three days")
        first = publish(leader, bakery, "Scanners at the night shift")
        source = publish(leader, harbour, "Scanners at the night shift, part two")
        assert titles(selectors.related_stories(story=page_story(source), user=leader)) == [first.title]
        assert titles(selectors.related_stories(story=page_story(first), user=leader)) == [source.title]
