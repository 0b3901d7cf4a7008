import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from insights import services, tasks
from digests.models import NotificationPreferences
from insights.models import PulseDelivery, PulseFigure, PulseIssue
from insights.periods import add_months, last_months
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

RECORDERS = {"leader": 403, "staff": 403, "host": 200, "admin_user": 200, "outsider": 403}
OCT = datetime.date(2026, 10, 1)


@pytest.fixture
def ken(db):
    return CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply", external_id="CRM-1001")


def figures(**values):
    return {"products_returned": 0, "customers_credited": 0, "legal_threats": 0, "customers_saved": 0, **values}


def upload(text):
    return {"file": SimpleUploadedFile("pulse.csv", text.encode(), content_type="text/csv")}


class TestPulsePage:
    @pytest.mark.parametrize("persona", list(RECORDERS))
    def test_everyone_sees_the_pulse(self, request, as_user, persona, admin_user):
        services.pulse_record(by=admin_user, month=last_months(1)[0], figures=figures(products_returned=7))
        response = as_user(request.getfixturevalue(persona)).get(reverse("insights:pulse"))
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count('role="img"') == 4 and "Products returned" in html
        assert ("Record figures" in html) == (RECORDERS[persona] == 200)

    def test_chart_and_table_agree_and_months_without_figures_say_so(self, as_user, staff, admin_user):
        month = last_months(1)[0]
        services.pulse_record(by=admin_user, month=month, figures=figures(legal_threats=3))
        response = as_user(staff).get(reverse("insights:pulse"))
        chart = next(c for c in response.context["charts"] if c["id"] == "pulse-legal_threats")
        assert [m.display for m in chart["marks"]] == ["—"] * 5 + ["3"]

    @pytest.mark.parametrize(("language", "october"), [("en", "October 2026"), ("ar", "أكتوبر 2026")])
    def test_the_tables_name_the_months_in_the_readers_language(self, as_user, staff, language, october):
        staff.language = language
        staff.save()
        response = as_user(staff).get(reverse("insights:pulse") + "?month=2026-10", HTTP_ACCEPT_LANGUAGE=language)
        chart = response.context["charts"][0]
        assert october in [m.full_label for m in chart["table_marks"]] and october in chart["desc"]
        assert "2026-10<" not in response.content.decode()

    def test_a_month_that_does_not_exist_is_a_404(self, as_user, staff):
        for bad in ["2026-13", "abc", "2026-1x"]:
            assert as_user(staff).get(reverse("insights:pulse") + f"?month={bad}").status_code == 404

    def test_it_exports_csv(self, as_user, staff, admin_user):
        services.pulse_record(by=admin_user, month=OCT, figures=figures(customers_saved=4))
        body = as_user(staff).get(reverse("insights:pulse") + "?month=2026-10&format=csv").content.decode()
        assert body.splitlines()[0].startswith("Month,Products returned")
        assert "2026-10,0,0,0,4" in body

    def test_a_months_totals_add_every_row(self, admin_user, ken):
        from insights.selectors import pulse_totals

        services.pulse_record(by=admin_user, month=OCT, figures=figures(products_returned=5))
        services.pulse_record(by=admin_user, month=OCT, customer=ken, figures=figures(products_returned=2))
        assert pulse_totals([OCT])[0]["products_returned"] == 7


