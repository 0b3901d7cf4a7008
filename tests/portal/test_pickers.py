"""Customer and person pickers (portal/lib/pickers.py): a page lists only what is chosen, however many
customers and people there are, and the form still works without JavaScript."""

import re

import pytest
from django.urls import reverse

from stories.models import Story
from tests.factories import CustomerFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def options(html, select_name):
    select = re.search(rf'<select name="{select_name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select)


@pytest.fixture
def many_customers(leader):
    customers = CustomerFactory.create_batch(30)
    for customer in customers:
        StoryFactory(customer=customer, author=leader)
    return customers


class TestFeedFilters:
    def test_the_page_lists_only_the_chosen_customer_and_author(self, as_user, staff, leader, many_customers):
        client = as_user(staff)
        html = client.get(reverse("stories:feed")).content.decode()
        assert [value for value, _attrs, _label in options(html, "customer")] == [""]
        assert [value for value, _attrs, _label in options(html, "author")] == [""]
        chosen = many_customers[7]
        html = client.get(reverse("stories:feed"), {"customer": chosen.slug, "author": leader.pk}).content.decode()
        assert options(html, "customer") == [("", "", "All customers"), (chosen.slug, " selected", chosen.name)]
        assert options(html, "author") == [("", "", "Anyone"), (str(leader.pk), " selected", leader.name)]
        assert many_customers[8].name not in html.split('id="story-results"')[0]  # not in the filter form

    def test_without_javascript_a_search_with_one_match_picks_it(self, as_user, staff, leader, many_customers):
        ken = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")
        StoryFactory(customer=ken, author=leader, title="About Ken's crews")
        response = as_user(staff).get(reverse("stories:feed"), {"customer_search": "plumbing"})
        assert [story.customer_id for story in response.context["stories"]] == [ken.pk]
        assert ("kens-plumbing-supply", " selected", "Ken&#x27;s Plumbing Supply") in options(
            response.content.decode(), "customer"
        )

    def test_without_javascript_a_search_with_several_matches_offers_them(self, as_user, staff, leader):
        first = CustomerFactory(name="Harbour Freight North")
        second = CustomerFactory(name="Harbour Freight South")
        other = CustomerFactory(name="Inland Mills")
        response = as_user(staff).get(reverse("stories:feed"), {"customer_search": "harbour"})
        offered = [value for value, _attrs, _label in options(response.content.decode(), "customer")]
        assert offered == ["", first.slug, second.slug] and other.slug not in offered
        assert response.context["filters"].customer is None  # nothing chosen yet: every story

    def test_a_search_that_matches_nothing_says_so(self, as_user, staff):
        html = as_user(staff).get(reverse("stories:feed"), {"customer_search": "zzz<b>"}).content.decode()
        assert "Nothing matches “<bdi>zzz&lt;b&gt;</bdi>”." in html

    def test_a_bad_value_is_ignored_with_a_message(self, as_user, staff, many_customers):
        for params in ({"customer": "no-such-customer"}, {"author": "x'; drop"}, {"author": "99999999999999999999"}):
            response = as_user(staff).get(reverse("stories:feed"), params)
            assert response.status_code == 200
            assert "were not understood" in response.content.decode()
            assert len(response.context["stories"]) == 20

    def test_the_search_box_asks_for_slugs(self, as_user, staff):
        html = as_user(staff).get(reverse("stories:feed")).content.decode()
        assert "/customers/autocomplete/?field=id_customer&amp;key=slug" in html
        assert "/people/autocomplete/?field=id_author&amp;key=pk" in html


class TestStoryForm:
    def test_without_javascript_the_customer_is_found_by_name(self, as_user, leader):
        ken = CustomerFactory(name="Ken's Plumbing Supply")
        CustomerFactory.create_batch(3)
        response = as_user(leader).post(reverse("stories:new"), {
            "customer_search": "ken's", "title": "Ken's night crew", "body": "They **count** on us.", "action": "draft",
        })
        assert response.status_code == 302
        assert Story.objects.get(title="Ken's night crew").customer == ken

    def test_the_new_story_page_lists_no_customers_until_one_is_chosen(self, as_user, leader, many_customers):
        html = as_user(leader).get(reverse("stories:new")).content.decode()
        assert [value for value, _attrs, _label in options(html, "customer")] == [""]
        assert not any(customer.name in html for customer in many_customers)


class TestAutocomplete:
    def test_people_by_name_or_email_start_active_only(self, as_user, staff, finance):
        ana = UserFactory(name="Ana <b>Ruiz</b>", email="ana.ruiz@example.com", team=finance)
        UserFactory(name="Anatole Former", is_active=False)
        UserFactory(name="Bob", email="bob@example.com")
        client = as_user(staff)
        html = client.get(reverse("people_autocomplete"), {"q": "ana", "field": "id_owner"}).content.decode()
        assert f'data-pick-value="{ana.pk}"' in html and 'data-pick-field="id_owner"' in html
        assert "Ana &lt;b&gt;Ruiz&lt;/b&gt;" in html and "<b>" not in html
        assert "Anatole" not in html and "Bob" not in html
        html = client.get(reverse("people_autocomplete"), {"owner_search": "bob@"}).content.decode()
        assert "Bob" in html
        assert "Nobody by that name." in client.get(reverse("people_autocomplete"), {"q": "zzz"}).content.decode()

    def test_people_autocomplete_needs_sign_in(self, client):
        response = client.get(reverse("people_autocomplete"), {"q": "a"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_customers_answer_with_slugs_when_asked(self, as_user, staff):
        ken = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")
        client = as_user(staff)
        html = client.get(reverse("customers:autocomplete"), {"q": "ken", "key": "slug"}).content.decode()
        assert 'data-pick-value="kens-plumbing-supply"' in html
        html = client.get(reverse("customers:autocomplete"), {"q": "ken", "key": "anything"}).content.decode()
        assert f'data-pick-value="{ken.pk}"' in html


class TestSearchOnAFormThatSaves:
    def test_several_matches_and_nothing_chosen_is_an_error_that_keeps_the_search_and_the_text(self, as_user, leader):
        first, second = CustomerFactory(name="Harbour Freight North"), CustomerFactory(name="Harbour Freight South")
        response = as_user(leader).post(reverse("stories:new"), {
            "customer_search": "harbour", "title": "Night crews", "body": "They **count** on us.", "action": "draft",
        })
        assert response.status_code == 400 and not Story.objects.exists()
        html = response.content.decode()
        assert "Choose one of the matches for “harbour” below, or search again." in html
        assert [v for v, _a, _l in options(html, "customer")] == ["", str(first.pk), str(second.pk)]
        assert 'value="harbour"' in html and "Night crews" in html and "They **count** on us." in html

    def test_a_search_that_matches_nothing_is_an_error_too(self, as_user, leader):
        response = as_user(leader).post(reverse("stories:new"), {
            "customer_search": "no such name", "title": "T", "body": "B", "action": "draft",
        })
        assert response.status_code == 400 and not Story.objects.exists()
        assert "Choose one of the matches for “no such name” below" in response.content.decode()


def opening_tag(html, id_):
    return re.search(rf'<(?:input|select)[^>]* id="{id_}"[^>]*>', html).group(0)


class TestLabelsRequiredAndErrorsReachTheSearchBox:
    """The <select> is hidden while it lists nothing: what the form says about the field (its label,
    that it is required, its help and its error) goes to the search box people see and type in."""

    def test_a_refused_story_marks_the_customer_search(self, as_user, leader):
        html = as_user(leader).post(reverse("stories:new"), {"action": "publish"}).content.decode()
        assert '<label for="id_customer_search">Customer <span aria-hidden="true">*</span></label>' in html
        search = opening_tag(html, "id_customer_search")
        assert 'aria-invalid="true"' in search and 'aria-required="true"' in search
        assert 'aria-describedby="id_customer_helptext id_customer_error"' in search
        assert 'id="id_customer_error"><li>Choose the customer this story is about.</li>' in html
        select = opening_tag(html, "id_customer")
        assert 'name="customer"' in select and 'aria-label="Customer"' in select  # named when it shows the choice

    def test_a_search_box_unmarked_while_the_field_is_fine(self, as_user, leader):
        search = opening_tag(as_user(leader).get(reverse("stories:new")).content.decode(), "id_customer_search")
        assert 'aria-required="true"' in search
        assert "aria-invalid" not in search and "id_customer_error" not in search

    def test_the_decision_owner(self, as_user, leader):
        html = as_user(leader).post(reverse("decisions:new"), {"owner": "", "title": ""}).content.decode()
        owner = opening_tag(html, "id_owner_search")
        assert 'aria-invalid="true"' in owner and 'aria-required="true"' in owner and "id_owner_error" in owner
        assert '<label for="id_owner_search">' in html

    @pytest.mark.parametrize("url, field", [
        ("meetings:list", "customer"), ("decisions:log", "customer"), ("customers:directory", "owner"),
    ])
    def test_a_filter_labels_its_search_box_and_does_not_require_it(self, as_user, staff, url, field):
        html = as_user(staff).get(reverse(url)).content.decode()
        assert f'<label for="id_{field}_search">' in html
        assert "aria-required" not in opening_tag(html, f"id_{field}_search")
