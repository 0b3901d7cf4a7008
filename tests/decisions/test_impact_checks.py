"""Did the impact we predicted happen? Deciding sets a check date; on it the decider and the reviewers
are reminded once; they record what happened with evidence; a worse check reopens the decision."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from decisions import services
from decisions.models import Decision, DecisionEvent, ImpactCheck
from decisions.selectors import checks_due_panel
from digests import services as digest_services
from digests import tasks as digest_tasks
from digests.compose import compose_batch
from digests.models import Delivery, NotificationPreferences
from insights.models import PulseFigure
from tests.conftest import frozen_at
from tests.factories import CustomerFactory, DecisionFactory, ImpactReviewFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)
now = pytest.fixture(autouse=True, name="now")(frozen_at(NOW))
TODAY = NOW.date()


@pytest.fixture
def reviewer(it_team):
    return UserFactory(name="Dalia Haddad", email="dalia@example.com", team=it_team)


@pytest.fixture
def in_review(staff, finance, customer, reviewer):
    """In review, owned by finance staff, naming Ken's Plumbing Supply, with one review."""
    d = DecisionFactory(title="60-day payment terms", team=finance, owner=staff, status="in_review",
                        outcome="Staged payments for suppliers whose work reaches customers.")
    d.customers.add(customer)
    ImpactReviewFactory(decision=d, author=reviewer, direction="hurts", severity="medium")
    return d


@pytest.fixture
def decided(in_review, staff):
    return services.decision_transition(by=staff, decision=in_review, to=Decision.Status.DECIDED)


def at(days, hour=9):
    return NOW + datetime.timedelta(days=days, hours=hour - 9)


class TestDeciding:
    def test_it_sets_the_check_date_90_days_later_by_default(self, decided, staff):
        check = decided.impact_checks.get()
        assert check.due_on == TODAY + datetime.timedelta(days=90)
        assert (check.decided_by, check.result, check.recorded_at) == (staff, "", None)

    def test_the_decide_form_chooses_the_date(self, in_review, staff):
        services.decision_record_outcome(by=staff, decision=in_review, outcome="We do it.", decide=True,
                                         check_on=TODAY + datetime.timedelta(days=30))
        assert in_review.impact_checks.get().due_on == TODAY + datetime.timedelta(days=30)

    @pytest.mark.parametrize("bad", [datetime.date(9999, 12, 31), datetime.date(1, 1, 1), TODAY - datetime.timedelta(days=1)])
    def test_an_absurd_or_past_date_is_refused_and_nothing_changes(self, in_review, staff, bad):
        with pytest.raises(ValidationError) as error:
            services.decision_transition(by=staff, decision=in_review, to=Decision.Status.DECIDED, check_on=bad)
        assert "check_on" in error.value.message_dict
        in_review.refresh_from_db()
        assert in_review.status == "in_review" and not ImpactCheck.objects.exists()

    def test_reopening_drops_the_open_check_and_deciding_again_makes_a_new_one(self, decided, staff):
        services.decision_transition(by=staff, decision=decided, to=Decision.Status.IN_REVIEW)
        assert not ImpactCheck.objects.exists()
        services.decision_transition(by=staff, decision=decided, to=Decision.Status.DECIDED,
                                     check_on=TODAY + datetime.timedelta(days=10))
        assert decided.impact_checks.get().due_on == TODAY + datetime.timedelta(days=10)


