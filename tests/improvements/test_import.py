"""The complaint import: the customers' import machinery (upload, Celery task, progress page,
all or nothing with a row report), with its own columns."""

import pytest
from django.urls import reverse
from django.utils import translation

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
        ('2026-12-01,CRM-1,Late,"Crew" idle,', "the file is not valid CSV"),
    ])
    def test_a_bad_row_imports_nothing(self, ken, row, message):
        result = import_complaints((HEADER + "2026-12-01,CRM-1,Late,Fine row,\n" + row + "\n").encode())
        assert not result.ok and result.created == 0
        assert [error.line for error in result.errors] == [3]
        assert message in result.errors[0].message
        assert not Complaint.objects.exists()

    def test_an_unclosed_quote_is_reported_where_it_opens_not_read_as_one_long_text(self, ken):
        result = import_complaints((HEADER + "2026-12-01,CRM-1,Late,Fine row,\n"
                                    '2026-12-02,CRM-1,Late,"Crew idle,\n'
                                    + "".join(f"2026-12-03,CRM-1,Late,Row {n},\n" for n in range(50))).encode())
        assert [(error.line, error.message) for error in result.errors] == [(3, "a quote (\") opened on this line is never closed.")]
        assert not Complaint.objects.exists()

    def test_a_quoted_text_over_several_lines_is_one_cell(self, ken):
        result = import_complaints((HEADER + '2026-12-01,CRM-1,Late,"Crew idle,\nthen sent home",\n'
                                    "2026-12-02,CRM-1,Late,Second,\n").encode())
        assert result.ok and result.created == 2
        assert Complaint.objects.get(date="2026-12-01").text == "Crew idle,\nthen sent home"

    def test_every_bad_row_is_reported(self, ken):
        result = import_complaints((HEADER + "x,CRM-9,,,\n2026-12-01,CRM-1,Late,ok,\n,,,,-1\n").encode())
        assert {error.line for error in result.errors} == {2, 4}
        assert len(result.errors) >= 6

    def test_a_wrong_header_is_one_problem(self, ken):
        result = import_complaints(b"when,customer,category,text\n2026-12-01,CRM-1,Late,x\n")
        assert [error.line for error in result.errors] == [1]
        assert "missing columns: date, customer_external_id" in result.errors[0].message
        assert "unknown columns: when, customer" in result.errors[0].message

    def test_in_a_right_to_left_language_values_keep_their_own_direction(self, ken):
        # In an Arabic sentence "2026-13-02" would read "02-13-2026": each value (and the catalog's example
        # date) is isolated, and lists are written as Arabic writes them.
        with translation.override("ar"):
            bad_date = import_complaints((HEADER + "2026-13-02,CRM-1,Late,x,\n").encode()).errors[0].message
            header = import_complaints(b"when,customer,category,text\n2026-12-01,CRM-1,Late,x\n").errors[0].message
        assert "\u20682026-13-02\u2069" in bad_date and "\u20662021-03-31\u2069" in bad_date
        assert "\u2068date\u2069، \u2068customer_external_id\u2069" in header and "؛ " in header
        with translation.override("en"):  # left to right: nothing added
            assert import_complaints((HEADER + "2026-13-02,CRM-1,Late,x,\n").encode()).errors[0].message == (
                "“2026-13-02” is not a date like 2021-03-31 (date).")

    def test_a_column_listed_twice_is_a_problem_not_a_silent_choice(self, ken):
        result = import_complaints(b"date,customer_external_id,category,text,text\n2026-12-01,CRM-1,Late,First,Second\n")
        assert [(error.line, error.message) for error in result.errors] == [
            (1, "columns listed more than once: text; expected: date, customer_external_id, category, text, cost, reference")]
        assert not Complaint.objects.exists()

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


QUARTER = (HEADER + "2026-10-03,CRM-1,Late delivery,Crew idle,120.50\n"
           "2026-11-20,CRM-1,Damaged goods,Two cartons crushed,\n"
           "2026-11-20,CRM-1,Damaged goods,Two cartons crushed,\n")  # two identical complaints: both real


def stored():
    return sorted(Complaint.objects.values_list("customer__external_id", "date", "category", "text", "cost", "reference"))


