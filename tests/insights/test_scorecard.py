import contextlib
import csv
import datetime
import io
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from insights import selectors, tasks
from insights.periods import Quarter
from portal.models import Team, User
from stories.models import Read, Story
from tests.factories import TeamFactory, UserFactory

from .builders import activity, customers, team_with_people

pytestmark = pytest.mark.django_db


def url(quarter=None, slug=None, **params):
    base = reverse("insights:team", args=[slug]) if slug else reverse("insights:scorecard")
    if quarter is not None:
        params["quarter"] = str(quarter)
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.fixture
def finance_activity(finance, quarter):
    team, users = team_with_people("Finance", "finance")
    activity(team, users, quarter, customers=customers(3))
    return team, users


class TestQuarter:
    def test_it_parses_and_rejects(self):
        assert Quarter.parse("2026Q4") == Quarter(2026, 4)
        assert Quarter.parse("2026q1") == Quarter(2026, 1)
        for bad in ["2026Q9", "2026Q0", "abc", "", None, "1066Q1", "2026Q4x"]:
            assert Quarter.parse(bad) is None

    def test_it_knows_its_neighbours(self):
        assert Quarter(2026, 1).shift(-1) == Quarter(2025, 4)
        assert Quarter(2026, 4).shift(1) == Quarter(2027, 1)
        assert [str(q) for q in Quarter(2026, 2).trend(4)] == ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]
        assert Quarter(2026, 4).end() == Quarter(2027, 1).start()

    @pytest.mark.parametrize(("language", "label"), [("en", "Q4 2026"), ("ar", "الربع 4 من 2026"), ("vi", "Q4/2026")])
    def test_its_label_reads_as_a_quarter_of_a_year(self, language, label):
        with translation.override(language):
            assert Quarter(2026, 4).label == label


class TestScorecardFigures:
    def test_it_counts_a_quarter_of_activity(self, finance_activity, quarter):
        team, _users = finance_activity
        [row] = selectors.scorecard(teams=Team.objects.filter(pk=team.pk), quarters=quarter.trend(2))
        before, figures = row.quarters
        assert row.members == 4 and row.leaders == 1
        assert figures["reads"] == 8 and figures["reads_per_person"] == 2.0
        assert (figures["reactions"], figures["comments"]) == (4, 4)
        assert (figures["meetings"], figures["leader_meetings"], figures["debriefs"]) == (1, 1, 1)
        assert figures["quota"] == 0.5  # one leader, a quota of 2 a year
        assert (figures["decided"], figures["review_share"]) == (2, 50)
        assert figures["median_review_hours"] == 10.0
        assert figures["customers_touched"] == 2  # read about two customers, met one of them
        assert before["reads"] == 0 and before["review_share"] is None and before["median_review_hours"] is None

    def test_it_leaves_other_teams_out(self, finance_activity, it_team, quarter):
        [row] = selectors.scorecard(teams=Team.objects.filter(pk=it_team.pk), quarters=[quarter])
        assert row.quarters[0]["reads"] == 0 and row.quarters[0]["customers_touched"] == 0

    def test_it_runs_a_fixed_number_of_queries(self, django_assert_num_queries, quarter):
        small = [team_with_people(f"Small {i}", f"small-{i}", staff=2) for i in range(2)]
        for team, users in small:
            activity(team, users, quarter, customers=customers(2))
        teams = Team.objects.all()
        with django_assert_num_queries(5):  # the teams, the counts, the median review times, the customers touched, the routed notes
            selectors.scorecard(teams=teams, quarters=quarter.trend(4))
        shared = customers(5)
        for i in range(50):
            team, users = team_with_people(f"Big {i}", f"big-{i}", staff=8, leaders=2)
            if i % 5 == 0:
                activity(team, users, quarter, customers=shared, stories=3)
        with django_assert_num_queries(5):
            rows = selectors.scorecard(teams=Team.objects.all(), quarters=quarter.trend(4))
        assert len(rows) == 52


