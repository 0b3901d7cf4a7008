"""Ideas and pilots: the lifecycle open → piloting → adopted/dropped, joining, teams, the pilot's
result, and who may do what."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from improvements import services
from improvements.models import Idea, IdeaEvent, IdeaMember, Pilot
from tests.factories import CustomerFactory, UserFactory



DEC1, JAN31 = datetime.date(2026, 12, 1), datetime.date(2027, 1, 31)


def pilot(idea, by, owner=None):
    return services.pilot_start(by=by, idea=idea, owner=owner or by, starts_on=DEC1, ends_on=JAN31, measure="Late deliveries a month")


@pytest.mark.django_db
class TestOpen:
    def test_anyone_opens_an_idea_from_a_pattern(self, rising, outsider, as_user, ken):
        client = as_user(outsider)
        form = client.get(reverse("improvements:idea_new"), {"category": "Late delivery", "month": "2026-12"}).content.decode()
        assert "Late delivery" in form and f'value="{ken.pk}"' in form
        response = client.post(reverse("improvements:idea_new"), {
            "title": "Confirm slots", "category": "Late delivery", "problem": "Late.", "proposal": "Text them.",
            "customers": [ken.pk], "estimated_cost": "800", "estimated_benefit": "3000",
        })
        idea = Idea.objects.get()
        assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
        assert idea.author == outsider and idea.status == "open" and list(idea.customers.all()) == [ken]
        assert IdeaMember.objects.filter(idea=idea, user=outsider).exists()
        assert list(idea.events.values_list("kind", flat=True)) == ["opened"]

    def test_the_form_from_a_pattern_names_only_customers_the_reader_may_see_named(self, rising, outsider, host,
                                                                                   as_user, ken, riverbend):
        # Riverbend asked not to be named: the patterns page shows it to staff by description only, so the
        # idea form must not tie its name to these complaints either.
        asked = {"category": "Late delivery", "month": "2026-12"}
        form = as_user(outsider).get(reverse("improvements:idea_new"), asked).content.decode()
        assert f'value="{ken.pk}"' in form
        assert "Riverbend" not in form and f'value="{riverbend.pk}"' not in form
        form = as_user(host).get(reverse("improvements:idea_new"), asked).content.decode()
        assert "Riverbend Farms" in form and f'value="{riverbend.pk}"' in form

    def test_an_edit_keeps_customers_the_editor_may_not_see_named_without_showing_them(self, staff, admin_user,
                                                                                        as_user, ken, riverbend):
        idea = services.idea_open(by=staff, title="Confirm slots", category="Late delivery", problem="Late.",
                                  proposal="Text them.", customers=[ken, riverbend])
        edit = reverse("improvements:idea_edit", args=[idea.pk])
        client = as_user(staff)
        form = client.get(edit).content.decode()
        assert "Ken&#x27;s Plumbing Supply" in form or "Ken's Plumbing Supply" in form
        assert "Riverbend" not in form and f'value="{riverbend.pk}"' not in form
        data = {"title": "Confirm slots by text", "category": "Late delivery", "problem": "Late.", "proposal": "Text them."}
        assert client.post(edit, {**data, "customers": [ken.pk]}).status_code == 302
        idea.refresh_from_db()
        assert idea.title == "Confirm slots by text" and set(idea.customers.all()) == {ken, riverbend}
        assert client.post(edit, data).status_code == 302  # Ken taken off; Riverbend stays
        assert list(idea.customers.all()) == [riverbend]
        # An admin sees it named, and may take it off.
        assert "Riverbend Farms" in as_user(admin_user).get(edit).content.decode()
        assert as_user(admin_user).post(edit, {**data, "customers": [ken.pk]}).status_code == 302
        assert list(idea.customers.all()) == [ken]

    @pytest.mark.parametrize(("language", "shown"), [("en", "12,500.00"), ("he", "12,500.00"), ("ar", "12.500,00"),
                                                     ("fa", "12,500.00"), ("vi", "12.500,00")])
    def test_amounts_are_grouped_by_thousands_in_every_language(self, staff, as_user, language, shown):
        idea = services.idea_open(by=staff, title="Confirm slots", problem="Late.", proposal="Text them.",
                                  estimated_cost=12500)
        staff.language = language
        staff.save(update_fields=["language"])
        assert f"{shown}\N{NO-BREAK SPACE}EUR" in as_user(staff).get(idea.get_absolute_url()).content.decode()

    def test_a_second_save_never_undoes_the_first_and_loses_nothing(self, idea, staff, leader, as_user):
        edit = reverse("improvements:idea_edit", args=[idea.pk])
        data = {"title": "Confirm delivery slots", "category": "Late delivery", "problem": "Late again.",
                "proposal": "Text the day before.", "customers": [c.pk for c in idea.customers.all()]}
        seen = re.search(r'name="seen" value="([0-9a-f]+)"', as_user(staff).get(edit).content.decode())[1]
        assert as_user(leader).post(edit, {**data, "proposal": "Call the day before."}).status_code == 302
        response = as_user(staff).post(edit, {**data, "proposal": "Text two days before.", "seen": seen})
        page = response.content.decode()
        assert "Someone else saved changes to this idea while you were editing it." in page
        assert "Text two days before.</textarea>" in page
        idea.refresh_from_db()
        assert idea.proposal == "Call the day before."
        again = re.search(r'name="seen" value="([0-9a-f]+)"', page)[1]
        assert as_user(staff).post(edit, {**data, "proposal": "Text two days before.", "seen": again}).status_code == 302
        idea.refresh_from_db()
        assert idea.proposal == "Text two days before."

    def test_a_change_of_customers_meanwhile_is_a_conflict_too(self, idea, staff, leader, as_user):
        edit = reverse("improvements:idea_edit", args=[idea.pk])
        data = {"title": "Confirm delivery slots", "category": "Late delivery", "problem": "Late again.",
                "proposal": "Text the day before.", "customers": [c.pk for c in idea.customers.all()],
                "estimated_cost": "800.00", "estimated_benefit": "3000.00"}  # the idea as it is
        seen = re.search(r'name="seen" value="([0-9a-f]+)"', as_user(staff).get(edit).content.decode())[1]
        other = CustomerFactory(name="Harbor Lights Bakery")
        assert as_user(leader).post(edit, {**data, "customers": [*data["customers"], other.pk]}).status_code == 302
        response = as_user(staff).post(edit, {**data, "proposal": "Text two days before.", "seen": seen})
        assert "Someone else saved changes to this idea while you were editing it." in response.content.decode()
        assert other in idea.customers.all()

    @pytest.mark.parametrize(("language", "separator"), [("en", ", "), ("ar", "، "), ("fa", "، ")])
    def test_affected_customers_are_listed_as_the_language_writes_a_list(self, staff, as_user, ken, language,
                                                                         separator):
        other = CustomerFactory(name="Harbor Lights Bakery")
        idea = services.idea_open(by=staff, title="Confirm slots", problem="Late.", proposal="Text them.",
                                  customers=[ken, other])
        staff.language = language
        staff.save(update_fields=["language"])
        client = as_user(staff)
        for page in (idea.get_absolute_url(), reverse("improvements:quarter", kwargs={"year": 2026, "number": 4})):
            html = client.get(page).content.decode()
            labels = sorted(["Ken&#x27;s Plumbing Supply", "Harbor Lights Bakery"])
            assert f"{labels[0]}</bdi></a>{separator}<a" in html or f"{labels[0]}</bdi>{separator}<bdi>" in html, page

    def test_amounts_name_the_company_currency_where_entered_and_shown(self, staff, as_user, settings):
        settings.LIFELINE_CURRENCY = "SEK"
        client = as_user(staff)
        form = client.get(reverse("improvements:idea_new")).content.decode()
        assert "Estimated cost (SEK)" in form and "Estimated benefit (SEK)" in form
        idea = services.idea_open(by=staff, title="Confirm slots", problem="Late.", proposal="Text them.",
                                  estimated_cost=800)
        assert "800.00\N{NO-BREAK SPACE}SEK" in client.get(idea.get_absolute_url()).content.decode()

    @pytest.mark.parametrize("field, value", [("estimated_cost", "-1"), ("estimated_benefit", "abc"), ("title", "")])
    def test_bad_input_changes_nothing(self, staff, as_user, field, value):
        data = {"title": "T", "problem": "p", "proposal": "q", field: value}
        response = as_user(staff).post(reverse("improvements:idea_new"), data)
        assert response.status_code == 200 and not Idea.objects.exists()
        assert 'class="errorlist"' in response.content.decode()


@pytest.mark.django_db
class TestMembers:
    def test_join_and_leave_oneself(self, idea, outsider, as_user):
        client = as_user(outsider)
        client.post(reverse("improvements:idea_join", args=[idea.pk]), {"join": "1"})
        client.post(reverse("improvements:idea_join", args=[idea.pk]), {"join": "1"})  # a double click
        assert IdeaMember.objects.filter(idea=idea, user=outsider).count() == 1
        client.post(reverse("improvements:idea_join", args=[idea.pk]), {"join": "0"})
        assert not IdeaMember.objects.filter(idea=idea, user=outsider).exists()
        assert list(idea.events.values_list("kind", flat=True)) == ["opened", "joined", "left"]

    def test_a_leader_adds_their_own_team_only(self, idea, leader, finance, it_team, as_user):
        client = as_user(leader)
        client.post(reverse("improvements:idea_team", args=[idea.pk]), {"team": finance.pk, "join": "1"})
        assert IdeaMember.objects.filter(idea=idea, team=finance).exists()
        assert client.post(reverse("improvements:idea_team", args=[idea.pk]), {"team": it_team.pk, "join": "1"}).status_code == 403
        assert not IdeaMember.objects.filter(idea=idea, team=it_team).exists()

    def test_staff_cannot_add_a_team(self, idea, staff, finance, as_user):
        assert as_user(staff).post(reverse("improvements:idea_team", args=[idea.pk]), {"team": finance.pk, "join": "1"}).status_code == 403
        assert not IdeaMember.objects.filter(team=finance).exists()

    def test_an_admin_adds_any_team(self, idea, admin_user, it_team):
        assert services.idea_team_join(by=admin_user, idea=idea, team=it_team)

    def test_nobody_joins_a_closed_idea(self, idea, staff, outsider):
        services.idea_close(by=staff, idea=idea, to="dropped")
        with pytest.raises(ValidationError):
            services.idea_join(by=outsider, idea=idea)


@pytest.mark.django_db
class TestPilot:
    def test_the_whole_story(self, rising, idea, staff, leader, ken, as_user):
        client = as_user(staff)  # the author
        response = client.post(reverse("improvements:pilot_start", args=[idea.pk]), {
            "owner": leader.pk, "starts_on": "2026-12-01", "ends_on": "2026-12-31", "measure": "Late deliveries a month"})
        assert response.status_code == 302
        idea.refresh_from_db()
        assert idea.status == "piloting" and idea.pilot.owner == leader
        assert IdeaMember.objects.filter(idea=idea, user=leader).exists()
        # the pilot's owner records the result
        client = as_user(leader)
        response = client.post(reverse("improvements:pilot_result", args=[idea.pk]), {
            "actual_cost": "1200", "saving": "4800", "effect": "fewer", "result": "Fewer crews idle."})
        assert response.status_code == 302
        result = Pilot.objects.get()
        # 12 late deliveries in December; in the 31 days before (Oct 31 - Nov 30) 2
        assert (result.complaints_before, result.complaints_during) == (2, 12)
        assert result.recorded_by == leader and result.effect == "fewer"
        client.post(reverse("improvements:idea_close", args=[idea.pk]), {"to": "adopted"})
        idea.refresh_from_db()
        assert idea.status == "adopted" and idea.closed_at
        assert list(idea.events.values_list("kind", flat=True)) == ["opened", "piloting", "result", "adopted"]
        page = client.get(idea.get_absolute_url()).content.decode()
        assert "Fewer complaints" in page and "2 in the same number of days before the pilot, 12 during it" in page

    def test_a_pilots_owner_is_not_called_a_decision_maker_in_arabic(self, idea, staff, as_user):
        staff.language = "ar"
        staff.save(update_fields=["language"])
        client = as_user(staff)
        form = client.get(reverse("improvements:pilot_start", args=[idea.pk])).content.decode()
        services.pilot_start(by=staff, idea=idea, owner=staff, starts_on=DEC1, ends_on=JAN31, measure="Late")
        page = client.get(idea.get_absolute_url()).content.decode()
        for html in (form, page):
            assert "المسؤول عن التجربة" in html and "صاحب القرار" not in html

    def test_the_history_in_arabic_names_each_step_whoever_took_it(self, idea, staff, outsider, as_user):
        """Arabic verbs agree with who acts: each step is named (a verbal noun), then who took it, so a
        woman's step never reads as a man's."""
        staff.language = "ar"
        staff.name = "Layla Haddad"
        staff.save(update_fields=["language", "name"])
        outsider.name = "Tom Becker"
        outsider.save(update_fields=["name"])
        services.idea_join(by=outsider, idea=idea)
        page = as_user(staff).get(idea.get_absolute_url()).content.decode()
        history = page.split('class="list-plain idea-history"', 1)[1].split("</ol>", 1)[0]
        assert "طرح الفكرة (<bdi>Layla Haddad</bdi>)" in history
        assert "الانضمام (<bdi>Tom Becker</bdi>)" in history
        assert "فتح الفكرة" not in history and "انضم" not in history.replace("الانضمام", "")

    def test_the_history_in_english_reads_as_a_sentence(self, idea, staff, as_user):
        page = as_user(staff).get(idea.get_absolute_url()).content.decode()
        assert f"<bdi>{staff.name}</bdi> opened the idea" in page.split('class="list-plain idea-history"', 1)[1]

    def test_no_result_before_the_pilot_starts(self, idea, staff, as_user):
        services.pilot_start(by=staff, idea=idea, owner=staff, starts_on=datetime.date(2027, 1, 4),
                             ends_on=datetime.date(2027, 2, 26), measure="Late deliveries")
        client = as_user(staff)
        result = reverse("improvements:pilot_result", args=[idea.pk])
        assert result not in client.get(idea.get_absolute_url()).content.decode()
        data = {"actual_cost": "0", "saving": "0", "effect": "fewer", "result": "Worked."}
        page = client.post(result, data, follow=True).content.decode()
        assert "The pilot starts on 4 Jan 2027: its result can be recorded from that day." in page
        with pytest.raises(ValidationError):
            services.pilot_record(by=staff, idea=idea, actual_cost=None, saving=None, effect="fewer", result="r")
        idea.refresh_from_db()
        assert idea.pilot.recorded_at is None and idea.pilot.effect == ""
        response = client.post(reverse("improvements:idea_close", args=[idea.pk]), {"to": "adopted"})
        assert "Record the pilot&#x27;s result before adopting the idea." in response.content.decode()
        idea.refresh_from_db()
        assert idea.status == "piloting"

    def test_a_result_sent_after_the_pilot_was_dropped_keeps_what_was_typed(self, idea, staff, leader, as_user):
        services.pilot_start(by=staff, idea=idea, owner=leader, starts_on=DEC1, ends_on=JAN31, measure="Late deliveries")
        services.idea_close(by=staff, idea=idea, to="dropped")  # while the leader was writing the result
        response = as_user(leader).post(reverse("improvements:pilot_result", args=[idea.pk]), {
            "actual_cost": "1200", "saving": "4800", "effect": "fewer", "result": "Fewer crews idle at dawn."})
        page = response.content.decode()
        assert "Only a running pilot can have its result recorded." in page and "Fewer crews idle at dawn." in page
        idea.refresh_from_db()
        assert idea.status == "dropped" and idea.pilot.recorded_at is None

    def test_a_pilot_started_twice_keeps_the_second_ones_text(self, idea, staff, leader, as_user):
        services.pilot_start(by=staff, idea=idea, owner=staff, starts_on=DEC1, ends_on=JAN31, measure="Late deliveries")
        response = as_user(staff).post(reverse("improvements:pilot_start", args=[idea.pk]), {
            "owner": leader.pk, "starts_on": "2026-12-01", "ends_on": "2026-12-31", "measure": "Idle crews a week"})
        page = response.content.decode()
        assert "Only an open idea can become a pilot." in page and "Idle crews a week" in page
        idea.refresh_from_db()
        assert idea.pilot.measure == "Late deliveries"

    def test_the_history_names_the_result_in_each_readers_language(self, idea, staff, leader, as_user):
        services.pilot_start(by=staff, idea=idea, owner=leader, starts_on=datetime.date(2026, 12, 1),
                             ends_on=datetime.date(2026, 12, 31), measure="Late deliveries")
        leader.language = "ar"  # recorded by someone who reads Arabic, in Arabic
        leader.save(update_fields=["language"])
        with translation.override("ar"):
            services.pilot_record(by=leader, idea=idea, actual_cost=None, saving=None, effect="fewer", result="r")
        history = "<bdi>Fewer complaints</bdi>"
        assert history in as_user(staff).get(idea.get_absolute_url()).content.decode()
        page = as_user(leader).get(idea.get_absolute_url()).content.decode()
        assert "<bdi>شكاوى أقل</bdi>" in page and history not in page

    @pytest.mark.parametrize("starts, ends, error", [
        ("2026-12-10", "2026-12-01", "on or after the day it starts"),
        ("1999-12-31", "2026-12-01", "Enter a date from"),
        ("2026-12-01", "2101-01-01", "Enter a date from"),
        ("yesterday", "2026-12-01", "Enter a valid date"),
    ])
    def test_bad_dates_change_nothing(self, idea, staff, as_user, starts, ends, error):
        response = as_user(staff).post(reverse("improvements:pilot_start", args=[idea.pk]), {
            "owner": staff.pk, "starts_on": starts, "ends_on": ends, "measure": "m"})
        assert response.status_code == 200 and error in response.content.decode()
        idea.refresh_from_db()
        assert idea.status == "open" and not Pilot.objects.exists()

    def test_the_service_refuses_bad_dates_too(self, idea, staff):
        with pytest.raises(ValidationError):
            services.pilot_start(by=staff, idea=idea, owner=staff, starts_on=JAN31, ends_on=DEC1, measure="m")
        with pytest.raises(ValidationError):
            services.pilot_start(by=staff, idea=idea, owner=staff, starts_on=datetime.date(1999, 1, 1), ends_on=DEC1, measure="m")
        assert not Pilot.objects.exists()

    def test_a_result_needs_numbers_that_make_sense(self, idea, staff, as_user):
        pilot(idea, staff)
        response = as_user(staff).post(reverse("improvements:pilot_result", args=[idea.pk]), {
            "actual_cost": "-5", "saving": "x", "effect": "fewer", "result": "r"})
        assert response.status_code == 200 and Pilot.objects.get().recorded_at is None

    def test_adopting_needs_a_result(self, idea, staff):
        pilot(idea, staff)
        with pytest.raises(ValidationError):
            services.idea_close(by=staff, idea=idea, to="adopted")
        assert Idea.objects.get().status == "piloting"

    @pytest.mark.parametrize("to", ["adopted", "open", "piloting", "nonsense"])
    def test_an_open_idea_can_only_be_dropped_or_piloted(self, idea, staff, to):
        with pytest.raises(ValidationError):
            services.idea_close(by=staff, idea=idea, to=to)

    def test_a_dropped_idea_stays_dropped(self, idea, staff):
        services.idea_close(by=staff, idea=idea, to="dropped")
        with pytest.raises(ValidationError):
            pilot(idea, staff)
        with pytest.raises(ValidationError):
            services.idea_close(by=staff, idea=idea, to="dropped")


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("persona, allowed", [
        ("staff", True),  # the author
        ("leader", True), ("admin_user", True), ("outsider", False), ("host", False),
    ])
    def test_who_manages_an_idea(self, idea, persona, allowed, request, as_user):
        client = as_user(request.getfixturevalue(persona))
        for name in ("idea_edit", "pilot_start"):
            assert (client.get(reverse(f"improvements:{name}", args=[idea.pk])).status_code == 200) is allowed
        response = client.post(reverse("improvements:idea_close", args=[idea.pk]), {"to": "dropped"})
        assert response.status_code == (302 if allowed else 403)
        assert Idea.objects.get().status == ("dropped" if allowed else "open")

    def test_the_pilot_owner_may_manage(self, idea, staff, outsider):
        pilot(idea, staff, owner=outsider)
        idea = Idea.objects.select_related("pilot").get()
        services.pilot_record(by=outsider, idea=idea, actual_cost=None, saving=None, effect="same", result="Nothing changed.")
        other = UserFactory()
        with pytest.raises(PermissionDenied):
            services.idea_close(by=other, idea=idea, to="dropped")

    def test_writes_refuse_get(self, idea, staff, as_user):
        client = as_user(staff)
        for name in ("idea_join", "idea_team"):
            assert client.get(reverse(f"improvements:{name}", args=[idea.pk])).status_code == 405
        assert client.get(reverse("improvements:idea_close", args=[idea.pk]), {"to": "dropped"}).status_code == 200
        assert Idea.objects.get().status == "open"  # asking is not dropping


@pytest.mark.django_db
class TestClose:
    """Adopting or dropping an idea is a page of its own that asks why; the history keeps the answer."""

    def close(self, idea):
        return reverse("improvements:idea_close", args=[idea.pk])

    def test_dropping_asks_why_and_the_history_says_it(self, idea, staff, leader, as_user):
        client = as_user(staff)
        page = client.get(idea.get_absolute_url()).content.decode()
        assert f'href="{self.close(idea)}?to=dropped"' in page
        assert f'{self.close(idea)}?to=adopted' not in page  # nothing piloted yet: nothing to adopt
        form = client.get(self.close(idea), {"to": "dropped"}).content.decode()
        assert "Drop the idea" in form and 'name="note"' in form and 'value="dropped"' in form
        response = client.post(self.close(idea), {"to": "dropped", "note": "  The carrier changed its slots.  "})
        assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
        idea.refresh_from_db()
        assert idea.status == "dropped"
        assert IdeaEvent.objects.get(idea=idea, kind="dropped").detail == "The carrier changed its slots."
        assert "dropped it: <bdi>The carrier changed its slots.</bdi>" in as_user(leader).get(idea.get_absolute_url()).content.decode()

    def test_a_too_long_reason_changes_nothing_and_comes_back(self, idea, staff, as_user):
        reason = "Because " + "the carrier changed its slots, " * 12
        response = as_user(staff).post(self.close(idea), {"to": "dropped", "note": reason})
        page = response.content.decode()
        assert response.status_code == 200 and "at most 300 characters" in page and reason.strip() in page
        idea.refresh_from_db()
        assert idea.status == "open" and not IdeaEvent.objects.filter(kind="dropped").exists()

    def test_dropped_by_someone_else_meanwhile_the_reason_comes_back(self, idea, staff, leader, as_user):
        services.idea_close(by=leader, idea=idea, to="dropped", note="Out of budget.")
        response = as_user(staff).post(self.close(idea), {"to": "dropped", "note": "The carrier changed its slots."})
        page = response.content.decode()
        assert response.status_code == 200
        assert "This idea cannot be dropped now." in page and "The carrier changed its slots.</textarea>" in page
        assert list(IdeaEvent.objects.filter(kind="dropped").values_list("detail", flat=True)) == ["Out of budget."]
        asked = as_user(staff).get(self.close(idea), {"to": "dropped"}, follow=True)
        assert asked.redirect_chain[-1][0] == idea.get_absolute_url()
        assert "This idea cannot be dropped now." in asked.content.decode()

    @pytest.mark.parametrize("to", ["", "open", "piloting", "reopened"])
    def test_anything_but_adopt_or_drop_is_not_found(self, idea, staff, as_user, to):
        assert as_user(staff).get(self.close(idea), {"to": to}).status_code == 404
        assert as_user(staff).post(self.close(idea), {"to": to}).status_code == 404
        idea.refresh_from_db()
        assert idea.status == "open"

    def test_a_missing_idea_is_404(self, staff, as_user):
        assert as_user(staff).get(reverse("improvements:idea", args=[999])).status_code == 404

    def test_the_history_shows_who_did_what(self, idea, staff, leader, as_user):
        pilot(idea, staff)
        page = as_user(leader).get(idea.get_absolute_url()).content.decode()
        assert "opened the idea" in page and "started a pilot" in page
        assert IdeaEvent.objects.filter(idea=idea).count() == 2


@pytest.mark.django_db
class TestQuarter:
    def test_the_summary_counts_ideas_pilots_and_results(self, rising, idea, staff, leader, as_user):
        pilot(idea, staff)
        idea = Idea.objects.select_related("pilot").get()
        services.pilot_record(by=staff, idea=idea, actual_cost=1200, saving=4800, effect="fewer", result="r")
        services.idea_close(by=leader, idea=idea, to="adopted")
        page = as_user(leader).get(reverse("improvements:quarter", kwargs={"year": 2026, "number": 4})).content.decode()
        assert "Improvements, Q4 2026" in page and "Confirm delivery slots" in page
        assert "4,800.00\N{NO-BREAK SPACE}EUR" in page and "cost 1,200.00\N{NO-BREAK SPACE}EUR, saving" in page
        assert "Fewer complaints" in page and "@media print" not in page
        empty = as_user(leader).get(reverse("improvements:quarter", kwargs={"year": 2026, "number": 2})).content.decode()
        assert "No ideas or pilots this quarter." in empty

    @pytest.mark.parametrize(("language", "word"), [("vi", "Tiết kiệm được"), ("ar", "التوفير"), ("en", "Saving")])
    def test_a_pilots_saving_is_money_saved_not_a_save_in_progress(self, idea, staff, as_user, language, word):
        pilot(idea, staff)
        idea = Idea.objects.select_related("pilot").get()
        services.pilot_record(by=staff, idea=idea, actual_cost=1200, saving=4800, effect="fewer", result="r")
        staff.language = language
        staff.save(update_fields=["language"])
        page = as_user(staff).get(idea.get_absolute_url()).content.decode()
        assert f"<dt>{word}</dt>" in page and "Đang lưu" not in page and "جارٍ الحفظ" not in page

    def test_the_current_quarter_redirects(self, staff, as_user):
        response = as_user(staff).get(reverse("improvements:quarter_current"))
        assert response["Location"] == reverse("improvements:quarter", kwargs={"year": 2026, "number": 4})

    @pytest.mark.parametrize("year, number", [(1999, 1), (2101, 1), (2026, 5), (2026, 0)])
    def test_an_impossible_quarter_is_404(self, staff, as_user, year, number):
        assert as_user(staff).get(f"/improvements/quarter/{year}-q{number}/").status_code == 404