class TestRecording:
    def record(self, check, by, **kwargs):
        return services.impact_check_record(by=by, check=check, **{"result": "as_predicted", "note": "", **kwargs})

    @pytest.mark.parametrize("who", ["staff", "reviewer", "admin_user"])
    def test_the_decider_a_reviewer_and_admins_record(self, decided, who, request):
        by = request.getfixturevalue(who)
        check = self.record(decided.impact_checks.get(), by, note="Suppliers paid in stages stayed.")
        assert (check.result, check.recorded_by, check.recorded_at.date(), check.on_time) == ("as_predicted", by, TODAY, True)
        assert decided.events.last().kind == DecisionEvent.Kind.IMPACT_CHECKED

    @pytest.mark.parametrize("who", ["leader", "outsider", "host"])
    def test_anyone_else_is_refused(self, decided, who, request):
        with pytest.raises(PermissionDenied):
            self.record(decided.impact_checks.get(), request.getfixturevalue(who))
        assert not ImpactCheck.objects.filter(recorded_at__isnull=False).exists()

    def test_someone_asked_to_review_may_record_too(self, decided, outsider):
        decided.review_requests.create(reviewer=outsider, due_date=TODAY)
        assert self.record(decided.impact_checks.get(), outsider).recorded_by == outsider

    @pytest.mark.parametrize("kwargs, field", [
        ({"result": "great"}, "result"),
        ({"result": ""}, "result"),
        ({"result": "worse", "note": "  "}, "note"),
        ({"note": "x" * 2001}, "note"),
    ])
    def test_bad_input_changes_nothing(self, decided, staff, kwargs, field):
        with pytest.raises(ValidationError) as error:
            self.record(decided.impact_checks.get(), staff, **kwargs)
        assert field in error.value.message_dict
        assert decided.impact_checks.get().recorded_at is None

    def test_once_only(self, decided, staff, reviewer):
        self.record(decided.impact_checks.get(), staff)
        with pytest.raises(ValidationError):
            self.record(decided.impact_checks.get(), reviewer, result="worse", note="Late.")
        assert decided.impact_checks.get().result == "as_predicted"

    def test_stories_must_be_about_the_decisions_customers(self, decided, staff, customer, host):
        about = StoryFactory(customer=customer, author=host)
        other = StoryFactory(customer=CustomerFactory(), author=host)
        with pytest.raises(ValidationError):
            self.record(decided.impact_checks.get(), staff, stories=[other])
        check = self.record(decided.impact_checks.get(), staff, stories=[about])
        assert list(check.stories.all()) == [about]

    def test_late_is_not_on_time(self, decided, staff):
        check = decided.impact_checks.get()
        with time_machine.travel(at(90 + 15), tick=False):
            assert self.record(check, staff).on_time is False

    def test_it_keeps_the_customers_pulse_before_and_after(self, in_review, staff, customer):
        """Decided in March 2026: December to February before, April to June after (up to the month ended)."""
        for month, returned in [((2025, 11, 1), 50), ((2025, 12, 1), 3), ((2026, 2, 1), 4), ((2026, 3, 1), 70),
                                ((2026, 4, 1), 1), ((2026, 6, 1), 2), ((2026, 7, 1), 80)]:
            PulseFigure.objects.create(month=datetime.date(*month), customer=customer, products_returned=returned)
        services.decision_transition(by=staff, decision=in_review, to=Decision.Status.DECIDED)
        with time_machine.travel(at(120), tick=False):  # 2026-07-08: June has ended, July has not
            check = self.record(in_review.impact_checks.get(), staff)
        [row] = check.evidence["pulse"]["rows"]
        assert row["name"] == customer.name
        assert (row["before"]["products_returned"], row["after"]["products_returned"]) == (7, 3)


class TestReopen:
    def worse(self, decided, by):
        return services.impact_check_record(by=by, check=decided.impact_checks.get(), result="worse",
                                            note="Two suppliers left; deliveries to Ken were late.")

    def test_a_worse_check_reopens_with_the_check_first(self, decided, staff, reviewer):
        check = self.worse(decided, reviewer)
        services.decision_reopen_after_check(by=staff, check=check)
        decided.refresh_from_db()
        assert decided.status == "in_review" and decided.decided_at is None
        kinds = list(decided.events.values_list("kind", flat=True))
        assert kinds[-3:] == ["impact_checked", "reopened_check", "status"]
        reopened = decided.events.get(kind="reopened_check")
        assert reopened.details["check"] == check.pk and "deliveries to Ken" in reopened.details["note"]
        assert ImpactCheck.objects.get().result == "worse"  # the recorded check stays

    def test_only_a_worse_check_and_only_by_who_manages_it(self, decided, staff, reviewer):
        check = services.impact_check_record(by=staff, check=decided.impact_checks.get(), result="better", note="")
        with pytest.raises(ValidationError):
            services.decision_reopen_after_check(by=staff, check=check)
        ImpactCheck.objects.filter(pk=check.pk).update(result="worse")
        with pytest.raises(PermissionDenied):
            services.decision_reopen_after_check(by=reviewer, check=check)
        decided.refresh_from_db()
        assert decided.status == "decided"

    def test_the_button_is_one_post(self, decided, staff, reviewer, as_user):
        self.worse(decided, reviewer)
        client = as_user(staff)
        page = client.get(decided.get_absolute_url()).content.decode()
        url = reverse("decisions:reopen_after_check", args=[decided.pk])
        assert f'action="{url}"' in page
        assert client.get(url).status_code == 405
        assert client.post(url).status_code == 302
        decided.refresh_from_db()
        assert decided.status == "in_review"
        # A second click changes nothing and says why.
        response = client.post(url, follow=True)
        assert "already open again" in response.content.decode()


