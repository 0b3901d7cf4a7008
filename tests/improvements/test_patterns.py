"""The patterns page: counts by month, the rising rule, the customers most affected and example texts,
and who sees a customer's name."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from improvements import selectors
from improvements.selectors import is_rising
from tests.factories import CustomerFactory, UserFactory

from .conftest import THIS_MONTH, add


class TestRisingRule:
    @pytest.mark.parametrize("count, trailing, expected", [
        (12, [4] * 6, True),  # 3x the average and 8 above it
        (6, [4] * 6, False),  # 1.5x but only 2 above
        (9, [4] * 6, True),  # 9 >= 6 and 5 above: both conditions, exactly
        (8, [4] * 6, False),  # 4 above: not enough
        (5, [0] * 6, True),  # from nothing to five
        (4, [0] * 6, False),
        (30, [20] * 6, True),  # exactly 1.5x, and 10 above
        (29, [20] * 6, False),  # under 1.5x though 9 above
    ])
    def test_the_stated_rule(self, count, trailing, expected):
        assert is_rising(count, trailing) is expected

    def test_months_without_records_count_as_zero(self):
        assert is_rising(6, [6, 0, 0, 0, 0, 0]) is True  # average 1


@pytest.mark.django_db
class TestPatterns:
    def test_rising_first_with_counts_customers_and_examples(self, rising, host):
        shown, most_affected = selectors.patterns(user=host, month=THIS_MONTH)
        late, damaged = shown
        assert (late.category, late.rising, late.count, late.average) == ("Late delivery", True, 12, Decimal(2))
        assert [n for _m, n in late.counts] == [2, 2, 2, 2, 2, 2, 12]
        assert late.counts[0][0] == datetime.date(2026, 6, 1)
        assert (damaged.rising, damaged.count) == (False, 4)
        assert [(who.label, n) for who, n in late.customers] == [("Ken's Plumbing Supply", 7), ("Riverbend Farms", 5)]
        assert len(late.examples) == 2
        assert most_affected[0][0].label == "Ken's Plumbing Supply" and most_affected[0][1:] == (11, 2)

    def test_readers_without_access_never_see_an_anonymised_name(self, rising, staff, riverbend):
        shown, most_affected = selectors.patterns(user=staff, month=THIS_MONTH)
        late = shown[0]
        labels = [who.label for who, _n in late.customers]
        assert "Riverbend Farms" not in labels and riverbend.anonymous_description() in labels
        assert all("Riverbend" not in text for _d, text, _who in late.examples)
        assert all(who.url == "" for who, *_ in most_affected if not who.named)

    def test_the_account_owner_sees_their_customer(self, rising, riverbend, staff):
        riverbend.account_owner = staff
        riverbend.save()
        shown, _ = selectors.patterns(user=staff, month=THIS_MONTH)
        assert "Riverbend Farms" in [who.label for who, _n in shown[0].customers]

    @pytest.mark.parametrize("persona, named", [("staff", False), ("leader", False), ("outsider", False),
                                                ("host", True), ("admin_user", True)])
    def test_the_page_names_the_customer_only_for_those_allowed(self, rising, persona, named, request, as_user):
        page = as_user(request.getfixturevalue(persona)).get(reverse("improvements:patterns")).content.decode()
        assert ("Riverbend Farms" in page) is named
        assert ("Truck came after closing" in page) is named
        assert "Late delivery" in page and "Rising" in page and "Ken&#x27;s Plumbing Supply" in page

    def test_a_chosen_month(self, rising, staff, as_user):
        page = as_user(staff).get(reverse("improvements:patterns") + "?month=2026-09").content.decode()
        assert "September 2026" in page and 'badge--warn">Rising' not in page

    def test_a_bad_month_is_this_month(self, rising, staff, as_user):
        for value in ("1066-01", "2026-13", "abc", "2026-12\x00"):
            assert as_user(staff).get(reverse("improvements:patterns"), {"month": value}).status_code == 200

    def test_the_charts_mirror_in_arabic(self, rising, staff, as_user):
        staff.language = "ar"
        staff.save()
        client = as_user(staff)
        english = client.get(reverse("improvements:patterns"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        client.cookies["django_language"] = "ar"
        from django.utils import translation

        with translation.override("ar"):
            arabic = client.get(reverse("improvements:patterns"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
        assert 'dir="rtl"' in arabic and 'role="img"' in arabic and "<svg" in english

    def test_anonymous_is_sent_to_sign_in(self, client):
        assert client.get(reverse("improvements:patterns")).status_code == 302


@pytest.mark.django_db
class TestQueryCounts:
    def _more(self, n):
        for i in range(n):
            customer = CustomerFactory(do_not_name=i % 2 == 0)
            for category in ("Late delivery", "Billing", "Returns", f"Other {i}"):
                add(customer, category, datetime.date(2026, 12, 1 + i % 10), 1 + i % 3)
                add(customer, category, datetime.date(2026, 7, 1 + i % 10), 1)

    def test_the_patterns_page(self, rising, staff, as_user, django_assert_num_queries):
        client = as_user(staff)
        client.get(reverse("improvements:patterns"))
        # session + user, then: months, top customers (raw), their rows, examples, most affected
        with django_assert_num_queries(7):
            client.get(reverse("improvements:patterns"))
        self._more(15)
        with django_assert_num_queries(7):
            assert client.get(reverse("improvements:patterns")).status_code == 200

    def test_the_ideas_list(self, idea, staff, leader, as_user, django_assert_num_queries):
        from improvements import services

        client = as_user(staff)
        with django_assert_num_queries(4):  # session, user, count, page
            client.get(reverse("improvements:ideas"))
        for i in range(12):
            more = services.idea_open(by=leader, title=f"Idea {i}", problem="p", proposal="q")
            services.idea_join(by=staff, idea=more)
            if i % 2:
                services.pilot_start(by=leader, idea=more, owner=staff, starts_on=datetime.date(2026, 12, 1),
                                     ends_on=datetime.date(2027, 1, 31), measure="m")
        with django_assert_num_queries(4):
            page = client.get(reverse("improvements:ideas")).content.decode()
        assert "Idea 11" in page and "pilot by" in page

    def test_the_idea_page(self, idea, staff, leader, finance, as_user, django_assert_num_queries):
        from improvements import services

        client = as_user(staff)
        with django_assert_num_queries(6):  # session, user, idea + pilot, customers, members, events
            client.get(idea.get_absolute_url())
        for i in range(8):
            services.idea_join(by=UserFactory(), idea=idea)
        services.idea_team_join(by=leader, idea=idea, team=finance)
        idea.customers.add(*[CustomerFactory(do_not_name=True) for _ in range(5)])
        with django_assert_num_queries(6):
            client.get(idea.get_absolute_url())

    def test_the_quarter_page(self, idea, staff, leader, as_user, django_assert_num_queries):
        from improvements import services

        client = as_user(staff)
        url = reverse("improvements:quarter", kwargs={"year": 2026, "number": 4})
        with django_assert_num_queries(4):  # session, user, ideas + pilots, their customers
            client.get(url)
        for i in range(6):
            more = services.idea_open(by=leader, title=f"Idea {i}", problem="p", proposal="q", customers=[CustomerFactory()])
            services.pilot_start(by=leader, idea=more, owner=staff, starts_on=datetime.date(2026, 10, 1),
                                 ends_on=datetime.date(2026, 11, 30), measure="m")
        with django_assert_num_queries(4):
            client.get(url)


@pytest.mark.django_db
class TestCustomerPage:
    def test_the_customer_page_lists_their_latest_complaints(self, rising, ken, staff, as_user, django_assert_num_queries):
        from customers.sections import _SECTIONS

        page = as_user(staff).get(ken.get_absolute_url()).content.decode()
        assert "Complaints from the support desk" in page and "Crew idle" in page
        section = _SECTIONS["complaints"]
        with django_assert_num_queries(1):
            context = section.context(ken, staff)
        assert len(context["complaints"]) == 5 and context["more"]
