import datetime
import re

import pytest
from django.urls import reverse

from customers.models import ContactAudit
from loops import selectors, services
from loops.models import Rhythm, RhythmTargets, Touch
from portal.models import User
from tests.conftest import frozen_at
from tests.factories import ContactFactory, CustomerFactory

from .conftest import NOW

now = pytest.fixture(autouse=True)(frozen_at(NOW))  # Wednesday 18 November 2026, 14:00 in Dubai


def at(day, hour, zone="Asia/Dubai"):
    import zoneinfo

    return datetime.datetime(2026, 11, day, hour, tzinfo=zoneinfo.ZoneInfo(zone))


@pytest.mark.django_db
class TestWeek:
    def test_the_week_starts_on_monday_in_the_persons_zone(self, owner):
        start, end = selectors.week_bounds(owner, NOW)
        assert start == at(16, 0) and end == at(23, 0)

    def test_progress_counts_this_week_only(self, owner, customer, django_assert_num_queries):
        Rhythm.objects.create(user=owner)
        for kind, when in [("email", at(16, 0)), ("email", at(18, 9)), ("card", at(17, 12)), ("call", at(15, 23)),
                           ("call", at(23, 0))]:
            Touch.objects.create(owner=owner, customer=customer, kind=kind, at=when)
        with django_assert_num_queries(1):
            week = selectors.week_progress(owner)
        assert [(i["key"], i["done"], i["target"]) for i in week["items"]] == [("emails", 2, 3), ("cards", 1, 2), ("calls", 0, 1)]

    def test_the_targets_are_company_wide_and_editable(self, owner):
        Rhythm.objects.create(user=owner)
        RhythmTargets(emails=5, cards=1, calls=2).save()
        assert [i["target"] for i in selectors.week_progress(owner)["items"]] == [5, 1, 2]

    def test_a_target_beyond_a_working_week_is_refused_in_the_admin(self, as_user, admin_user):
        response = as_user(admin_user).post(reverse("admin:loops_rhythmtargets_add"),
                                            {"emails": 100000, "cards": 2, "calls": 1})
        assert response.status_code == 200 and "less than or equal to 40" in response.content.decode()
        assert not RhythmTargets.objects.exists()

    def test_off_means_no_panel(self, owner):
        assert selectors.week_progress(owner) is None and selectors.rhythm_panel(owner) is None

    def test_no_panel_for_who_may_not_keep_one(self, seller, staff, django_assert_num_queries):
        """A seller who moved to Finance keeps their rhythm row but may no longer use it: no panel.
        Back-office people, most of the company, cost only the look at their team."""
        Rhythm.objects.create(user=seller)
        assert selectors.rhythm_panel(seller) is not None
        seller.team = staff.team
        seller.save()
        for person in User.objects.filter(pk__in=[seller.pk, staff.pk]):  # as a request loads them
            with django_assert_num_queries(1):  # their team's kind, nothing of the rhythm
                assert selectors.rhythm_panel(person) is None