class TestPulseRecord:
    @pytest.mark.parametrize("persona, status", RECORDERS.items())
    def test_only_admins_and_customer_success_hosts_record(self, request, as_user, persona, status):
        client = as_user(request.getfixturevalue(persona))
        assert client.get(reverse("insights:pulse_record")).status_code == status
        response = client.post(reverse("insights:pulse_record"), {"month": "2026-10", **figures(legal_threats=1)})
        assert response.status_code == (302 if status == 200 else 403)
        assert PulseFigure.objects.count() == (1 if status == 200 else 0)

    def test_a_host_in_another_team_may_not(self, as_user, finance):
        other = UserFactory(team=finance, role="host")
        assert as_user(other).get(reverse("insights:pulse_record")).status_code == 403

    def test_recording_again_corrects(self, as_user, host, ken):
        client = as_user(host)
        client.post(reverse("insights:pulse_record"), {"month": "2026-10", "customer": ken.pk, **figures(legal_threats=1)})
        client.post(reverse("insights:pulse_record"), {"month": "2026-10", "customer": ken.pk, **figures(legal_threats=2)})
        assert list(PulseFigure.objects.values_list("customer", "legal_threats")) == [(ken.pk, 2)]

    def test_bad_input_saves_nothing_and_keeps_what_was_typed(self, as_user, host):
        response = as_user(host).post(reverse("insights:pulse_record"),
                                      {"month": "October", **figures(products_returned=-1, legal_threats="x")})
        assert response.status_code == 200 and PulseFigure.objects.count() == 0
        html = response.content.decode()
        assert "Enter a month like 2026-10." in html and 'value="October"' in html and 'aria-invalid="true"' in html