@pytest.mark.django_db
class TestImportingAgain:
    def test_the_same_file_again_adds_nothing(self, ken):
        first = import_complaints(QUARTER.encode())
        assert (first.created, first.skipped) == (3, 0)
        before = stored()
        again = import_complaints(QUARTER.encode())
        assert again.ok and (again.created, again.skipped) == (0, 3)
        assert stored() == before and len(before) == 3

    def test_an_overlapping_file_adds_only_the_new_rows(self, ken, riverbend):
        import_complaints(QUARTER.encode())
        # the whole year, exported again: the quarter's rows with other spacing and cost formatting, and two new
        year = (HEADER + "2026-03-14,CRM-2,Wrong item,Sent 15 mm valves,\n"
                "2026-10-03,CRM-1, Late  delivery ,  Crew idle ,120.5\n"
                "2026-11-20,CRM-1,Damaged goods,Two cartons crushed,\n"
                '2026-11-20,CRM-1,Damaged goods,"Two cartons\r\ncrushed",\n'  # a line break where there was a space
                "2026-12-01,CRM-1,Late delivery,Crew idle,120.50\n")
        result = import_complaints(year.encode())
        assert (result.created, result.skipped) == (2, 3)
        assert Complaint.objects.count() == 5
        assert Complaint.objects.filter(text="Crew idle").count() == 2  # 3 October and 1 December

    def test_a_file_with_one_more_identical_row_adds_that_one(self, ken):
        import_complaints(QUARTER.encode())
        result = import_complaints((QUARTER + "2026-11-20,CRM-1,Damaged goods,Two cartons crushed,\n").encode())
        assert (result.created, result.skipped) == (1, 3)
        assert Complaint.objects.filter(category="Damaged goods").count() == 3
        assert import_complaints(QUARTER.encode()).created == 0  # the smaller file adds nothing now

    @pytest.mark.parametrize("row", [
        "2026-10-04,CRM-1,Late delivery,Crew idle,120.50",  # another day
        "2026-10-03,CRM-2,Late delivery,Crew idle,120.50",  # another customer
        "2026-10-03,CRM-1,late delivery,Crew idle,120.50",  # categories are grouped as written, case and all
        "2026-10-03,CRM-1,Late delivery,Crew idle again,120.50",
        "2026-10-03,CRM-1,Late delivery,Crew idle,120.51",
        "2026-10-03,CRM-1,Late delivery,Crew idle,",
    ])
    def test_a_row_that_differs_in_anything_else_is_new(self, ken, riverbend, row):
        import_complaints((HEADER + "2026-10-03,CRM-1,Late delivery,Crew idle,120.50\n").encode())
        result = import_complaints((HEADER + row + "\n").encode())
        assert (result.created, result.skipped) == (1, 0)

    def test_a_bad_row_still_imports_nothing_and_reports_it(self, ken):
        import_complaints(QUARTER.encode())
        before = stored()
        result = import_complaints((QUARTER + "2026-12-01,CRM-404,Late,x,\n" + "2026-12-02,CRM-1,New,y,\n").encode())
        assert not result.ok and (result.created, result.skipped) == (0, 0)
        assert [error.line for error in result.errors] == [5]
        assert "no customer with the external id “CRM-404”" in result.errors[0].message
        assert stored() == before

    def test_the_database_refuses_a_copy(self, ken):
        from django.db import IntegrityError, transaction

        import_complaints(QUARTER.encode())
        original = Complaint.objects.filter(category="Late delivery").get()
        with pytest.raises(IntegrityError), transaction.atomic():
            Complaint.objects.create(customer=ken, date=original.date, category=original.category, text=original.text,
                                     fingerprint=original.fingerprint, occurrence=original.occurrence)


REFERENCED = HEADER.replace("\n", ",reference\n")