class TestViews:
    def test_deciding_with_an_absurd_date_is_a_clear_error(self, in_review, staff, as_user):
        client = as_user(staff)
        url = reverse("decisions:transition", args=[in_review.pk])
        for bad in ["9999-12-31", "0001-01-01", "2026-02-30", "soon"]:
            response = client.post(url, {"to": "decided", "check_on": bad})
            assert response.status_code == 400, bad
            assert 'id="transition-errors"' in response.content.decode()
        in_review.refresh_from_db()
        assert in_review.status == "in_review" and not ImpactCheck.objects.exists()
        assert client.post(url, {"to": "decided", "check_on": "2026-05-01"}).status_code == 302
        assert in_review.impact_checks.get().due_on == datetime.date(2026, 5, 1)

    def test_the_outcome_form_keeps_what_was_written_on_a_bad_date(self, in_review, staff, as_user):
        client = as_user(staff)
        response = client.post(reverse("decisions:outcome", args=[in_review.pk]),
                               {"outcome": "Staged payments for all.", "check_on": "9999-01-01", "decide": "1"})
        assert response.status_code == 200
        body = response.content.decode()
        assert "Enter a date from" in body and "Staged payments for all." in body
        in_review.refresh_from_db()
        assert in_review.status == "in_review"

    def test_the_check_page_shows_the_pulse_and_records(self, decided, reviewer, customer, host, as_user):
        PulseFigure.objects.create(month=datetime.date(2026, 1, 1), customer=customer, legal_threats=3)
        story = StoryFactory(customer=customer, author=host, title="Ken's crew waited")
        StoryFactory(customer=CustomerFactory(), author=host, title="Someone else entirely")
        client = as_user(reviewer)
        url = reverse("decisions:check", args=[decided.pk])
        page = client.get(url).content.decode()
        assert "Customer pulse before and after the decision" in page and "legal threats" in page.lower()
        assert "Ken&#x27;s crew waited" in page and "Someone else entirely" not in page
        response = client.post(url, {"result": "worse", "note": "", "stories": [story.pk]})
        assert response.status_code == 400 and "what was worse" in response.content.decode()
        assert decided.impact_checks.get().recorded_at is None
        response = client.post(url, {"result": "worse", "note": "Ken waited three days.", "stories": [story.pk]})
        assert response.status_code == 302
        page = client.get(decided.get_absolute_url()).content.decode()
        assert "Worse than predicted" in page and "Ken waited three days." in page and "Predicted" in page
        assert "Ken&#x27;s crew waited" in page

    def test_recorded_by_someone_else_meanwhile_the_note_comes_back_to_copy(self, decided, staff, reviewer, as_user):
        services.impact_check_record(by=staff, check=decided.impact_checks.get(), result="as_predicted",
                                     note="Suppliers paid in stages stayed.")
        response = as_user(reviewer).post(reverse("decisions:check", args=[decided.pk]),
                                          {"result": "worse", "note": "Ken waited three days for his refund."})
        page = response.content.decode()
        assert response.status_code == 400
        assert "What happened was already recorded for this check." in page
        assert "Suppliers paid in stages stayed." in page  # theirs, as saved
        assert "What you wrote was not saved" in page and ">Ken waited three days for his refund.</textarea>" in page
        check = decided.impact_checks.get()
        assert (check.result, check.recorded_by) == ("as_predicted", staff)

    @pytest.mark.parametrize("bad", ["elsewhere", "abc", "-1", "99999999999999999999"])
    def test_a_story_from_elsewhere_or_nonsense_is_a_form_error(self, decided, staff, host, as_user, bad):
        other = StoryFactory(customer=CustomerFactory(), author=host)
        story = other.pk if bad == "elsewhere" else bad
        response = as_user(staff).post(reverse("decisions:check", args=[decided.pk]), {"result": "better", "stories": [story]})
        assert response.status_code == 400
        assert decided.impact_checks.get().recorded_at is None

    def test_it_offers_and_shows_only_stories_the_reader_may_read_and_never_an_anonymised_one(
        self, decided, staff, reviewer, customer, host, leader, as_user
    ):
        named = StoryFactory(customer=customer, author=host, title="Ken's crew waited")
        StoryFactory(customer=customer, author=host, title="About a plumber", naming="anonymised",
                     anonymised_as="A plumbing supplier in Ohio")
        leaders_only = StoryFactory(customer=customer, author=host, title="Leaders read this", visibility="leaders")
        page = as_user(reviewer).get(reverse("decisions:check", args=[decided.pk])).content.decode()
        assert "Ken&#x27;s crew waited" in page
        assert "About a plumber" not in page and "Leaders read this" not in page
        # The reviewer may not cite what they may not read, even by posting its id.
        response = as_user(reviewer).post(reverse("decisions:check", args=[decided.pk]),
                                          {"result": "better", "stories": [leaders_only.pk]})
        assert response.status_code == 400 and decided.impact_checks.get().recorded_at is None
        # Cited by someone who may read it, it is still shown only to those who may.
        ImpactCheck.objects.update(result="better", recorded_at=NOW, recorded_by=staff)
        ImpactCheck.objects.get().stories.set([named, leaders_only])
        assert "Leaders read this" not in as_user(reviewer).get(decided.get_absolute_url()).content.decode()
        assert "Leaders read this" in as_user(leader).get(decided.get_absolute_url()).content.decode()

    @pytest.mark.parametrize("who, status", [("outsider", 403), ("leader", 403), ("reviewer", 200), ("admin_user", 200)])
    def test_who_may_open_the_check(self, decided, who, status, request, as_user):
        assert as_user(request.getfixturevalue(who)).get(reverse("decisions:check", args=[decided.pk])).status_code == status

    def test_a_decision_without_a_check_has_no_check_page(self, in_review, staff, as_user):
        assert as_user(staff).get(reverse("decisions:check", args=[in_review.pk])).status_code == 404

    @pytest.mark.parametrize("name, method", [("check", "get"), ("check", "post"), ("reopen_after_check", "post")])
    @pytest.mark.parametrize("pk", [9223372036854775808, 99999999999999999999])
    def test_an_id_larger_than_any_row_is_a_404(self, decided, admin_user, name, method, pk):
        client = Client(raise_request_exception=False)
        client.force_login(admin_user)
        assert getattr(client, method)(reverse(f"decisions:{name}", args=[pk])).status_code == 404


