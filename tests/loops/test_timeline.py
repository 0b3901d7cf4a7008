import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.timeline import Cursor, timeline
from loops.models import Note, Touch
from tests.conftest import frozen_at
from tests.factories import DebriefFactory, DecisionFactory, MeetingFactory, SeatFactory, StoryFactory

from .conftest import NOW, make_note

now = pytest.fixture(autouse=True)(frozen_at(NOW))


def ago(**kwargs):
    return NOW - datetime.timedelta(**kwargs)


def fill(customer, author, n, *, start=1):
    """`n` of each source, a day apart, newest first."""
    for i in range(n):
        StoryFactory(customer=customer, author=author, title=f"Story {i}", published_at=ago(days=start + i))
        DecisionFactory(title=f"Decision {i}").customers.add(customer)
        meeting = MeetingFactory(customer=customer, title=f"Meeting {i}", starts_at=ago(days=start + i, hours=2),
                                 ends_at=ago(days=start + i, hours=1), signup_closes_at=ago(days=start + i + 1))
        DebriefFactory(seat=SeatFactory(meeting=meeting))
        make_note(customer, author, text=f"Note {i}", at=ago(days=start + i, hours=3))
        Touch.objects.create(owner=author, customer=customer, kind=Touch.Kind.CALL, at=ago(days=start + i, hours=4))


@pytest.mark.django_db
class TestTimeline:
    def test_it_merges_every_source_newest_first(self, customer, owner, staff):
        fill(customer, owner, 2)
        entries, more = timeline(customer, staff, limit=100)
        assert more is None
        assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
        assert {e.source for e in entries} == {"stories", "decisions", "meetings", "debriefs", "notes", "touches"}

    @pytest.mark.parametrize("size", [1, 3, 7])
    def test_pages_cover_everything_once_even_with_ties(self, customer, owner, staff, size):
        fill(customer, owner, 20)
        # several rows of different sources at the very same moment
        same = ago(days=2)
        make_note(customer, owner, text="Tie A", at=same)
        make_note(customer, owner, text="Tie B", at=same)
        Touch.objects.create(owner=owner, customer=customer, kind=Touch.Kind.EMAIL, at=same)
        # monthly pulse figures, one dated exactly like a note (the company's midnight on the 1st)
        from django.utils import timezone

        from insights.models import PulseFigure

        for month in (datetime.date(2026, 11, 1), datetime.date(2026, 10, 1), datetime.date(2026, 9, 1)):
            PulseFigure.objects.create(month=month, customer=customer, products_returned=2)
        first = datetime.datetime.combine(datetime.date(2026, 11, 1), datetime.time.min, tzinfo=timezone.get_default_timezone())
        make_note(customer, owner, text="On the first", at=first)
        everything, _ = timeline(customer, staff, limit=1000)
        assert sum(e.source == "pulse" for e in everything) == 3
        seen, before = [], None
        while True:
            page, before = timeline(customer, staff, before=before, limit=size)
            seen += [(e.source, e.pk) for e in page]
            if before is None:
                break
            before = Cursor.decode(before.encode())  # as the "Older" link carries it
        assert seen == [(e.source, e.pk) for e in everything]

    def test_it_filters_by_source_kind_and_dates(self, customer, owner, staff):
        fill(customer, owner, 3)
        make_note(customer, owner, kind=Note.Kind.PRAISE, text="They love the new depot.", at=ago(days=1, hours=5))
        notes, _ = timeline(customer, staff, source="notes")
        assert {e.source for e in notes} == {"notes"} and len(notes) == 4
        praise, _ = timeline(customer, staff, source="notes", kinds={"praise"})
        assert [e.title for e in praise] == ["They love the new depot."]
        recent, _ = timeline(customer, staff, since=ago(days=1, hours=12))
        assert {e.title for e in recent if e.source == "notes"} == {"Note 0", "They love the new depot."}
        old, _ = timeline(customer, staff, until=ago(days=2, hours=12))
        assert all(e.at < ago(days=2, hours=12) for e in old if e.source != "decisions")

    def test_restricted_notes_follow_the_story_rules(self, customer, owner, staff, leader, outsider, finance):
        make_note(customer, owner, text="Leaders only", visibility=Note.Visibility.LEADERS)
        make_note(customer, owner, text="Finance only", visibility=Note.Visibility.TEAMS, audience=[finance])
        make_note(customer, owner, text="For all")

        def texts(user):
            return {e.title for e in timeline(customer, user, source="notes")[0]}

        assert texts(leader) == {"Leaders only", "Finance only", "For all"}
        assert texts(staff) == {"Finance only", "For all"}
        assert texts(outsider) == {"For all"}
        assert texts(owner) == {"Leaders only", "Finance only", "For all"}  # the author
        # one row, the same rule
        from loops.selectors import note_visible_to

        for user in (leader, staff, outsider, owner):
            assert {n.text for n in Note.objects.all() if note_visible_to(n, user)} == texts(user)

    def test_a_routed_restricted_note_reaches_whom_it_is_routed_to(self, customer, owner, seller, outsider):
        make_note(customer, outsider, text="Renewal at risk", visibility=Note.Visibility.LEADERS, route="team",
                  route_team=seller.team, status="open")
        assert [e.title for e in timeline(customer, seller, source="notes")[0]] == ["Renewal at risk"]

    def test_anonymised_and_unreadable_stories_stay_out(self, customer, owner, staff, it_team):
        StoryFactory(customer=customer, author=owner, title="Named", published_at=ago(days=1))
        StoryFactory(customer=customer, author=owner, title="Anon", naming="anonymised", anonymised_as="a customer",
                     published_at=ago(days=1))
        StoryFactory(customer=customer, author=owner, title="IT only", visibility="teams", published_at=ago(days=1)).audience.set([it_team])
        assert [e.title for e in timeline(customer, staff, source="stories")[0]] == ["Named"]