@pytest.mark.django_db
class TestReference:
    def test_a_reference_decides_what_is_the_same_complaint(self, ken):
        file = (REFERENCED + "2026-11-20,CRM-1,Damaged goods,Crushed,,ZD-1\n"
                "2026-11-20,CRM-1,Damaged goods,Crushed,,ZD-2\n")  # same content, two tickets
        assert import_complaints(file.encode()).created == 2
        again = import_complaints(file.encode())
        assert (again.created, again.skipped) == (0, 2)
        # the desk re-categorised ticket ZD-1 since: it is still the same complaint, and ZD-3 is new
        later = (REFERENCED + "2026-11-20,CRM-1,Packaging,Crushed,,ZD-1\n2026-11-20,CRM-1,Damaged goods,Crushed,,ZD-3\n")
        result = import_complaints(later.encode())
        assert (result.created, result.skipped) == (1, 1)
        assert sorted(Complaint.objects.values_list("reference", "category")) == [
            ("ZD-1", "Damaged goods"), ("ZD-2", "Damaged goods"), ("ZD-3", "Damaged goods"),
        ]

    def test_a_reference_belongs_to_its_customer(self, ken, riverbend):
        import_complaints((REFERENCED + "2026-11-20,CRM-1,Late,x,,ZD-1\n").encode())
        assert import_complaints((REFERENCED + "2026-11-20,CRM-2,Late,x,,ZD-1\n").encode()).created == 1

    def test_a_ticket_listed_twice_in_a_file_is_one_complaint(self, ken):
        result = import_complaints((REFERENCED + "2026-11-20,CRM-1,Late,x,,ZD-1\n2026-11-20,CRM-1, Late,x ,,ZD-1\n").encode())
        assert (result.created, result.skipped) == (1, 1)

    def test_a_ticket_listed_twice_with_other_details_is_a_problem(self, ken):
        result = import_complaints((REFERENCED + "2026-11-20,CRM-1,Late,x,,ZD-1\n2026-11-21,CRM-1,Late,x,,ZD-1\n").encode())
        assert not result.ok and [error.line for error in result.errors] == [3]
        assert "the reference “ZD-1” is on line 2 already" in result.errors[0].message
        assert not Complaint.objects.exists()

    def test_a_reference_too_long_is_a_problem(self, ken):
        result = import_complaints((REFERENCED + "2026-11-20,CRM-1,Late,x,," + "Z" * 101 + "\n").encode())
        assert not result.ok and "“reference” is longer than 100 characters" in result.errors[0].message

    def test_rows_without_a_reference_in_a_referenced_file_go_by_content(self, ken):
        file = REFERENCED + "2026-11-20,CRM-1,Late,x,,ZD-1\n2026-11-20,CRM-1,Late,x,,\n"
        assert import_complaints(file.encode()).created == 2
        assert import_complaints(file.encode()).created == 0

    def test_complaints_imported_before_the_column_existed_take_their_reference(self, ken):
        import_complaints(QUARTER.encode())  # an older export, without ticket ids
        with_ids = (REFERENCED + "2026-10-03,CRM-1,Late delivery,Crew idle,120.50,ZD-7\n"
                    "2026-11-20,CRM-1,Damaged goods,Two cartons crushed,,ZD-8\n"
                    "2026-11-20,CRM-1,Damaged goods,Two cartons crushed,,ZD-9\n"
                    "2026-11-20,CRM-1,Damaged goods,Two cartons crushed,,ZD-10\n")
        result = import_complaints(with_ids.encode())
        assert (result.created, result.skipped) == (1, 3)
        assert sorted(Complaint.objects.values_list("reference", flat=True)) == ["ZD-10", "ZD-7", "ZD-8", "ZD-9"]
        # and the old export once more adds nothing either
        assert import_complaints(QUARTER.encode()).created == 0


@pytest.mark.django_db
class TestImportingAgainPages:
    def test_the_result_page_says_nothing_was_new(self, host, ken, as_user):
        client = as_user(host)
        upload(client, QUARTER)
        upload(client, QUARTER)
        first, second = ComplaintImport.objects.order_by("id")
        assert (first.created, first.skipped, second.created, second.skipped) == (3, 0, 0, 3)
        page = client.get(second.get_absolute_url()).content.decode()
        assert "Nothing new: all 3 of the file's complaints were already there." in page
        assert "<dt>Already there, skipped</dt><dd>3</dd>" in page
        assert Complaint.objects.count() == 3

    def test_the_result_page_gives_both_counts(self, host, ken, as_user):
        client = as_user(host)
        upload(client, QUARTER)
        upload(client, QUARTER + "2026-12-01,CRM-1,Wrong item,Sent the 15 mm valves,\n")
        job = ComplaintImport.objects.order_by("id").last()
        page = client.get(job.get_absolute_url()).content.decode()
        assert "Imported 1 new complaint; 3 already there were skipped." in page

    def test_the_import_page_states_the_rule(self, host, as_user):
        page = as_user(host).get(reverse("improvements:import")).content.decode()
        assert "adds only the complaints that are not there yet" in page
        assert "reference (the support desk's ticket id)" in page
        assert "Costs are in EUR." in page

    def test_the_patterns_count_the_same_after_a_reimport(self, host, ken, riverbend, as_user):
        import datetime

        from improvements import selectors

        client = as_user(host)
        # "Late delivery": 3 a month June to November, 11 in December
        rows = "".join(f"2026-{month:02}-{day:02},CRM-{1 + day % 2},Late delivery,Crew idle {day},\n"
                       for month in range(6, 13) for day in range(1, 4 if month < 12 else 12))
        upload(client, HEADER + rows)
        month = datetime.date(2026, 12, 1)

        def counts():
            shown, most_affected = selectors.patterns(user=host, month=month)
            return [(p.category, p.counts, p.count, [(who.label, n) for who, n in p.customers]) for p in shown], [
                (who.label, *n) for who, *n in most_affected
            ]

        before = counts()
        assert before[0][0][2] == 11 and before[0][0][1][0][1] == 3
        upload(client, HEADER + rows)
        assert ComplaintImport.objects.order_by("id").last().skipped == 29
        assert counts() == before
