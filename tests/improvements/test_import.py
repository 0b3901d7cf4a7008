"""The complaint import: the customers' import machinery (upload, Celery task, progress page,
all or nothing with a row report), with its own columns."""

import pytest
from django.urls import reverse

from improvements.importer import import_complaints
from improvements.models import Complaint, ComplaintImport
from improvements.tasks import complaint_import_task, resume_imports_task

HEADER = "date,customer_external_id,category,text,cost\n"


def upload(client, text, encoding="utf-8", name="complaints.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import TestCase

    file = SimpleUploadedFile(name, text.encode(encoding) if isinstance(text, str) else text, content_type="text/csv")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the task is queued after commit
        return client.post(reverse("improvements:import"), {"file": file})


@pytest.mark.django_db
class TestImporter:
    def test_it_adds_every_row_to_its_customer(self, ken, riverbend):
        result = import_complaints((HEADER + "2026-12-01,CRM-1,Late delivery,Crew idle,120.50\n"
                                    "2026-11-30,CRM-2, Late   delivery ,Truck late,\n").encode())
        assert result.ok and result.created == 2
        rows = list(Complaint.objects.order_by("date").values_list("customer__external_id", "category", "cost"))
        assert rows[0][:2] == ("CRM-2", "Late delivery") and rows[0][2] is None
        assert rows[1][0] == "CRM-1" and str(rows[1][2]) == "120.50"

    def test_amounts_with_thousands_separators(self, ken):
        assert import_complaints((HEADER + '2026-12-01,CRM-1,Late,x,"1,200.50"\n').encode()).ok
        assert str(Complaint.objects.get().cost) == "1200.50"

    def test_cost_is_optional_as_a_column(self, ken):
        assert import_complaints(b"date,customer_external_id,category,text\n2026-12-01,CRM-1,Billing,Wrong\n").created == 1

    @pytest.mark.parametrize("row, message", [
        ("2026-12-01,CRM-404,Late,Crew idle,", "no customer with the external id “CRM-404”"),
        ("1999-12-31,CRM-1,Late,Crew idle,", "Enter a date from"),
        ("2101-01-01,CRM-1,Late,Crew idle,", "Enter a date from"),
        ("0001-01-01,CRM-1,Late,Crew idle,", "Enter a date from"),
        ("01/12/2026,CRM-1,Late,Crew idle,", "is not a date like 2021-03-31 (date)"),
        ("2026-12-01,CRM-1,,Crew idle,", "“category” is empty"),
        ("2026-12-01,CRM-1,Late,,", "“text” is empty"),
        ("2026-12-01,CRM-1,Late,Crew idle,-5", "“-5” is not an amount"),
        ("2026-12-01,CRM-1,Late,Crew idle,lots", "“lots” is not an amount"),
        ("2026-12-01,CRM-1,Late,Crew idle,NaN", "“NaN” is not an amount"),
        ("2026-12-01,CRM-1,Late,Crew idle,1e20", "is not an amount"),
        ('2026-12-01,CRM-1,Late,Crew idle,"120,50"', "“120,50” is not an amount"),
        ("2026-12-01,CRM-1,Late,Crew idle,99999999999", "is not an amount"),
        ("2026-12-01,CRM-1,Late,Crew idle,1.234", "is not an amount"),
        ("2026-12-01,CRM-1,Late,Crew idle,5,extra", "more cells than there are columns"),
    ])
    def test_a_bad_row_imports_nothing(self, ken, row, message):
        result = import_complaints((HEADER + "2026-12-01,CRM-1,Late,Fine row,\n" + row + "\n").encode())
        assert not result.ok and result.created == 0
        assert [error.line for error in result.errors] == [3]
        assert message in result.errors[0].message
        assert not Complaint.objects.exists()

    def test_every_bad_row_is_reported(self, ken):
        result = import_complaints((HEADER + "x,CRM-9,,,\n2026-12-01,CRM-1,Late,ok,\n,,,,-1\n").encode())
        assert {error.line for error in result.errors} == {2, 4}
        assert len(result.errors) >= 6

    def test_a_wrong_header_is_one_problem(self, ken):
        result = import_complaints(b"when,customer,category,text\n2026-12-01,CRM-1,Late,x\n")
        assert [error.line for error in result.errors] == [1]
        assert "missing columns: date, customer_external_id" in result.errors[0].message
        assert "unknown columns: when, customer" in result.errors[0].message

    def test_a_file_that_is_not_utf8_is_refused(self, ken):
        result = import_complaints((HEADER + "2026-12-01,CRM-1,Retard,Livré après l'heure,\n").encode("latin-1"))
        assert not result.ok and "not UTF-8" in result.errors[0].message

    def test_utf16_is_refused(self, ken):
        result = import_complaints((HEADER + "2026-12-01,CRM-1,Late,x,\n").encode("utf-16"))
        assert not result.ok and not Complaint.objects.exists()

    def test_an_empty_file_says_so(self, ken):
        assert "no complaints" in import_complaints(HEADER.encode()).errors[0].message


@pytest.mark.django_db
class TestUploadPages:
    def test_a_host_imports_and_follows_the_progress(self, host, ken, as_user):
        client = as_user(host)
        response = upload(client, HEADER + "2026-12-01,CRM-1,Late,Crew idle,\n")
        job = ComplaintImport.objects.get()
        assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
        assert job.status == "done" and job.created == 1 and job.uploaded_by == host
        page = client.get(job.get_absolute_url()).content.decode()
        assert "Imported 1 complaint." in page and "Complaints added" in page

    def test_the_row_report_is_shown_and_nothing_imported(self, admin_user, ken, as_user):
        client = as_user(admin_user)
        upload(client, HEADER + "2026-12-01,CRM-404,Late,x,\n")
        job = ComplaintImport.objects.get()
        assert job.status == "failed" and not Complaint.objects.exists()
        page = client.get(job.get_absolute_url()).content.decode()
        assert "line 2: no customer with the external id" in page

    def test_the_htmx_poll_gets_the_fragment(self, admin_user, ken, as_user):
        client = as_user(admin_user)
        upload(client, HEADER + "2026-12-01,CRM-1,Late,x,\n")
        job = ComplaintImport.objects.get()
        fragment = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
        assert fragment.lstrip().startswith("<section id=\"import-status\"") or 'id="import-status"' in fragment
        assert "<html" not in fragment

    @pytest.mark.parametrize("persona", ["staff", "leader", "outsider"])
    def test_others_may_not_import(self, persona, request, ken, as_user):
        client = as_user(request.getfixturevalue(persona))
        assert client.get(reverse("improvements:import")).status_code == 403
        assert upload(client, HEADER + "2026-12-01,CRM-1,Late,x,\n").status_code == 403
        assert not ComplaintImport.objects.exists() and not Complaint.objects.exists()


@pytest.mark.django_db
class TestTask:
    def test_running_twice_imports_once(self, admin_user, ken):
        job = ComplaintImport.objects.create(content=(HEADER + "2026-12-01,CRM-1,Late,x,\n").encode(), uploaded_by=admin_user)
        complaint_import_task.apply(args=[job.pk])
        complaint_import_task.apply(args=[job.pk])
        assert Complaint.objects.count() == 1 and Complaint.objects.get().upload_id == job.pk

    def test_a_lost_worker_is_resumed(self, admin_user, ken):
        import time_machine
        from django.utils import timezone

        job = ComplaintImport.objects.create(content=(HEADER + "2026-12-01,CRM-1,Late,x,\n").encode(), uploaded_by=admin_user,
                                             status="checking", progress_at=timezone.now())
        assert resume_imports_task.apply().get() == 0
        with time_machine.travel(timezone.now() + ComplaintImport.STALE_AFTER * 2, tick=False):
            assert resume_imports_task.apply().get() == 1
        job.refresh_from_db()
        assert job.status == "done" and Complaint.objects.count() == 1