@pytest.mark.django_db
class TestTimelineView:
    def url(self, customer, **query):
        from urllib.parse import urlencode

        return reverse("loops:timeline", args=[customer.slug]) + ("?" + urlencode(query) if query else "")

    def test_the_customer_page_asks_for_it_by_htmx(self, as_user, staff, customer):
        body = as_user(staff).get(customer.get_absolute_url()).content.decode()
        assert 'id="timeline"' in body and self.url(customer) in body and 'data-hx-trigger="load"' in body

    def test_page_and_fragment(self, as_user, staff, customer, owner):
        make_note(customer, owner, text="Asked about bulk pricing.")
        client = as_user(staff)
        page = client.get(self.url(customer)).content.decode()
        assert "<html" in page and "Asked about bulk pricing." in page
        fragment = client.get(self.url(customer), headers={"HX-Request": "true"}).content.decode()
        assert "<html" not in fragment and fragment.lstrip().startswith('<div id="timeline"')

    def test_older_link_appends_the_next_page(self, as_user, staff, customer, owner):
        for i in range(25):
            make_note(customer, owner, text=f"Note {i:02d}", at=ago(hours=i))
        client = as_user(staff)
        first = client.get(self.url(customer)).content.decode()
        assert "Note 00" in first and "Note 19" in first and "Note 20" not in first and 'rel="next"' in first
        cursor = timeline(customer, staff)[1].encode()
        more = client.get(self.url(customer, before=cursor), headers={"HX-Request": "true"}).content.decode()
        assert "Note 20" in more and "Note 24" in more and "Note 19" not in more
        assert 'data-hx-swap-oob="true"' in more and 'rel="next"' not in more

    def test_bad_filters_are_ignored_not_fatal(self, as_user, staff, customer):
        client = as_user(staff)
        for query in ({"kind": "nonsense"}, {"since": "0001-01-01"}, {"before": "garbage"}, {"until": "9999-12-31"}):
            assert client.get(self.url(customer, **query)).status_code == 200

    @pytest.mark.parametrize("size", [2, 12])
    def test_a_fixed_number_of_queries(self, as_user, owner, customer, size, django_assert_num_queries):
        fill(customer, owner, size)
        client = as_user(owner)
        client.get(self.url(customer))  # warm up: the session, the user's team
        # session, user, customer, 7 sources (pulse included), the note form's contacts, customer-facing
        # teams and all teams
        with django_assert_num_queries(13):
            response = client.get(self.url(customer), headers={"HX-Request": "true"})
        assert response.status_code == 200

    @pytest.mark.parametrize("size", [2, 12])
    def test_a_fixed_number_of_queries_for_a_reader(self, as_user, staff, owner, customer, size, django_assert_num_queries):
        fill(customer, owner, size)
        client = as_user(staff)
        with CaptureQueriesContext(connection) as first:
            client.get(self.url(customer), headers={"HX-Request": "true"})
        fill(customer, owner, size, start=100)
        with django_assert_num_queries(len(first.captured_queries)):
            client.get(self.url(customer), headers={"HX-Request": "true"})

    def test_anonymous_is_sent_to_sign_in(self, client, customer):
        assert client.get(self.url(customer)).status_code == 302
