import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from tests.factories import CustomerFactory, FollowFactory, UserFactory

URL = reverse("customers:directory")


def names(response):
    return [c.name for c in response.context["page"].object_list]


@pytest.mark.django_db
class TestDirectory:
    @pytest.fixture
    def customers(self, host, leader):
        ken = CustomerFactory(name="Ken's Plumbing Supply", industry="Wholesale", region="North America",
                              account_owner=host, what_they_do="Pipe and fittings for contractors")
        bakery = CustomerFactory(name="Harbor Lights Bakery", industry="Food & beverage", region="North America",
                                 account_owner=leader, what_they_do="Bread for hospitals")
        mekong = CustomerFactory(name="Mekong Fresh Foods", industry="Food & beverage", region="Asia Pacific",
                                 account_owner=host, what_they_do="Frozen seafood")
        return ken, bakery, mekong

    def test_it_lists_customers_by_name(self, as_user, staff, customers):
        response = as_user(staff).get(URL)
        assert response.status_code == 200
        assert names(response) == ["Harbor Lights Bakery", "Ken's Plumbing Supply", "Mekong Fresh Foods"]

    def test_it_searches_name_and_what_they_do(self, as_user, staff, customers):
        client = as_user(staff)
        assert names(client.get(URL, {"q": "plumbing"})) == ["Ken's Plumbing Supply"]
        assert names(client.get(URL, {"q": "hospitals"})) == ["Harbor Lights Bakery"]

    def test_it_searches_who_they_are_and_their_challenges(self, as_user, staff, customers):
        ken, bakery, mekong = customers
        Customer.objects.filter(pk=mekong.pk).update(who_they_are="A family firm from Can Tho, now in Dubai too")
        Customer.objects.filter(pk=ken.pk).update(daily_challenges="Copper prices change every week")
        Customer.objects.filter(pk=bakery.pk).update(how_we_help="Ovens **serviced** overnight")
        client = as_user(staff)
        assert names(client.get(URL, {"q": "dubai"})) == ["Mekong Fresh Foods"]
        assert names(client.get(URL, {"q": "overnight"})) == ["Harbor Lights Bakery"]
        assert names(client.get(URL, {"q": "copper"})) == ["Ken's Plumbing Supply"]
        assert "Name or any word in their profile" in client.get(URL).content.decode()  # the box says what it reads

    def test_filters_combine(self, as_user, staff, host, customers):
        response = as_user(staff).get(URL, {"industry": "Food & beverage", "owner": host.pk})
        assert names(response) == ["Mekong Fresh Foods"]
        assert f'<option value="{host.pk}" selected>{host.name}</option>' in response.content.decode()  # kept chosen
        response = as_user(staff).get(URL, {"region": "North America", "industry": "Food & beverage"})
        assert names(response) == ["Harbor Lights Bakery"]

    def test_it_sorts_by_recent_activity(self, as_user, staff, customers):
        ken, bakery, mekong = customers
        now = timezone.now()
        Customer.objects.filter(pk=mekong.pk).update(last_activity_at=now)
        Customer.objects.filter(pk=ken.pk).update(last_activity_at=now - timezone.timedelta(days=1))
        Customer.objects.filter(pk=bakery.pk).update(last_activity_at=now - timezone.timedelta(days=9))
        response = as_user(staff).get(URL, {"sort": "recent"})
        assert names(response) == ["Mekong Fresh Foods", "Ken's Plumbing Supply", "Harbor Lights Bakery"]

    def test_bad_filter_values_are_ignored_with_a_message(self, as_user, staff, customers):
        response = as_user(staff).get(URL, {"industry": "Nope", "owner": "abc", "sort": "evil", "page": "x"})
        assert response.status_code == 200
        assert len(names(response)) == 3
        html = response.content.decode()
        assert "Some filters were not understood and were ignored" in html
        assert "Industry" in html and "Account owner" in html

    def test_an_htmx_search_gets_only_the_results(self, as_user, staff, customers):
        response = as_user(staff).get(URL, {"q": "ken"}, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="customer-results"')
        assert "<header" not in html
        assert "Ken&#x27;s Plumbing Supply" in html
        assert response["Vary"].count("HX-Request") == 1

    def test_it_marks_customers_i_follow(self, as_user, staff, customers):
        FollowFactory(user=staff, customer=customers[0])
        response = as_user(staff).get(URL)
        followed = [c.name for c in response.context["page"].object_list if c.is_followed]
        assert followed == ["Ken's Plumbing Supply"]

    def test_it_paginates(self, as_user, staff):
        CustomerFactory.create_batch(30)
        client = as_user(staff)
        first = client.get(URL)
        assert len(names(first)) == 24
        second = client.get(URL, {"page": 2})
        assert len(names(second)) == 6
        assert not set(names(first)) & set(names(second))
        assert 'rel="next"' in first.content.decode()


@pytest.mark.django_db
class TestDirectoryQueryCount:
    def make_customers(self, n, owners):
        Customer.objects.bulk_create(
            Customer(name=f"Customer {i:05d}", slug=f"customer-{i}", industry=f"Industry {i % 7}",
                     region=f"Region {i % 5}", account_owner=owners[i % len(owners)])
            for i in range(n)
        )

    @pytest.mark.parametrize("n", [20, 2000])
    def test_it_runs_the_same_queries_whatever_the_size(self, as_user, staff, django_assert_num_queries, n):
        owners = UserFactory.create_batch(3)
        self.make_customers(n, owners)
        client = as_user(staff)
        client.get(URL)  # warm the session
        # session, user, industries, regions, count, page of customers
        with django_assert_num_queries(6):
            response = client.get(URL, {"sort": "recent", "industry": "Industry 1"})
        assert response.status_code == 200
        html = response.content.decode()  # owners are found by search, never all listed in the page
        assert not any(f">{owner.name}</option>" in html for owner in owners)
        assert len(names(response)) == min(24, len([i for i in range(n) if i % 7 == 1]))