class TestLogFilters:
    def test_check_due_and_worse(self, decided, staff, finance, reviewer, as_user):
        later = DecisionFactory(title="Later one", team=finance, owner=staff, status="in_review", outcome="o")
        ImpactReviewFactory(decision=later, author=reviewer)
        services.decision_transition(by=staff, decision=later, to="decided", check_on=TODAY + datetime.timedelta(days=100))
        DecisionFactory(title="Still open", team=finance, owner=staff)
        client = as_user(staff)
        log = reverse("decisions:log")

        def titles(**params):
            return [d.title for d in client.get(log, params).context["page"].object_list]

        assert titles(check="due") == []
        with time_machine.travel(at(91), tick=False):
            client.force_login(staff)  # the session from 91 days ago has expired
            assert titles(check="due") == ["60-day payment terms"]
            services.impact_check_record(by=staff, check=decided.impact_checks.get(), result="worse", note="Late.")
            assert titles(check="due") == []
            assert titles(check="worse") == ["60-day payment terms"]
            response = client.get(log, {"check": "nonsense"})
            assert response.status_code == 200 and len(response.context["page"].object_list) == 3
        with time_machine.travel(at(100), tick=False):
            client.force_login(staff)
            assert titles(check="due") == ["Later one"]

    def test_the_filtered_log_runs_a_fixed_number_of_queries(self, staff, finance, as_user):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = as_user(staff)

        def make(n):
            for _ in range(n):
                d = DecisionFactory(team=finance, owner=staff, status="decided", decided_at=NOW)
                ImpactCheck.objects.create(decision=d, due_on=TODAY, decided_at=NOW, result="worse", recorded_at=NOW)
                d = DecisionFactory(team=finance, owner=staff, status="decided", decided_at=NOW)
                ImpactCheck.objects.create(decision=d, due_on=TODAY, decided_at=NOW)

        def count(check):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("decisions:log"), {"check": check})
            return len(queries), len(response.context["page"].object_list)

        make(2)
        client.get(reverse("decisions:log"), {"check": "due"})
        small = {check: count(check) for check in ("due", "worse")}
        make(30)
        big = {check: count(check) for check in ("due", "worse")}
        # session, user, teams, count, rows, tallies, customers' names: the log's 7, whatever the filter
        assert small == {"due": (7, 2), "worse": (7, 2)}
        assert big == {"due": (7, 25), "worse": (7, 25)}