class TestPulseImport:
    def test_it_imports_every_row(self, as_user, host, ken):
        text = ("month,customer,products_returned,customers_credited,legal_threats,customers_saved\n"
                "2026-09,,10,3,1,2\n2026-10,CRM-1001,2,1,0,1\n2026-10,,8,,,\n")
        response = as_user(host).post(reverse("insights:pulse_import"), upload(text))
        assert response.status_code == 302
        assert PulseFigure.objects.count() == 3
        assert PulseFigure.objects.get(month=OCT, customer=ken).products_returned == 2

    def test_importing_again_corrects_the_figures(self, as_user, host, ken):
        header = "month,customer,products_returned,customers_credited,legal_threats,customers_saved\n"
        client = as_user(host)
        client.post(reverse("insights:pulse_import"), upload(header + "2026-09,,10,3,1,2\n2026-10,CRM-1001,2,1,0,1\n"))
        response = client.post(reverse("insights:pulse_import"), upload(header + "2026-10,CRM-1001,5,1,0,1\n2026-11,,1,,,\n"))
        assert response.status_code == 302
        assert PulseFigure.objects.count() == 3
        corrected = PulseFigure.objects.get(month=OCT, customer=ken)
        assert (corrected.products_returned, corrected.recorded_by) == (5, host)

    def test_a_file_at_the_row_limit_imports(self, host, settings):
        customers = CustomerFactory.create_batch(20)
        months = [add_months(datetime.date(2000, 1, 1), i) for i in range(settings.LIFELINE_IMPORT_MAX_ROWS // 20)]
        lines = [f"{month:%Y-%m},{customer.slug},1,2,0,{i % 5}"
                 for month in months for i, customer in enumerate(customers)]
        PulseFigure.objects.create(month=months[3], customer=customers[0], products_returned=9)
        text = "month,customer,products_returned,customers_credited,legal_threats,customers_saved\n" + "\n".join(lines)
        result = services.pulse_import(by=host, raw=text.encode())
        assert result.ok and result.saved == 20_000
        assert PulseFigure.objects.count() == 20_000
        assert PulseFigure.objects.get(month=months[3], customer=customers[0]).products_returned == 1

    def test_bad_rows_import_nothing_and_each_is_listed(self, as_user, host, ken):
        text = ("month,customer,products_returned,customers_credited,legal_threats,customers_saved\n"
                "2026-09,,10,3,1,2\n"
                "2026-13,,1,1,1,1\n"
                "2026-10,nobody,1,1,1,1\n"
                "2026-10,,-4,1,1,1\n"
                "2026-09,,1,1,1,1\n")
        response = as_user(host).post(reverse("insights:pulse_import"), upload(text))
        assert response.status_code == 200 and PulseFigure.objects.count() == 0
        errors = [str(e) for e in response.context["result"].errors]
        assert [e.split(":")[0] for e in errors] == ["line 3", "line 4", "line 5", "line 6"]
        assert "2026-13" in errors[0] and "nobody" in errors[1] and "products_returned" in errors[2]
        assert "line 2" in errors[3]

    def test_wrong_columns_or_not_utf8_import_nothing(self, as_user, host):
        client = as_user(host)
        response = client.post(reverse("insights:pulse_import"), upload("when,what\n2026-10,1\n"))
        assert "the columns must be" in str(response.context["result"].errors[0])
        response = client.post(reverse("insights:pulse_import"),
                               {"file": SimpleUploadedFile("p.csv", b"month\n\xff\xfe", content_type="text/csv")})
        assert "UTF-8" in str(response.context["result"].errors[0])
        assert PulseFigure.objects.count() == 0

    @pytest.mark.parametrize("persona", ["leader", "staff", "outsider"])
    def test_others_may_not_import(self, request, as_user, persona):
        response = as_user(request.getfixturevalue(persona)).post(reverse("insights:pulse_import"), upload("month\n2026-10\n"))
        assert response.status_code == 403 and PulseFigure.objects.count() == 0


class TestPulsePublish:
    def test_it_rejects_get(self, as_user, admin_user):
        assert as_user(admin_user).get(reverse("insights:pulse_publish")).status_code == 405

    @pytest.mark.parametrize("persona, allowed", [(p, s == 200) for p, s in RECORDERS.items()])
    def test_each_role(self, request, as_user, admin_user, persona, allowed):
        services.pulse_record(by=admin_user, month=OCT, figures=figures(products_returned=3))
        response = as_user(request.getfixturevalue(persona)).post(reverse("insights:pulse_publish"), {"month": "2026-10"})
        assert response.status_code == (302 if allowed else 403)
        assert PulseIssue.objects.count() == (1 if allowed else 0)

    def test_everyone_gets_one_email_however_often_it_runs(self, as_user, admin_user, staff, leader, outsider,
                                                          django_capture_on_commit_callbacks):
        services.pulse_record(by=admin_user, month=OCT, figures=figures(products_returned=3))
        services.pulse_record(by=admin_user, month=add_months(OCT, -1), figures=figures(products_returned=9))
        client = as_user(admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("insights:pulse_publish"), {"month": "2026-10"})
        recipients = sorted(m.to[0] for m in mail.outbox)
        assert recipients == sorted([admin_user.email, staff.email, leader.email, outsider.email])
        message = mail.outbox[0]
        assert "Customer pulse for October 2026" in message.subject
        assert "Products returned: 3" in message.body and "the month before: 9" in message.body
        html = message.alternatives[0][0]
        assert "Products returned" in html and "/insights/pulse/?month=2026-10" in html
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("insights:pulse_publish"), {"month": "2026-10"})
        issue = PulseIssue.objects.get()
        tasks.send_pulse_task.apply(args=[issue.pk])
        tasks.resume_pulses_task.apply()
        assert len(mail.outbox) == 4
        assert set(PulseDelivery.objects.values_list("status", flat=True)) == {"sent"}

    def test_a_month_without_figures_cannot_be_published(self, as_user, admin_user):
        response = as_user(admin_user).post(reverse("insights:pulse_publish"), {"month": "2026-10"}, follow=True)
        assert "Record figures for this month before publishing it." in response.content.decode()
        assert PulseIssue.objects.count() == 0

    def test_a_batch_run_twice_sends_once(self, admin_user, staff):
        services.pulse_record(by=admin_user, month=OCT, figures=figures(products_returned=3))
        issue = PulseIssue.objects.create(month=OCT, published_by=admin_user)
        ids = services.pulse_plan(issue)
        tasks.send_pulse_batch_task.apply(args=[issue.pk, ids])
        tasks.send_pulse_batch_task.apply(args=[issue.pk, ids])
        assert len(mail.outbox) == 2

    def test_each_pulse_email_is_named_by_its_delivery(self, admin_user, staff, settings):
        """A resend of the same delivery (after a worker died) is the same message to mail systems."""
        settings.SITE_URL = "https://lifeline.example.com"
        services.pulse_record(by=admin_user, month=OCT, figures=figures(products_returned=3))
        issue = PulseIssue.objects.create(month=OCT, published_by=admin_user)
        tasks.send_pulse_batch_task.apply(args=[issue.pk, services.pulse_plan(issue)])
        delivery = PulseDelivery.objects.get(user=staff)
        [message] = [m for m in mail.outbox if m.to == [staff.email]]
        assert message.message()["Message-ID"] == f"<pulse-{delivery.pk}@lifeline.example.com>"

    @pytest.mark.parametrize(("language", "after_label", "before_note"), [("en", "right", "left"), ("ar", "left", "right")])
    def test_the_figures_keep_apart_in_either_direction(self, admin_user, staff, language, after_label, before_note):
        """Right-to-left the value stands to the label's left: the gap goes on the side facing it."""
        staff.language = language
        staff.save(update_fields=["language"])
        services.pulse_record(by=admin_user, month=OCT, figures=figures(products_returned=3))
        issue = PulseIssue.objects.create(month=OCT, published_by=admin_user)
        tasks.send_pulse_batch_task.apply(args=[issue.pk, services.pulse_plan(issue)])
        [message] = [m for m in mail.outbox if m.to == [staff.email]]
        html = message.alternatives[0][0]
        assert f"padding:8px 0;padding-{after_label}:12px;border-bottom" in html
        assert f"padding:8px 0;padding-{before_note}:12px;border-bottom" in html
        assert "12px 8px 0" not in html and "8px 0 8px 12px" not in html


class TestPulseImportOddInput:
    def test_non_ascii_digits_and_nul_bytes_are_row_errors(self, as_user, host):
        text = ("month,customer,products_returned,customers_credited,legal_threats,customers_saved\n"
                "2026-01,,1\x00,0,0,0\n2026-02,,²,0,0,0\n٢٠٢٦-03,,1,0,0,0\n")
        response = as_user(host).post(reverse("insights:pulse_import"), upload(text))
        assert response.status_code == 200 and PulseFigure.objects.count() == 0
        assert [str(e).split(":")[0] for e in response.context["result"].errors] == ["line 2", "line 3", "line 4"]


class TestPulsePreference:
    """The pulse is its own kind of email: its own switch in the settings and its own
    one-click unsubscribe, which leaves the digest and the reminders alone."""

    @pytest.fixture
    def published(self, admin_user):
        services.pulse_record(by=admin_user, month=OCT, figures=figures(products_returned=3))
        return PulseIssue.objects.create(month=OCT, published_by=admin_user)

    def send(self, issue):
        tasks.send_pulse_batch_task.apply(args=[issue.pk, services.pulse_plan(issue)])

    def test_the_email_carries_one_click_unsubscribe_for_the_pulse_only(self, published, staff):
        from django.test import Client

        self.send(published)
        (message,) = [m for m in mail.outbox if m.to == [staff.email]]
        link = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link in message.body and link in message.alternatives[0][0]
        path = link.split("://", 1)[1].split("/", 1)[1]
        response = Client(enforce_csrf_checks=True).post("/" + path, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert "Monthly customer pulse" in response.content.decode()
        prefs = NotificationPreferences.objects.get(user=staff)
        assert prefs.pulse is False
        assert prefs.digest_enabled and prefs.meeting_tomorrow and prefs.review_requested

    def test_someone_who_turned_it_off_gets_no_pulse_and_is_not_counted_as_failed(self, published, staff, leader):
        NotificationPreferences.objects.create(user=staff, pulse=False)
        self.send(published)
        assert staff.email not in [m.to[0] for m in mail.outbox]
        assert leader.email in [m.to[0] for m in mail.outbox]
        assert PulseDelivery.objects.get(issue=published, user=staff).status == PulseDelivery.Status.SKIPPED

    def test_the_settings_page_switches_it_off_and_on(self, as_user, staff):
        client = as_user(staff)
        page = client.get(reverse("digests:settings")).content.decode()
        assert 'name="pulse"' in page and "checked" in page.split('name="pulse"')[1].split(">")[0]
        data = {"digest_enabled": "on", "digest_weekday": "0", "digest_hour": "8"}
        assert client.post(reverse("digests:settings"), data).status_code == 302
        prefs = NotificationPreferences.objects.get(user=staff)
        assert prefs.pulse is False and prefs.digest_enabled
        version = prefs.version
        assert client.post(reverse("digests:settings"), {**data, "pulse": "on"}).status_code == 302
        prefs.refresh_from_db()
        assert prefs.pulse is True and prefs.version == version + 1  # old pulse links stop working