@pytest.mark.django_db
class TestSuggestions:
    def test_least_recently_touched_first_with_a_ford_opener(self, owner, customer, contact):
        touched = ContactFactory(customer=customer, name="Bea Touched", recreation="", dreams="A second depot.")
        other = CustomerFactory(name="Aroha Foods", account_owner=owner)
        ContactFactory(customer=other, name="Tama Never", family="", occupation="", recreation="", dreams="")
        CustomerFactory(name="No Contacts Co", account_owner=owner)
        CustomerFactory(name="Someone else's")  # not owned
        Touch.objects.create(owner=owner, customer=customer, contact=touched, kind="call", at=NOW - datetime.timedelta(days=1))
        Touch.objects.create(owner=owner, customer=customer, contact=contact, kind="call", at=NOW - datetime.timedelta(days=9))
        found = selectors.suggestions(owner)
        assert [c.name for c in found["contacts"]] == ["Tama Never", "Ken Adams", "Bea Touched"]
        assert found["contacts"][1].opener["text"] == "Sails on Lake Erie every weekend."
        assert found["contacts"][0].opener is None
        assert [c.name for c in found["customers"]] == ["No Contacts Co"]
        assert all(c.opener is None for c in selectors.suggestions(owner, show_ford=False)["contacts"])

    @pytest.mark.parametrize("size", [1, 8])
    def test_the_page_runs_a_fixed_number_of_queries(self, as_user, owner, size, django_assert_num_queries):
        Rhythm.objects.create(user=owner)
        for i in range(size):
            customer = CustomerFactory(account_owner=owner)
            for contact in ContactFactory.create_batch(2, customer=customer):
                Touch.objects.create(owner=owner, customer=customer, contact=contact, kind="email")
        client = as_user(owner)
        client.get(reverse("loops:rhythm"))
        # session, user, week progress, suggestions (contacts, customers with none), the week's touches,
        # the FORD audit
        with django_assert_num_queries(7):
            assert client.get(reverse("loops:rhythm")).status_code == 200

    def test_the_ford_openers_shown_are_audited(self, as_user, owner, customer, contact):
        Rhythm.objects.create(user=owner)
        as_user(owner).get(reverse("loops:rhythm"))
        assert ContactAudit.objects.filter(contact=contact, actor=owner, action="viewed").count() == 1


@pytest.mark.django_db
class TestViews:
    def test_only_customer_facing_people_keep_a_rhythm(self, as_user, staff, owner, seller):
        assert as_user(staff).get(reverse("loops:rhythm")).status_code == 403
        assert as_user(staff).post(reverse("loops:rhythm_set"), {"on": "1"}).status_code == 403
        client = as_user(seller)  # staff in Sales: a customer-facing team
        assert client.post(reverse("loops:rhythm_set"), {"on": "1"}).status_code == 302
        assert Rhythm.objects.filter(user=seller).exists()
        client.post(reverse("loops:rhythm_set"), {"on": "0"})
        assert not Rhythm.objects.filter(user=seller).exists()

    def test_one_click_log_a_touch(self, as_user, owner, customer, contact):
        Rhythm.objects.create(user=owner)
        client = as_user(owner)
        response = client.post(reverse("loops:touch_log", args=[customer.slug]), {"kind": "card", "contact": contact.pk},
                               headers={"HX-Request": "true"})
        body = response.content.decode()
        assert body.lstrip().startswith('<div id="rhythm"') and "1 of 2" in body
        assert "touched just now" in body and "0 minutes" not in body
        touch = Touch.objects.get()
        assert (touch.owner, touch.contact, touch.kind) == (owner, contact, "card")
        # and it shows on the shared timeline, to everyone
        from customers.timeline import timeline

        entries, _ = timeline(customer, owner, source="touches")
        assert [(e.kind, e.title) for e in entries] == [("card", "Ken Adams")]

    def test_touches_only_with_ones_own_customers(self, as_user, seller, customer):
        response = as_user(seller).post(reverse("loops:touch_log", args=[customer.slug]), {"kind": "call"})
        assert response.status_code == 403 and not Touch.objects.exists()

    def test_bad_input_changes_nothing(self, as_user, owner, customer):
        client = as_user(owner)
        client.post(reverse("loops:touch_log", args=[customer.slug]), {"kind": "fax"})
        other = ContactFactory()
        assert client.post(reverse("loops:touch_log", args=[customer.slug]), {"kind": "call", "contact": other.pk}).status_code == 404
        assert client.get(reverse("loops:touch_log", args=[customer.slug])).status_code == 405
        assert not Touch.objects.exists()

    def test_the_home_panel_shows_the_week(self, as_user, owner, customer):
        Rhythm.objects.create(user=owner)
        services.touch_log(by=owner, customer=customer, kind="email")
        body = as_user(owner).get(reverse("home")).content.decode()
        assert "Your contact rhythm this week" in body and "1 of 3" in body