class TestDecisionPageQueries:
    def test_a_recorded_check_with_stories_costs_the_same_however_many(self, decided, staff, customer, host, as_user,
                                                                       django_assert_num_queries):
        stories = [StoryFactory(customer=customer, author=host) for _ in range(8)]
        services.impact_check_record(by=staff, check=decided.impact_checks.get(), result="better", note="",
                                     stories=stories[:1])
        client = as_user(staff)
        client.get(decided.get_absolute_url())
        # the decision page's 9 (decisions/test_queries.py) + the check's stories
        with django_assert_num_queries(10):
            client.get(decided.get_absolute_url())
        ImpactCheck.objects.get().stories.set(stories)
        with django_assert_num_queries(10):
            page = client.get(decided.get_absolute_url()).content.decode()
        assert all(s.title in page for s in stories)


class TestReminder:
    def run(self, days):
        with time_machine.travel(at(days), tick=False):
            digest_tasks.plan_reminders_task.delay()

    def test_once_on_the_date_to_the_decider_and_each_reviewer(self, decided, staff, reviewer, outsider):
        decided.review_requests.create(reviewer=outsider, due_date=TODAY)
        NotificationPreferences.objects.create(user=outsider, impact_check_due=False)  # turned off
        self.run(89)
        assert mail.outbox == []
        self.run(90)
        assert sorted(m.to[0] for m in mail.outbox) == sorted([staff.email, reviewer.email])
        message = next(m for m in mail.outbox if m.to == [staff.email])
        assert "60-day payment terms" in message.subject
        assert reverse("decisions:check", args=[decided.pk]) in message.body
        # Running again, the next day too, sends nothing more: one reminder per person and check.
        self.run(90)
        self.run(91)
        assert len(mail.outbox) == 2
        assert Delivery.objects.filter(kind="impact_check_due", status="sent").count() == 2

    def test_none_once_recorded(self, decided, staff, reviewer):
        services.impact_check_record(by=reviewer, check=decided.impact_checks.get(), result="unknown", note="")
        self.run(90)
        assert mail.outbox == [] and not Delivery.objects.exists()

    def test_none_once_reopened(self, decided, staff):
        services.decision_transition(by=staff, decision=decided, to="in_review")
        self.run(90)
        assert mail.outbox == [] and not Delivery.objects.exists()

    def test_recorded_meanwhile_is_skipped(self, decided, staff):
        with time_machine.travel(at(90), tick=False):
            ids = digest_services.reminder_plan()
            assert len(ids) == 2
            services.impact_check_record(by=staff, check=decided.impact_checks.get(), result="better", note="")
            assert {digest_services.reminder_send(pk) for pk in ids} == {"skipped"}
        assert mail.outbox == []


