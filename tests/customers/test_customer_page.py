import copy

import pytest
from django.urls import reverse

from customers.sections import _SECTIONS, register_section
from tests.factories import ContactFactory, CustomerFactory


@pytest.mark.django_db
class TestCustomerPage:
    def test_it_shows_who_they_are_and_their_people(self, as_user, staff, host):
        customer = CustomerFactory(
            name="Ken's Plumbing Supply", account_owner=host, who_they_are="A family wholesaler in Dayton.",
            daily_challenges="Crews stand idle when parts are late.", how_we_help="Next-morning **delivery**.",
        )
        ContactFactory(customer=customer, name="Ken Alvarez", family="Married to Luz.", dreams="Hand it to Rosa.")
        html = as_user(staff).get(customer.get_absolute_url()).content.decode()
        assert "A family wholesaler in Dayton." in html
        assert "Crews stand idle when parts are late." in html
        assert "Next-morning <strong>delivery</strong>." in html
        assert "Sam Carter" in html
        assert "Ken Alvarez" in html and "Married to Luz." in html and "Hand it to Rosa." in html

    def test_an_unknown_slug_is_a_404_in_the_site_layout(self, as_user, staff):
        response = as_user(staff).get("/customers/no-such-customer/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "We could not find that page" in html
        assert 'class="site-header"' in html

    def test_contact_notes_are_for_signed_in_colleagues_only(self, client):
        customer = CustomerFactory()
        ContactFactory(customer=customer, family="Secret family note")
        response = client.get(customer.get_absolute_url())
        assert response.status_code == 302
        assert "Secret family note" not in response.content.decode()

    def test_other_apps_fill_their_sections(self, as_user, staff, settings, tmp_path):
        (tmp_path / "section.html").write_text("<p>{{ ctx.greeting }} {{ ctx.customer.name }}</p>")
        templates = copy.deepcopy(settings.TEMPLATES)
        templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
        settings.TEMPLATES = templates
        customer = CustomerFactory(name="Atlas Machine Works")
        register_section(key="test", title="Test section", template="section.html",
                         context=lambda customer, user: {"greeting": f"Hello {user.name}"}, order=999)
        try:
            html = as_user(staff).get(customer.get_absolute_url()).content.decode()
        finally:
            _SECTIONS.pop("test")
        assert 'id="section-test"' in html
        assert "Test section" in html
        assert "<p>Hello Minh Anh Atlas Machine Works</p>" in html

    def test_owner_and_admins_see_edit_links(self, as_user, host, staff, admin_user):
        customer = CustomerFactory(account_owner=host)
        contact = ContactFactory(customer=customer)
        edit = reverse("customers:contact_edit", args=[customer.slug, contact.pk])
        assert edit in as_user(host).get(customer.get_absolute_url()).content.decode()
        assert edit in as_user(admin_user).get(customer.get_absolute_url()).content.decode()
        assert edit not in as_user(staff).get(customer.get_absolute_url()).content.decode()


def busy_history(customer, *, n, users):
    """`n` of everything about `customer`: stories with reactions and comments, decisions naming it
    with reviews, meetings before and after now with seats and debriefs, contacts with FORD notes."""
    import datetime

    from django.utils import timezone

    from decisions.models import Decision, ImpactReview
    from meetings.models import Debrief, Seat
    from meetings.services import seats_recount
    from stories.models import Comment, Reaction
    from tests.factories import DecisionFactory, MeetingFactory, StoryFactory

    author, now = users[0], timezone.now()
    for i in range(n):
        story = StoryFactory(customer=customer, author=author)
        Reaction.objects.bulk_create([Reaction(story=story, user=u, kind="moved") for u in users])
        Comment.objects.bulk_create([Comment(story=story, author=u, body="c") for u in users])
        decision = DecisionFactory(status=Decision.Status.IN_REVIEW)
        decision.customers.add(customer)
        ImpactReview.objects.bulk_create([ImpactReview(decision=decision, author=u, answer="a", direction="neutral")
                                          for u in users])
        for days in (-30 - i, 30 + i):
            meeting = MeetingFactory(customer=customer, starts_at=now + datetime.timedelta(days=days), seats=len(users))
            seats = Seat.objects.bulk_create([Seat(meeting=meeting, user=u, status="confirmed") for u in users])
            seats_recount(meeting.pk)  # bulk_create bypasses the seat services, which keep the count
            if days < 0:
                Debrief.objects.bulk_create([Debrief(seat=s, goals_and_needs="g") for s in seats])
        ContactFactory(customer=customer, family=f"Family note {i}")


@pytest.mark.django_db
class TestCustomerPageQueries:
    def test_the_same_number_of_queries_with_little_and_much_history(self, as_user, staff, leader, host):
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from customers.models import Follow

        customer = CustomerFactory(account_owner=host)
        Follow.objects.create(user=staff, customer=customer)
        client = as_user(staff)
        other = Client()
        other.force_login(leader)
        queries = {}
        for size, n, users in (("small", 1, [leader, staff]), ("large", 12, [leader, staff, host])):
            busy_history(customer, n=n, users=users)
            client.get(reverse("home"))  # warm the session
            other.get(reverse("home"))
            with CaptureQueriesContext(connection) as first:
                response = client.get(customer.get_absolute_url())
            with CaptureQueriesContext(connection) as shared:  # someone else: the same kept fragments
                other.get(customer.get_absolute_url())
            queries[size] = (len(first), len(shared), [q["sql"][:60] for q in first.captured_queries])
        # session, user, the customer with my follow, its owner's name and its contacts' state (one
        # query), the "viewed" audit rows (one INSERT … SELECT), the decisions section (its rows and
        # their tallies, on every request), the stories and meetings sections; then, only where the
        # customer's contacts fragment is drawn, its contacts
        assert queries["small"][:2] == queries["large"][:2], queries
        # (the decisions and meetings sections' own queries are theirs, and the complaints section's one: at most 12)
        assert queries["large"][0] <= 12, queries
        # session, user, the customer, the audit rows, and each section's rows, read per request (the
        # markup of each row kept as a fragment): stories one, stories like theirs one, decisions two,
        # meetings one, complaints one
        assert queries["large"][1] == 10, queries
        assert response.context["is_followed"] is True
        sections = dict((s.key, ctx) for s, ctx in response.context["sections"])
        assert len(sections["stories"]["stories"]) == 10 and sections["stories"]["has_more"]
        assert len(sections["decisions"]["decisions"]) == 10 and sections["decisions"]["more"]
        assert len(sections["meetings"]["upcoming"]) == 5 and len(sections["meetings"]["past"]) == 5

    def test_it_knows_whether_i_follow_in_the_customer_query(self, as_user, staff, leader):
        from customers.models import Follow

        customer = CustomerFactory()
        Follow.objects.create(user=leader, customer=customer)  # someone else's follow
        html = as_user(staff).get(customer.get_absolute_url()).content.decode()
        assert 'aria-pressed="false"' in html
        Follow.objects.create(user=staff, customer=customer)
        html = as_user(staff).get(customer.get_absolute_url()).content.decode()
        assert 'aria-pressed="true"' in html


@pytest.mark.django_db
class TestCustomerPageFrame:
    """The customer's parts and contacts are kept ({% fragment %}) and the stories section is shared:
    each change to what they show reaches the next request, and what depends on who is looking stays
    theirs."""

    @pytest.fixture
    def customer(self, host):
        customer = CustomerFactory(name="Ken's Plumbing Supply", account_owner=host, who_they_are="A wholesaler.")
        ContactFactory(customer=customer, name="Ken Alvarez", family="Married to Luz.")
        return customer

    @staticmethod
    def page(user, customer):
        from django.test import Client

        client = Client()
        client.force_login(user)
        return client.get(customer.get_absolute_url()).content.decode()

    def test_changes_to_the_customer_contacts_owner_and_stories_show_at_once(self, staff, host, leader, customer):
        from stories import services as story_services

        html = self.page(staff, customer)
        assert "A wholesaler." in html and "Married to Luz." in html and "Sam Carter" in html
        customer.who_they_are = "A family wholesaler in Dayton."
        customer.save()
        contact = customer.contacts.get()
        contact.family = "Grandfather of two."
        contact.save()
        ContactFactory(customer=customer, name="Rosa Diaz", dreams="Run the depot.")
        host.name = "Sam Carter-Jones"
        host.save()
        story_services.story_create(by=leader, customer=customer, title="The 6 a.m. counter", body="B", publish=True)
        html = self.page(staff, customer)
        for text in ("A family wholesaler in Dayton.", "Grandfather of two.", "Rosa Diaz", "Run the depot.",
                     "Sam Carter-Jones", "The 6 a.m. counter"):
            assert text in html, text
        assert "Married to Luz." not in html
        contact.delete()
        assert "Grandfather of two." not in self.page(staff, customer)

    def test_a_renamed_story_author_reaches_the_stories_section(self, staff, leader, customer):
        from stories import services as story_services

        story_services.story_create(by=leader, customer=customer, title="The 6 a.m. counter", body="B", publish=True)
        assert "Grace Okafor" in self.page(staff, customer)
        leader.name = "Grace O. Adeyemi"
        leader.save()
        assert "Grace O. Adeyemi" in self.page(staff, customer)

    def test_edit_links_follow_and_the_write_button_are_each_persons_own(self, staff, host, leader, customer):
        from customers.models import Follow

        Follow.objects.create(user=staff, customer=customer)
        contact = customer.contacts.get()
        edit = reverse("customers:contact_edit", args=[customer.slug, contact.pk])
        add = reverse("customers:contact_new", args=[customer.slug])
        write = "Write a story about this customer"
        html = self.page(staff, customer)  # renders the shared parts
        assert edit not in html and add not in html and write not in html and 'aria-pressed="true"' in html
        html = self.page(host, customer)  # the account owner, from the same shared parts
        assert edit in html and add in html and write in html and 'aria-pressed="false"' in html
        html = self.page(leader, customer)
        assert edit not in html and write in html

    def test_every_view_is_audited_even_from_the_shared_frame(self, staff, leader, customer):
        from customers.models import ContactAudit

        ContactFactory(customer=customer, name="No Notes", family="", occupation="", recreation="", dreams="")  # nothing to audit
        self.page(staff, customer)
        self.page(staff, customer)
        self.page(leader, customer)
        entries = ContactAudit.objects.order_by("id")
        assert [(e.actor, e.action, e.contact_name, e.customer_id) for e in entries] == [
            (staff, "viewed", "Ken Alvarez", customer.pk), (staff, "viewed", "Ken Alvarez", customer.pk),
            (leader, "viewed", "Ken Alvarez", customer.pk),
        ]
        assert all(e.contact == customer.contacts.get(name="Ken Alvarez") and e.fields == [] for e in entries)


@pytest.mark.django_db
class TestCustomerPageKeptParts:
    """The customer's parts are kept in each worker's memory ({% fragment %}), keyed by what they show."""

    def test_a_renamed_customer_shows_at_once_through_two_workers(self, as_worker, staff, host):
        from django.test import Client

        from customers.models import Customer

        customer = CustomerFactory(name="Ken's Plumbing Supply", account_owner=host, industry="Plumbing")
        ContactFactory(customer=customer, name="Ken Alvarez")
        client = Client()
        client.force_login(staff)
        for worker in ("a", "b"):
            with as_worker(worker):
                assert "Ken&#x27;s Plumbing Supply" in client.get(customer.get_absolute_url()).content.decode()
        customer = Customer.objects.get(pk=customer.pk)
        customer.name, customer.industry = "Ken's Plumbing & Heating", "Heating"
        customer.save()
        for worker in ("a", "b"):
            with as_worker(worker):
                html = client.get(customer.get_absolute_url()).content.decode()
                own = html[html.index('<div class="customer-hero">'):html.index('id="section-')]  # its own parts
                assert '<h1 dir="auto">Ken&#x27;s Plumbing &amp; Heating</h1>' in own and "<bdi>Heating</bdi>" in own
                assert "Ken&#x27;s Plumbing Supply" not in own and "Ken Alvarez" in own, worker

    def test_activity_and_follows_keep_every_kept_part(self, as_worker, staff, leader, host):
        from django.core.cache import caches
        from django.test import Client

        from customers.services import customer_touch, follow_toggle

        customer = CustomerFactory(account_owner=host)
        ContactFactory(customer=customer)
        client = Client()
        client.force_login(staff)
        client.get(customer.get_absolute_url())
        before = set(caches["template_fragments"]._cache)
        customer_touch(customer_id=customer.pk)
        follow_toggle(by=leader, customer=customer)
        follow_toggle(by=staff, customer=customer)
        html = client.get(customer.get_absolute_url()).content.decode()
        assert 'aria-pressed="true"' in html
        assert set(caches["template_fragments"]._cache) == before  # all drawn from what was kept