@pytest.mark.django_db
class TestDigest:
    def test_the_digest_shows_the_week_and_the_notes_waiting(self, owner, seller, customer, host, django_assert_num_queries):
        from digests.compose import compose_for
        from loops import digest
        from loops.models import Note

        Rhythm.objects.create(user=owner)
        Touch.objects.create(owner=owner, customer=customer, kind="email", at=at(17, 10))
        Touch.objects.create(owner=owner, customer=customer, kind="email", at=at(14, 10))  # last week
        Note.objects.create(customer=customer, author=host, kind="complaint", text="Late again.", route="team",
                            route_team=seller.team, status="open")
        with django_assert_num_queries(6):  # notes, rhythms, touches, targets, whom to contact (two)
            data = digest.prepare([owner, seller], {}, NOW)
        rhythm = digest.pick_rhythm(data, owner, None, NOW)
        assert "Personal emails: 1 of 3" in rhythm["note"] and digest.pick_rhythm(data, seller, None, NOW) is None
        waiting = digest.pick_routed_notes(data, owner, None, NOW)  # owner is in Sales too
        assert [(i["detail"], i["quote"]) for i in waiting["items"]] == [("", "Late again.")]
        blocks = {b.key for b in compose_for(owner, now=NOW).blocks}
        assert {"rhythm", "routed_notes"} <= blocks

    def test_the_week_is_said_once_and_whom_to_contact_is_named(self, owner, customer, contact, sales):
        """Not the counts twice (a note, then an item "Whom to contact next" with the same counts and no
        one named): the counts once, then the people the rhythm page suggests, as one item."""
        from digests.compose import compose_for
        from digests.models import NotificationPreferences
        from digests.services import digest_email
        from tests.factories import UserFactory

        Rhythm.objects.create(user=owner)
        Touch.objects.create(owner=owner, customer=customer, contact=contact, kind="email", at=at(17, 10))
        ContactFactory(customer=customer, name="Mia Torres")  # never touched: first
        bare = CustomerFactory(name="Blue Harbour", slug="blue", account_owner=owner)  # no contact recorded
        hidden = CustomerFactory(name="Secret Co", slug="secret", account_owner=owner, do_not_name=True,
                                 industry="Logistics", region="", employees=None)
        ContactFactory(customer=hidden, name="Sam Secret")
        someone_else = CustomerFactory(name="Not Layla's", slug="other", account_owner=UserFactory(team=sales))
        ContactFactory(customer=someone_else, name="Nobody Of Hers")
        [block] = [b for b in compose_for(owner, now=NOW).blocks if b.key == "rhythm"]
        assert block.note == "Personal emails: 1 of 3, Handwritten cards: 0 of 2, Calls: 0 of 1. 5 touches to go this week."
        [item] = block.items
        assert item["title"] == "Whom to contact next" and item["url"].endswith(reverse("loops:rhythm"))
        # As the rhythm page orders them: never touched first (by customer, then name), then the rest;
        # a customer with no contact after the contacts; never a name of a customer who asked not to be.
        assert [c.name for c in selectors.suggestions(owner)["contacts"][:2]] == ["Mia Torres", "Sam Secret"]
        assert item["detail"] == "Mia Torres at Ken's Plumbing Supply, a logistics business, Ken Adams at Ken's Plumbing Supply"
        assert "Secret" not in item["detail"] and "Blue Harbour" not in item["detail"]  # three named at most
        prefs, _created = NotificationPreferences.objects.get_or_create(user=owner)
        email = digest_email(compose_for(owner, now=NOW), prefs)
        assert email.body.count("Personal emails: 1 of 3") == 1
        assert email.alternatives[0][0].count("Personal emails: 1 of 3") == 1
        # Counted once in the subject's "things".
        assert compose_for(owner, now=NOW).item_count == 1
        # With only a contactless customer, that customer is named.
        customer.delete()
        hidden.delete()
        [block] = [b for b in compose_for(owner, now=NOW).blocks if b.key == "rhythm"]
        assert block.items[0]["detail"] == "Blue Harbour" and bare.pk

    def test_no_one_to_suggest_or_the_week_done_leaves_the_progress_alone(self, owner, customer, contact):
        from digests.compose import compose_for

        Rhythm.objects.create(user=owner)
        RhythmTargets(emails=1, cards=0, calls=0).save()
        Touch.objects.create(owner=owner, customer=customer, contact=contact, kind="email", at=at(17, 10))
        [block] = [b for b in compose_for(owner, now=NOW).blocks if b.key == "rhythm"]
        assert block.items == [] and block.note.endswith("The week's rhythm is complete. Thank you.")
        RhythmTargets.objects.update(emails=2)
        customer.delete()
        [block] = [b for b in compose_for(owner, now=NOW).blocks if b.key == "rhythm"]
        assert block.items == [] and block.note.endswith("2 touches to go this week.")

    def test_an_arabic_reader_gets_the_arabic_list_separator(self, owner, customer, contact):
        from digests.compose import compose_for

        owner.language = "ar"
        owner.save(update_fields=["language"])
        Rhythm.objects.create(user=owner)
        ContactFactory(customer=customer, name="Mia Torres")
        [block] = [b for b in compose_for(owner, now=NOW).blocks if b.key == "rhythm"]
        assert block.note.count("، ") == 2 and ", " not in block.note
        # Latin names keep their own direction inside the Arabic sentence (isolated), joined the Arabic way.
        assert "\u2068Ken Adams\u2069" in block.items[0]["detail"] and "، " in block.items[0]["detail"]

    def test_whom_to_contact_costs_two_queries_for_any_number_of_owners(self, sales, django_assert_num_queries):
        from loops import digest
        from tests.factories import UserFactory

        owners = [UserFactory(team=sales, role=User.Role.HOST) for _i in range(4)]
        for i, person in enumerate(owners):
            Rhythm.objects.create(user=person)
            for j in range(5):
                shop = CustomerFactory(name=f"Shop {i}-{j}", slug=f"shop-{i}-{j}", account_owner=person)
                ContactFactory(customer=shop, name=f"Person {i}-{j}")
        with django_assert_num_queries(6):
            data = digest.prepare(owners, {}, NOW)
        assert [name for name, *_rest in data["suggested"][owners[2].pk]] == ["Person 2-0", "Person 2-1", "Person 2-2"]

    def test_a_notes_text_keeps_its_own_direction_in_the_digest(self, owner, seller, customer, host):
        from digests.compose import compose_for
        from digests.models import NotificationPreferences
        from digests.services import digest_email
        from loops.models import Note

        owner.language = "ar"
        owner.save(update_fields=["language"])
        Note.objects.create(customer=customer, author=host, kind="complaint", text="Late again (3rd time).",
                            route="team", route_team=seller.team, status="open")
        prefs, _created = NotificationPreferences.objects.get_or_create(user=owner)
        email = digest_email(compose_for(owner, now=NOW), prefs)
        assert "<bdi>Late again (3rd time).</bdi>" in email.alternatives[0][0]
        assert "Late again (3rd time)." in email.body
        # A note of a customer who asked not to be named goes without its text, and without a "·" left hanging.
        customer.do_not_name = True
        customer.save()
        email = digest_email(compose_for(owner, now=NOW), prefs)
        assert "Late again" not in email.body and not re.search(r"· +[(\n]", email.body)

    def test_no_rhythm_in_the_digest_after_leaving_customer_facing_work(self, seller, staff):
        from loops import digest

        Rhythm.objects.create(user=seller)
        data = digest.prepare([seller], {}, NOW)
        assert digest.pick_rhythm(data, seller, None, NOW) is not None
        seller.team = staff.team  # moved to Finance
        assert digest.pick_rhythm(data, seller, None, NOW) is None