class TestCompareView:
    @pytest.mark.parametrize("persona, teams", [
        ("leader", ["Finance"]), ("staff", ["Finance"]), ("host", ["Customer Success"]), ("outsider", ["IT"]),
        ("admin_user", ["Customer Success", "Finance", "IT"]),
    ])
    def test_each_role_sees_its_teams(self, request, as_user, finance, it_team, success_team, persona, teams):
        response = as_user(request.getfixturevalue(persona)).get(url())
        assert response.status_code == 200
        assert [row.team.name for row in response.context["rows"]] == teams

    def test_a_quarter_that_does_not_exist_is_a_404(self, as_user, admin_user):
        client = as_user(admin_user)
        for bad in ["2026Q9", "abc", "2026Q0"]:
            assert client.get(url(bad)).status_code == 404

    def test_a_quarter_that_has_not_begun_is_neither_offered_nor_shown(self, as_user, admin_user, finance_activity):
        """Its figures would be zeros that look real ("Stories read per person 0")."""
        with time_machine.travel(datetime.datetime(2026, 12, 20, 12, tzinfo=datetime.UTC), tick=False):
            client = as_user(admin_user)  # signed in then: a session opened at another moment may have run out
            for address in (url(), url(slug="finance")):
                page = client.get(address).content.decode()
                assert 'rel="prev"' in page and "quarter=2026Q3" in page
                assert 'rel="next"' not in page and "2027Q1" not in page
            assert client.get(url("2026Q3")).content.decode().count("quarter=2026Q4") >= 2  # a past quarter leads on
            assert client.get(url("2027Q1")).status_code == 404
            assert client.get(url("2027Q1", slug="finance")).status_code == 404

    def test_it_shows_team_figures_but_no_person_by_person_reading(self, as_user, admin_user, finance_activity, quarter):
        _team, users = finance_activity
        TeamFactory(name="IT", slug="it")
        html = as_user(admin_user).get(url(quarter)).content.decode()
        assert 'id="compare-table"' in html and 'role="img"' in html and "<title" in html and "<desc" in html
        assert all(user.name not in html for user in users)

    def test_one_teams_figures_read_down_the_page_under_their_headings(self, as_user, finance_activity, quarter):
        _team, users = finance_activity
        html = as_user(users[0]).get(url(quarter)).content.decode()
        table = html.split('id="compare-table"', 1)[1].split("</table>", 1)[0]
        assert 'id="compare-table" data-team="finance"' in html
        for label, metrics in selectors.METRIC_GROUPS:  # each heading, then its figures, in order
            at = table.index(f'<th scope="rowgroup" colspan="2">{label}</th>')
            for metric in metrics:
                at = table.index(f'<tr data-metric="{metric.key}"><th scope="row">', at)
        assert '<tr data-metric="reads_per_person"><th scope="row">Stories read per person</th><td class="num">2</td>' in table
        assert 'scope="col">Team<' not in table  # no row of teams to scroll sideways through

    def test_teams_side_by_side_carry_a_heading_over_each_group_of_columns(self, as_user, admin_user, finance_activity, quarter):
        TeamFactory(name="IT", slug="it")
        html = as_user(admin_user).get(url(quarter)).content.decode()
        head = html.split('id="compare-table"', 1)[1].split("</thead>", 1)[0]
        spans = [(label, len(metrics)) for label, metrics in selectors.METRIC_GROUPS]
        for label, span in spans:
            assert f'<th scope="colgroup" colspan="{span}">{label}</th>' in head
        assert sum(span for _label, span in spans) == len(selectors.METRICS) == head.count('<th scope="col" class="num">') - 1

    def test_each_metric_sits_under_one_heading_in_the_tables_order(self):
        assert [m for _label, metrics in selectors.METRIC_GROUPS for m in metrics] == selectors.METRICS

    def test_the_same_number_of_queries_at_two_sizes(self, as_user, admin_user, quarter, django_assert_num_queries):
        client = as_user(admin_user)
        for i in range(2):
            team, users = team_with_people(f"Small {i}", f"small-{i}", staff=2)
            activity(team, users, quarter, customers=customers(2))
        client.get(url(quarter))  # warm the session and template caches
        cache.clear()
        with django_assert_num_queries(9):  # session, user, visible teams, and scorecard()'s five + employee pulse
            client.get(url(quarter))
        with django_assert_num_queries(4):  # counted a moment ago: session, user, visible teams + employee pulse
            client.get(url(quarter))
        for i in range(50):
            team, users = team_with_people(f"Big {i}", f"big-{i}", staff=6)
            if i % 10 == 0:
                activity(team, users, quarter, customers=customers(2))
        with django_assert_num_queries(9):  # teams the cached figures do not cover: counted again + employee pulse
            response = client.get(url(quarter))
        assert len(response.context["rows"]) == 52
        with django_assert_num_queries(4):  # + the employee pulse: one query
            client.get(url(quarter))

    def test_it_exports_the_table_as_csv(self, as_user, admin_user, finance_activity, quarter):
        response = as_user(admin_user).get(url(quarter, format="csv"))
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][:3] == ["Team", "Quarter", "People"]
        finance_row = next(r for r in rows if r[0] == "Finance")
        assert finance_row[1] == str(quarter) and finance_row[3] == "2.0"

    def test_csv_quotes_text_a_spreadsheet_would_run(self, as_user, admin_user):
        Team.objects.create(name="=HYPERLINK(1)", slug="evil")
        body = as_user(admin_user).get(url(format="csv")).content.decode()
        assert "'=HYPERLINK(1)" in body

    def test_one_team_is_not_drawn_side_by_side(self, as_user, leader, admin_user, finance_activity, quarter):
        """A leader sees only their team: no one-bar charts, a link to its trend instead."""
        TeamFactory(name="IT", slug="it")
        mine = as_user(leader).get(url(quarter)).content.decode()
        assert "<bdi>Finance</bdi>, " in mine and "Teams side by side" not in mine and "At a glance" not in mine
        assert reverse("insights:team", args=["finance"]) + f"?quarter={quarter}" in mine
        everyone = as_user(admin_user).get(url(quarter)).content.decode()
        assert "Teams side by side" in everyone and "At a glance" in everyone

    def test_htmx_gets_only_the_results(self, as_user, leader, quarter):
        response = as_user(leader).get(url(quarter), HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert 'id="scorecard-results"' in html and "<html" not in html


class TestTeamView:
    @pytest.mark.parametrize("persona, status", [
        ("leader", 200), ("staff", 200), ("host", 404), ("outsider", 404), ("admin_user", 200),
    ])
    def test_only_the_team_and_admins_drill_down(self, request, as_user, finance, persona, status):
        response = as_user(request.getfixturevalue(persona)).get(url(slug="finance"))
        assert response.status_code == status

    def test_a_team_or_quarter_that_does_not_exist_is_a_404(self, as_user, admin_user, finance):
        client = as_user(admin_user)
        assert client.get(url(slug="nobody")).status_code == 404
        assert client.get(url("2026Q9", slug="finance")).status_code == 404

    def test_each_chart_has_a_table_with_the_same_numbers(self, as_user, leader, finance_activity, quarter):
        response = as_user(leader).get(url(quarter, slug="finance"))
        charts = {c["id"]: c for c in response.context["charts"]}
        reads = charts["trend-reads_per_person"]
        assert [m.display for m in reads["marks"]] == ["0", "0", "0", "1.6"]  # 8 reads, 5 people with Grace
        assert reads["marks"][-1].highlight
        html = response.content.decode()
        assert html.count('role="img"') == len(charts) and html.count('class="table chart-table"') == len(charts)
        assert "Quota: 1" in html  # two leaders, a yearly quota of 2 each

    def test_the_x_axis_runs_right_to_left_in_arabic(self, as_user, leader, finance_activity, quarter):
        leader.language = "ar"
        leader.save()
        with translation.override("ar"):
            response = as_user(leader).get(url(quarter, slug="finance"))
        chart = response.context["charts"][0]
        xs = [m.x for m in chart["marks"]]
        assert xs == sorted(xs)
        assert chart["marks"][0].highlight  # the selected (latest) quarter is drawn first, on the left… of an RTL axis
        with translation.override("ar"):
            assert [m.full_label for m in chart["table_marks"]][-1] == str(quarter.label)  # the table reads oldest first

    def test_it_exports_the_trend_as_csv(self, as_user, leader, finance_activity, quarter):
        response = as_user(leader).get(url(quarter, slug="finance", format="csv"))
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert [r[1] for r in rows[1:]] == [str(q) for q in quarter.trend(4)]

    def test_the_same_number_of_queries_at_two_sizes(self, as_user, leader, quarter, django_assert_num_queries):
        client = as_user(leader)
        team, users = team_with_people("Finance", "finance")
        client.get(url(quarter, slug="finance"))
        for size in range(2):
            if size:
                for q in quarter.trend(4):
                    activity(team, users, q, customers=customers(4), stories=5)
            cache.clear()
            with django_assert_num_queries(9):  # session, user, the team, and scorecard()'s five + employee pulse
                client.get(url(quarter, slug="finance"))
            with django_assert_num_queries(4):  # counted a moment ago + employee pulse
                client.get(url(quarter, slug="finance"))


class TestTeamViewFragments:
    def test_htmx_gets_only_the_results(self, as_user, leader, quarter):
        response = as_user(leader).get(url(quarter, slug="finance"), HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert 'id="team-results"' in html and "<html" not in html and html.count('role="img"') == 12  # one chart per charted metric


class TestSharedFigures:
    """The pages share counted figures for a few minutes; who sees which team is decided every time."""

    def test_the_pages_show_the_same_figures_as_the_selector(self, as_user, admin_user, finance_activity, quarter):
        team, _users = finance_activity
        [row] = selectors.scorecard(teams=Team.objects.filter(pk=team.pk), quarters=quarter.trend(4))
        response = as_user(admin_user).get(url(quarter, slug="finance"))
        assert response.context["row"].quarters == row.quarters and response.context["row"].members == row.members
        response = as_user(admin_user).get(url(quarter))
        [shown] = [r for r in response.context["rows"] if r.team == team]
        assert shown.quarters == row.quarters[-1:]

    def test_figures_are_counted_again_after_a_while_and_say_when(self, as_user, admin_user, finance_activity, quarter):
        team, users = finance_activity
        client = as_user(admin_user)
        response = client.get(url(quarter))
        assert "Last updated" in response.content.decode()
        story = Story.objects.filter(reads__user__team=team).first()
        Read.objects.create(story=story, customer_id=story.customer_id, user=UserFactory(team=team), read_at=quarter.start())

        def reads():
            rows = client.get(url(quarter)).context["rows"]
            return next(r.quarters[0]["reads"] for r in rows if r.team == team)

        assert reads() == 8  # within LIFELINE_SCORECARD_MAX_AGE: the figures counted a moment ago
        cache.clear()  # what LIFELINE_SCORECARD_MAX_AGE later amounts to
        assert reads() == 9

    @pytest.mark.parametrize("persona", ["leader", "staff", "outsider", "host"])
    def test_what_an_admin_counted_never_shows_other_teams(self, request, as_user, admin_user, finance_activity,
                                                           it_team, success_team, quarter, persona):
        as_user(admin_user).get(url(quarter))  # every team counted and written out
        user = request.getfixturevalue(persona)
        response = as_user(user).get(url(quarter))
        assert [row.team for row in response.context["rows"]] == [user.team]
        html = response.content.decode()
        others = {"Finance", "IT", "Customer Success"} - {user.team.name}
        assert not any(f"<bdi>{name}</bdi>" in html for name in others)

    def test_each_viewer_sees_their_own_team_marked(self, as_user, admin_user, finance_activity, it_team, quarter):
        as_user(admin_user).get(url(quarter))  # no team of their own: nothing hatched
        finance_admin = UserFactory(team=finance_activity[0], is_staff=True, is_superuser=True, role=User.Role.STAFF)
        html = as_user(finance_admin).get(url(quarter)).content.decode()
        assert 'chart-mark--highlight" data-label="Finance"' in html
        html = as_user(admin_user).get(url(quarter)).content.decode()
        assert "chart-mark--highlight" not in html

    def test_the_written_results_follow_the_language(self, as_user, admin_user, finance_activity, quarter):
        TeamFactory(name="IT", slug="it")
        client = as_user(admin_user)
        english = client.get(url(quarter)).content.decode()
        admin_user.language = "ar"
        admin_user.save()
        with translation.override("ar"):
            arabic = client.get(url(quarter)).content.decode()
        assert "Teams side by side" in english and "Teams side by side" not in arabic


@contextlib.contextmanager
def later(seconds):
    """The clock (timezone.now) `seconds` ahead; the cache's own expiry is not moved."""
    moment = timezone.now() + datetime.timedelta(seconds=seconds)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def add_a_read(team, quarter):
    story = Story.objects.filter(reads__user__team=team).first()
    Read.objects.create(story=story, customer_id=story.customer_id, user=UserFactory(team=team), read_at=quarter.start())


def shown_reads(client, team, quarter, **url_params):
    response = client.get(url(quarter, **url_params))
    rows = response.context["rows"] if "rows" in response.context else [response.context["row"]]
    return next(r.quarters[-1]["reads"] for r in rows if r.team == team), response.context["counted_at"]


class TestStaleWhileRecount:
    """Figures older than LIFELINE_SCORECARD_MAX_AGE are counted again by one request; the others are shown
    the previous ones meanwhile instead of all counting at once."""

    def test_a_due_entry_is_shown_to_others_while_one_request_counts(self, settings, as_user, admin_user,
                                                                     finance_activity, quarter,
                                                                     django_assert_num_queries):
        team, _users = finance_activity
        client = as_user(admin_user)
        reads, first_at = shown_reads(client, team, quarter)
        assert reads == 8
        add_a_read(team, quarter)
        ids = sorted(Team.objects.values_list("pk", flat=True))
        assert cache.add(selectors.scorecard_key(quarter, ids) + ":counting", 1)  # another worker counts
        with later(settings.LIFELINE_SCORECARD_MAX_AGE + 1):  # due, but kept for 3 × MAX_AGE
            with django_assert_num_queries(4):  # session, user, visible teams: no counting + employee pulse
                assert shown_reads(client, team, quarter) == (8, first_at)
            cache.delete(selectors.scorecard_key(quarter, ids) + ":counting")  # it died before writing
            assert shown_reads(client, team, quarter)[0] == 9  # the next request counts

    def test_the_request_that_takes_the_lock_counts_and_the_next_sees_it(self, settings, as_user, admin_user,
                                                                         finance_activity, quarter,
                                                                         django_assert_num_queries):
        team, _users = finance_activity
        client = as_user(admin_user)
        reads, first_at = shown_reads(client, team, quarter)
        add_a_read(team, quarter)
        ids = sorted(Team.objects.values_list("pk", flat=True))
        with later(settings.LIFELINE_SCORECARD_MAX_AGE + 1) as moment:
            with django_assert_num_queries(9):  # session, user, visible teams, and scorecard()'s five + employee pulse
                assert shown_reads(client, team, quarter) == (9, moment)
            assert cache.get(selectors.scorecard_key(quarter, ids) + ":counting") is None  # let go
            with django_assert_num_queries(4):  # + the employee pulse: one query
                assert shown_reads(client, team, quarter) == (9, moment)
        assert reads == 8 and first_at < moment

    def test_an_entry_past_the_hard_limit_is_counted_in_the_request(self, settings, as_user, admin_user,
                                                                    finance_activity, quarter,
                                                                    django_assert_num_queries):
        team, _users = finance_activity
        client = as_user(admin_user)
        shown_reads(client, team, quarter)
        add_a_read(team, quarter)
        ids = sorted(Team.objects.values_list("pk", flat=True))
        cache.add(selectors.scorecard_key(quarter, ids) + ":counting", 1)  # even while someone counts
        with later(3 * settings.LIFELINE_SCORECARD_MAX_AGE + 1) as moment:
            with django_assert_num_queries(9):  # + the employee pulse: one query
                assert shown_reads(client, team, quarter) == (9, moment)

    def test_a_team_page_counts_only_its_due_quarters(self, settings, as_user, leader, finance_activity, quarter,
                                                     django_assert_num_queries):
        team, _users = finance_activity
        client = as_user(leader)
        shown_reads(client, team, quarter, slug="finance")
        older = selectors.scorecard_key(quarter.shift(-1), [team.pk])
        cache.add(older + ":counting", 1)
        add_a_read(team, quarter)
        with later(settings.LIFELINE_SCORECARD_MAX_AGE + 1) as moment:
            with django_assert_num_queries(9):  # the three quarters nobody else counts, in one go + employee pulse
                reads, counted_at = shown_reads(client, team, quarter, slug="finance")
        assert reads == 9 and counted_at < moment  # the oldest figures shown: the one another worker counts
        assert cache.get(older)["at"] == counted_at


class TestRefreshScorecardsTask:
    """Beat counts again, before they are due, the figures people asked for in the last hour."""

    def test_it_counts_a_half_old_entry_so_no_request_has_to(self, settings, as_user, admin_user, finance_activity,
                                                             quarter, django_assert_num_queries):
        team, _users = finance_activity
        client = as_user(admin_user)
        shown_reads(client, team, quarter)
        add_a_read(team, quarter)
        with later(settings.LIFELINE_SCORECARD_MAX_AGE // 2 + 1) as moment:
            with django_assert_num_queries(6):  # the teams that still exist, and scorecard()'s five
                assert tasks.refresh_scorecards_task.delay().get() == 1
            with django_assert_num_queries(4):  # session, user, visible teams: counted already + employee pulse
                assert shown_reads(client, team, quarter) == (9, moment)

    def test_running_it_twice_counts_once(self, settings, as_user, leader, finance_activity, quarter,
                                          django_assert_num_queries):
        as_user(leader).get(url(quarter, slug="finance"))
        with later(settings.LIFELINE_SCORECARD_MAX_AGE // 2 + 1):
            assert tasks.refresh_scorecards_task.apply().get() == 4  # the team page's four quarters
            with django_assert_num_queries(1):  # which teams still exist; nothing left to count
                assert tasks.refresh_scorecards_task.apply().get() == 0

    def test_it_leaves_an_entry_another_worker_counts(self, settings, as_user, admin_user, finance_activity,
                                                      quarter, django_assert_num_queries):
        as_user(admin_user).get(url(quarter))
        ids = sorted(Team.objects.values_list("pk", flat=True))
        lock = selectors.scorecard_key(quarter, ids) + ":counting"
        cache.add(lock, 1)
        with later(settings.LIFELINE_SCORECARD_MAX_AGE // 2 + 1):
            with django_assert_num_queries(1):
                assert tasks.refresh_scorecards_task.apply().get() == 0
            cache.delete(lock)
            assert tasks.refresh_scorecards_task.apply().get() == 1

    def test_it_skips_deleted_teams_and_entries_not_asked_for_an_hour(self, settings, as_user, admin_user, leader,
                                                                      finance_activity, it_team, quarter,
                                                                      django_assert_num_queries):
        team, _users = finance_activity
        as_user(admin_user).get(url(quarter))  # Finance and IT
        everyone = selectors.scorecard_key(quarter, sorted(Team.objects.values_list("pk", flat=True)))
        before = cache.get(everyone)["at"]
        client = as_user(leader)
        shown_reads(client, team, quarter, slug="finance")
        it_team.delete()
        add_a_read(team, quarter)
        with later(settings.LIFELINE_SCORECARD_MAX_AGE // 2 + 1) as moment:
            assert tasks.refresh_scorecards_task.apply().get() == 4  # Finance's page; not the set with IT in it
            assert cache.get(everyone)["at"] == before
            assert shown_reads(client, team, quarter, slug="finance") == (9, moment)
        with later(60 * 60 + settings.LIFELINE_SCORECARD_MAX_AGE):
            with django_assert_num_queries(0):
                assert tasks.refresh_scorecards_task.apply().get() == 0
            assert cache.get(selectors.scorecard_key(quarter, [team.pk]))["at"] == moment

    def test_the_list_of_what_was_asked_keeps_the_last_hour(self, as_user, admin_user, finance, it_team, quarter):
        client = as_user(admin_user)
        client.get(url(quarter, slug="it"))
        with later(60 * 60 + 1):
            client.get(url(quarter, slug="finance"))
        asked = cache.get(selectors.ASKED_KEY)
        assert {ids for _quarter, ids in asked} == {(finance.pk,)}
        assert sorted(q for q, _ids in asked) == [str(q) for q in quarter.trend(4)]


class TestScorecardWithoutTheCache:
    """The figures' cache is an optimisation: with its server down (django-redis answers every get with
    a miss and every add() with a refusal) or its lock never granted, the page still counts and answers."""

    DOWN = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port: refused at once
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }

    def test_with_the_server_down_each_request_counts(self, settings, as_user, admin_user, finance_activity,
                                                      quarter, django_assert_num_queries):
        from django.core.cache import caches

        settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
        settings.CACHES = {**settings.CACHES, "default": self.DOWN}
        try:
            team, _users = finance_activity
            client = as_user(admin_user)
            with django_assert_num_queries(9):  # session, user, visible teams, scorecard()'s five + employee pulse
                assert shown_reads(client, team, quarter)[0] == 8
            add_a_read(team, quarter)
            with django_assert_num_queries(9):  # counted again: nothing was kept + employee pulse
                reads, counted_at = shown_reads(client, team, quarter)
            assert reads == 9 and counted_at is not None
        finally:
            caches["default"].close()

    @pytest.mark.parametrize("refused", [None, False])
    def test_a_lock_never_granted_shows_the_previous_figures_then_counts(self, settings, as_user, admin_user,
                                                                        finance_activity, quarter, refused):
        team, _users = finance_activity
        client = as_user(admin_user)
        reads, first_at = shown_reads(client, team, quarter)
        add_a_read(team, quarter)
        with mock.patch.object(selectors.cache, "add", return_value=refused):
            with later(settings.LIFELINE_SCORECARD_MAX_AGE + 1):  # due: nobody gets the lock
                assert shown_reads(client, team, quarter) == (8, first_at)
            with later(selectors.COUNTED_KEPT_FOR * settings.LIFELINE_SCORECARD_MAX_AGE + 1) as moment:
                assert shown_reads(client, team, quarter) == (9, moment)  # too old to show: counted here
        assert reads == 8


class TestScorecardResultsKeptPerWorker:
    def test_each_worker_writes_the_results_once_and_new_figures_reach_both(self, settings, as_user, admin_user,
                                                                            finance_activity, quarter, as_worker):
        team, _users = finance_activity
        client = as_user(admin_user)
        for name in ("a", "b"):
            with as_worker(name) as fragments:
                fragments.clear()  # a worker's memory outlives a test
                assert "compare-table" in client.get(url(quarter)).content.decode()
                assert len(fragments._cache) == 1  # the results, in this worker's memory only
        add_a_read(team, quarter)
        with later(selectors.COUNTED_KEPT_FOR * settings.LIFELINE_SCORECARD_MAX_AGE + 1):
            for name in ("a", "b"):
                with as_worker(name) as fragments:
                    reads, _at = shown_reads(client, team, quarter)
                    assert reads == 9 and len(fragments._cache) == 2  # a new key: when they were counted