class TestHomePanelAndDigest:
    def test_the_panel_lists_due_checks_of_the_decider_and_reviewers_only(self, decided, staff, reviewer, outsider):
        assert checks_due_panel(staff) is None
        with time_machine.travel(at(90), tick=False):
            [row] = checks_due_panel(staff)["checks"]
            assert row.title == "60-day payment terms" and row.url == reverse("decisions:check", args=[decided.pk])
            assert checks_due_panel(reviewer)["checks"][0].title == "60-day payment terms"
            assert checks_due_panel(outsider) is None
            services.impact_check_record(by=staff, check=decided.impact_checks.get(), result="better", note="")
            assert checks_due_panel(staff) is None

    def test_the_home_page_shows_it(self, decided, reviewer, as_user):
        with time_machine.travel(at(90), tick=False):
            page = as_user(reviewer).get(reverse("home")).content.decode()
        assert "Did the impact we predicted happen?" in page and reverse("decisions:check", args=[decided.pk]) in page

    def test_the_digest_section(self, decided, staff, reviewer, outsider):
        digests = compose_batch([staff, reviewer, outsider], now=at(92))
        for person in (staff, reviewer):
            [block] = [b for b in digests[person.pk].blocks if b.key == "impact_checks"]
            [item] = block.items
            assert item["title"] == "60-day payment terms" and item["url"].endswith(f"/decisions/{decided.pk}/check/")
        assert not [b for b in digests[outsider.pk].blocks if b.key == "impact_checks"]


class TestDueWhereThePersonIs:
    """"Due" is the person's own date, in the digest and the reminder as on their pages. The check is due
    on 8 June; at 01:00 UTC that day it is still the evening of 7 June in Chicago, already the morning of
    8 June in Tokyo."""

    @pytest.fixture
    def in_chicago(self, staff):
        staff.time_zone = "America/Chicago"
        staff.save(update_fields=["time_zone"])
        return staff

    def test_not_yet_where_the_date_has_not_come(self, decided, in_chicago, reviewer, as_user):
        assert decided.impact_checks.get().due_on == datetime.date(2026, 6, 8)
        with time_machine.travel(at(90, hour=1), tick=False):
            digest_tasks.plan_reminders_task.delay()
            assert [m.to for m in mail.outbox] == [[reviewer.email]]
            digests = compose_batch([in_chicago, reviewer], now=timezone.now())
            assert not [b for b in digests[in_chicago.pk].blocks if b.key == "impact_checks"]
            assert [b for b in digests[reviewer.pk].blocks if b.key == "impact_checks"]
            # the same as her pages say at that moment
            page = as_user(in_chicago).get(reverse("home")).content.decode()
            assert "Did the impact we predicted happen?" not in page
        # Her date comes: she is reminded once, however often the task runs.
        for hour in (6, 7, 30):
            with time_machine.travel(at(90, hour=hour), tick=False):
                digest_tasks.plan_reminders_task.delay()
        assert sorted(m.to[0] for m in mail.outbox) == sorted([reviewer.email, in_chicago.email])
        with time_machine.travel(at(90, hour=6), tick=False):
            digests = compose_batch([in_chicago], now=timezone.now())
        [block] = [b for b in digests[in_chicago.pk].blocks if b.key == "impact_checks"]
        assert "Check due since" in block.items[0]["detail"]

    def test_already_where_the_date_has_come(self, decided, staff, reviewer):
        reviewer.time_zone = "Asia/Tokyo"
        reviewer.save(update_fields=["time_zone"])
        with time_machine.travel(at(89, hour=20), tick=False):  # 7 June 20:00 UTC, 8 June 05:00 in Tokyo
            digest_tasks.plan_reminders_task.delay()
            digests = compose_batch([staff, reviewer], now=timezone.now())
        assert [m.to for m in mail.outbox] == [[reviewer.email]]
        assert [b for b in digests[reviewer.pk].blocks if b.key == "impact_checks"]
        assert not [b for b in digests[staff.pk].blocks if b.key == "impact_checks"]
