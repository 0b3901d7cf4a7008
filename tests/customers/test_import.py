import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, CustomerImport
from customers.tasks import customer_import_task
from tests.conftest import PERSONAS
from tests.factories import CustomerFactory

HEADER = "external_id,name,industry,region,account_owner_email,customer_since,status,what_they_do\n"


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "customers.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.django_db
class TestImportCommand:
    def test_it_creates_and_updates_by_external_id(self, tmp_path, host):
        CustomerFactory(name="Old Name", external_id="CRM-1", industry="Retail")
        path = write(tmp_path, HEADER
                     + "CRM-1,Ken's Plumbing Supply,Wholesale,North America,SAM@example.com,2014-05-01,active,Pipes\n"
                     + "CRM-2,Harbor Lights Bakery,Food,North America,,2017-09-15,at risk,Bread\n")
        out = io.StringIO()
        call_command("import_customers", str(path), stdout=out)
        assert "Imported 1 new and updated 1 customers." in out.getvalue()
        ken = Customer.objects.get(external_id="CRM-1")
        assert (ken.name, ken.industry, ken.account_owner) == ("Ken's Plumbing Supply", "Wholesale", host)
        assert str(ken.customer_since) == "2014-05-01"
        bakery = Customer.objects.get(external_id="CRM-2")
        assert bakery.status == "at_risk" and bakery.slug == "harbor-lights-bakery"

    def test_it_is_safe_to_run_twice(self, tmp_path, host):
        path = write(tmp_path, HEADER + "CRM-1,Ken's,Wholesale,,,,,\n")
        call_command("import_customers", str(path), stdout=io.StringIO())
        call_command("import_customers", str(path), stdout=io.StringIO())
        assert Customer.objects.count() == 1

    def test_a_file_with_fewer_columns_changes_only_those(self, tmp_path, host):
        # A CRM export of ids and names alone must not blank what is known about a customer.
        CustomerFactory(external_id="CRM-1", name="Ken's", industry="Wholesale", region="North America",
                        account_owner=host, what_they_do="Pipes and valves", how_we_help="We **deliver**.",
                        status="at_risk", employees=40)
        call_command("import_customers", str(write(tmp_path, "external_id,name\nCRM-1,Ken's Plumbing Supply\n")),
                     stdout=io.StringIO())
        ken = Customer.objects.get(external_id="CRM-1")
        assert ken.name == "Ken's Plumbing Supply"
        assert (ken.industry, ken.region, ken.account_owner, ken.what_they_do, ken.status, ken.employees) == (
            "Wholesale", "North America", host, "Pipes and valves", "at_risk", 40)
        assert "<strong>deliver</strong>" in ken.how_we_help_html
        # A column the file has is written, an empty cell included; an empty status keeps the status.
        call_command("import_customers", str(write(tmp_path, "external_id,name,region,status\nCRM-1,Ken's,,\n")),
                     stdout=io.StringIO())
        ken.refresh_from_db()
        assert (ken.region, ken.status, ken.industry) == ("", "at_risk", "Wholesale")
        call_command("import_customers", str(write(tmp_path, "external_id,name,status\nCRM-2,Ada,\n")),
                     stdout=io.StringIO())
        assert Customer.objects.get(external_id="CRM-2").status == "active"

    def test_bad_rows_import_nothing_and_are_all_reported(self, tmp_path, host):
        path = write(tmp_path, HEADER
                     + "CRM-1,Good Customer,Wholesale,,,,,\n"
                     + "CRM-2,,Wholesale,,,,,\n"
                     + "CRM-3,Bad Date,,,,31/12/2020,,\n"
                     + "CRM-4,Bad Owner,,,nobody@example.com,,,\n"
                     + "CRM-1,Duplicate,,,,,,\n"
                     + "CRM-5,Bad Status,,,,,sleeping,\n")
        err = io.StringIO()
        with pytest.raises(CommandError, match="5 problem"):
            call_command("import_customers", str(path), stdout=io.StringIO(), stderr=err)
        report = err.getvalue()
        assert "line 3: “name” is empty." in report
        assert "line 4: “31/12/2020” is not a date" in report
        assert "line 5: no person with the email “nobody@example.com”" in report
        assert "line 6: external_id “CRM-1” is already used on line 2." in report
        assert "line 7: unknown status “sleeping”" in report
        assert Customer.objects.count() == 0

    def test_an_unclosed_quote_imports_nothing_and_says_where_it_opens(self, tmp_path, db):
        path = write(tmp_path, 'external_id,name,what_they_do\nCRM-1,Ken,"Pipes\nCRM-2,Ada,Bread\nCRM-3,Bo,Boats\n')
        err = io.StringIO()
        with pytest.raises(CommandError, match="1 problem"):
            call_command("import_customers", str(path), stdout=io.StringIO(), stderr=err)
        assert "line 2: a quote (\") opened on this line is never closed." in err.getvalue()
        assert not Customer.objects.exists()

    def test_a_customer_since_outside_1900_to_2100_is_a_problem(self, tmp_path, db):
        path = write(tmp_path, HEADER + "CRM-1,Ken's,,,,0001-01-01,,\nCRM-2,Ada,,,,2101-01-01,,\nCRM-3,Bo,,,,1899-12-31,,\n")
        err = io.StringIO()
        with pytest.raises(CommandError, match="3 problem"):
            call_command("import_customers", str(path), stdout=io.StringIO(), stderr=err)
        assert "line 2: Enter a date from 1 Jan 1900 to 31 Dec 2100. (customer_since)" in err.getvalue()
        assert "line 3: Enter a date from" in err.getvalue() and "line 4: Enter a date from" in err.getvalue()
        assert Customer.objects.count() == 0

    def test_a_customer_of_long_standing_keeps_the_year_it_became_one(self, tmp_path, db):
        """A company may have been a customer since before 2000: "customer since" is history, not a plan."""
        call_command("import_customers", str(write(tmp_path, HEADER + "CRM-1,Ken's,,,,1995-03-01,,\n")), stdout=io.StringIO())
        ken = Customer.objects.get()
        assert str(ken.customer_since) == "1995-03-01"
        ken.full_clean()  # the admin's check (the model field's validator) takes it too

    def test_wrong_headers_are_reported(self, tmp_path, db):
        path = write(tmp_path, "id,customer\n1,Ken\n")
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command("import_customers", str(path), stderr=err)
        assert "missing columns: external_id, name" in err.getvalue()
        assert "unknown columns: id, customer" in err.getvalue()
        assert Customer.objects.count() == 0

    def test_a_bad_encoding_is_reported(self, tmp_path, db):
        path = write(tmp_path, HEADER + "CRM-1,Café Lumière,,,,,,\n", encoding="latin-1")
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command("import_customers", str(path), stderr=err)
        assert "not UTF-8" in err.getvalue()
        assert Customer.objects.count() == 0

    def test_utf8_with_bom_and_unicode_names_import(self, tmp_path, db):
        path = write(tmp_path, "\ufeff" + HEADER + "CRM-9,مؤسسة النور,,,,,,\n")
        call_command("import_customers", str(path), stdout=io.StringIO())
        assert Customer.objects.get().name == "مؤسسة النور"

    def test_a_missing_file_is_a_clear_error(self, tmp_path, db):
        with pytest.raises(CommandError, match="Cannot read"):
            call_command("import_customers", str(tmp_path / "nope.csv"))


def csv_upload(text, name="c.csv"):
    upload = io.BytesIO(text.encode())
    upload.name = name
    return upload


@pytest.fixture
def post_import(django_capture_on_commit_callbacks):
    """POST an upload as the browser would; the import task queued on commit runs (in-process, as
    without REDIS_URL) before the answer is looked at."""

    def post(client, data, follow=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("customers:import"), data)
        return client.get(response["Location"]) if follow and response.status_code == 302 else response

    return post


@pytest.mark.django_db
class TestImportPage:
    URL = reverse("customers:import")

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_only_admins_import(self, request, as_user, post_import, persona):
        user = request.getfixturevalue(persona)
        response = post_import(as_user(user), {"file": csv_upload(HEADER + "CRM-1,Ken's,,,,,,\n")})
        if persona == "admin_user":
            upload = CustomerImport.objects.get()
            assert response.status_code == 302 and response["Location"] == upload.get_absolute_url()
            assert Customer.objects.count() == 1
        else:
            assert response.status_code == 403
            assert Customer.objects.count() == 0 and CustomerImport.objects.count() == 0

    def test_a_good_file_imports_and_its_page_says_so(self, as_user, admin_user, post_import):
        CustomerFactory(external_id="CRM-1", name="Old")
        response = post_import(as_user(admin_user), {"file": csv_upload(HEADER + "CRM-1,Ken's,,,,,,\nCRM-2,Ada,,,,,,\n")},
                               follow=True)
        html = response.content.decode()
        assert "Imported 1 new and updated 1 customers." in html
        assert 'hx-trigger="every 1s"' not in html and 'http-equiv="refresh"' not in html  # finished: no polling
        upload = CustomerImport.objects.get()
        assert (upload.status, upload.rows_checked, upload.created, upload.updated) == ("done", 2, 1, 1)
        assert (upload.uploaded_by, upload.file_name, bytes(upload.content)[:11]) == (admin_user, "c.csv", b"external_id")
        assert upload.finished_at is not None
        assert sorted(Customer.objects.values_list("name", flat=True)) == ["Ada", "Ken's"]

    def test_it_lists_every_bad_row_and_imports_nothing(self, as_user, admin_user, post_import):
        response = post_import(as_user(admin_user), {"file": csv_upload(HEADER + "CRM-1,,,,,,,\nCRM-1,X,,,,,,\nCRM-3,Y,,,,,,\n")},
                               follow=True)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Nothing was imported: 2 problems" in html
        assert "line 2: “name” is empty." in html
        assert "line 3: external_id “CRM-1” is already used on line 2." in html
        assert Customer.objects.count() == 0
        upload = CustomerImport.objects.get()
        assert (upload.status, upload.rows_checked, upload.problems_found) == ("failed", 3, 2)
        assert upload.problems[0] == {"line": 2, "message": "“name” is empty."}

    def test_a_row_with_extra_cells_is_counted_among_the_rows_checked(self, as_user, admin_user, post_import):
        post_import(as_user(admin_user), {"file": csv_upload(HEADER + "CRM-1,Ken's,,,,,,\nCRM-2,Ada,,,,,,,spill\n,,,,,,,\n")})
        upload = CustomerImport.objects.get()
        assert (upload.status, upload.rows_checked, upload.problems_found) == ("failed", 2, 1)  # the blank row is not counted
        assert upload.problems == [{"line": 3, "message": "this row has more cells than there are columns."}]
        assert Customer.objects.count() == 0

    def test_the_row_report_is_in_the_uploaders_language(self, as_user, admin_user, post_import):
        admin_user.language = "ar"
        admin_user.save(update_fields=["language"])
        post_import(as_user(admin_user), {"file": csv_upload(HEADER + "CRM-1,,,,,,,\n")})
        message = CustomerImport.objects.get().problems[0]["message"]
        assert "name" in message and message != "“name” is empty."

    def test_no_file_is_a_form_error(self, as_user, admin_user):
        response = as_user(admin_user).post(self.URL, {})
        assert response.status_code == 200
        assert "This field is required." in response.content.decode()
        assert CustomerImport.objects.count() == 0

    def test_it_rejects_other_methods(self, as_user, admin_user):
        assert as_user(admin_user).put(self.URL).status_code == 405


@pytest.mark.django_db
class TestImportStatusPage:
    @pytest.fixture
    def running(self, admin_user):
        return CustomerImport.objects.create(
            file_name="crm.csv", content=b"external_id,name\n", uploaded_by=admin_user,
            status=CustomerImport.Status.CHECKING, rows_checked=3000, problems_found=2,
        )

    def test_it_shows_the_counts_and_keeps_asking_while_the_import_runs(self, as_user, admin_user, running):
        response = as_user(admin_user).get(running.get_absolute_url())
        html = response.content.decode()
        assert response.status_code == 200
        assert "Checking the rows" in html
        assert "<dt>Rows checked</dt><dd>3000</dd>" in html and "<dt>Problems found</dt><dd>2</dd>" in html
        assert f'hx-get="{running.get_absolute_url()}" hx-trigger="every 1s"' in html
        assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html  # without JavaScript
        assert f'<a href="{running.get_absolute_url()}">Refresh</a>' in html

    def test_htmx_gets_the_status_fragment_alone(self, as_user, admin_user, running):
        response = as_user(admin_user).get(running.get_absolute_url(), headers={"HX-Request": "true"})
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="import-status"')
        assert "<dd>3000</dd>" in html and "<html" not in html
        assert "HX-Request" in response["Vary"]

    def test_a_finished_import_stops_asking(self, as_user, admin_user, running):
        CustomerImport.objects.filter(pk=running.pk).update(status="failed", problems=[{"line": 7, "message": "bad"}],
                                                             problems_found=1)
        html = as_user(admin_user).get(running.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
        assert "hx-trigger" not in html
        assert "Nothing was imported: 1 problem" in html and "line 7: bad" in html

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_only_admins_see_it(self, request, as_user, running, persona):
        response = as_user(request.getfixturevalue(persona)).get(running.get_absolute_url())
        assert response.status_code == (200 if persona == "admin_user" else 403)

    def test_an_unknown_upload_is_404(self, as_user, admin_user):
        assert as_user(admin_user).get(reverse("customers:import_status", kwargs={"pk": 999})).status_code == 404


@pytest.mark.django_db
class TestImportTask:
    def queued(self, text, by=None):
        return CustomerImport.objects.create(file_name="c.csv", content=text.encode(), uploaded_by=by)

    def test_running_it_twice_imports_once(self, admin_user):
        upload = self.queued(HEADER + "CRM-1,Ken's,,,,,,\n", by=admin_user)
        assert customer_import_task.apply(args=[upload.pk]).get() == {"created": 1, "updated": 0}
        assert customer_import_task.apply(args=[upload.pk]).get() is None
        upload.refresh_from_db()
        assert (upload.status, upload.created, upload.updated) == ("done", 1, 0)
        assert Customer.objects.count() == 1

    def test_it_reports_progress_as_it_checks(self, admin_user, monkeypatch):
        from customers import importer

        monkeypatch.setattr(importer, "PROGRESS_EVERY", 2)
        seen = []
        real_update = CustomerImport.objects.filter(pk=0).update.__func__

        def spy(queryset, **fields):
            if "rows_checked" in fields:
                seen.append((fields["status"], fields["rows_checked"], fields["problems_found"]))
            return real_update(queryset, **fields)

        monkeypatch.setattr(type(CustomerImport.objects.all()), "update", spy)
        upload = self.queued(HEADER + "".join(f"CRM-{i},C{i},,,,,,\n" for i in range(5)) + "CRM-9,,,,,,,\n", by=admin_user)
        customer_import_task.apply(args=[upload.pk])
        assert seen[:3] == [("checking", 2, 0), ("checking", 4, 0), ("checking", 6, 1)]

    def test_an_unexpected_error_is_recorded_and_imports_nothing(self, admin_user, monkeypatch):
        from customers import importer

        def boom(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(importer, "_save", boom)
        upload = self.queued(HEADER + "CRM-1,Ken's,,,,,,\n", by=admin_user)
        customer_import_task.apply(args=[upload.pk])
        upload.refresh_from_db()
        assert upload.status == "failed" and "stopped unexpectedly" in upload.problems[0]["message"]
        assert Customer.objects.count() == 0

    def test_an_import_whose_worker_was_lost_is_started_again(self, admin_user):
        """A worker killed mid-check leaves the upload "checking": after STALE_AFTER with no progress the
        periodic task queues it again and it imports, once."""
        from customers.tasks import resume_imports_task

        upload = self.queued(HEADER + "CRM-1,Ken's,,,,,,\n", by=admin_user)
        start = timezone.now()
        CustomerImport.objects.filter(pk=upload.pk).update(status="checking", rows_checked=1, progress_at=start)
        with time_machine.travel(start + CustomerImport.STALE_AFTER / 2, tick=False):
            assert resume_imports_task.apply().get() == 0  # still alive as far as anyone can tell
            assert customer_import_task.apply(args=[upload.pk]).get() is None  # a redelivery waits too
        with time_machine.travel(start + CustomerImport.STALE_AFTER * 2, tick=False):
            assert resume_imports_task.apply().get() == 1
            assert resume_imports_task.apply().get() == 0
        upload.refresh_from_db()
        assert (upload.status, upload.created, upload.rows_checked) == ("done", 1, 1)
        assert Customer.objects.count() == 1

    def test_an_upload_whose_message_was_lost_is_queued_again(self, admin_user):
        upload = self.queued(HEADER + "CRM-1,Ken's,,,,,,\n", by=admin_user)
        from customers.tasks import resume_imports_task

        assert resume_imports_task.apply().get() == 0  # just uploaded: its task is on its way
        with time_machine.travel(upload.uploaded_at + CustomerImport.STALE_AFTER * 2, tick=False):
            assert resume_imports_task.apply().get() == 1
        upload.refresh_from_db()
        assert upload.status == "done" and Customer.objects.count() == 1

    def test_a_finished_import_is_never_started_again(self, admin_user):
        upload = self.queued(HEADER + "CRM-1,Ken's,,,,,,\n", by=admin_user)
        customer_import_task.apply(args=[upload.pk])
        from customers.tasks import resume_imports_task

        with time_machine.travel(timezone.now() + CustomerImport.STALE_AFTER * 3, tick=False):
            assert resume_imports_task.apply().get() == 0
            assert customer_import_task.apply(args=[upload.pk]).get() is None
        assert Customer.objects.count() == 1

    def test_updates_keep_slugs_and_new_names_get_free_ones(self, admin_user):
        CustomerFactory(name="Ken", slug="ken", external_id="CRM-1")
        CustomerFactory(name="Ada", slug="ada", external_id=None)
        upload = self.queued(HEADER + "CRM-1,Ken Renamed,,,,,,\nCRM-2,Ada,,,,,,\nCRM-3,Ada,,,,,,\n", by=admin_user)
        customer_import_task.apply(args=[upload.pk])
        assert dict(Customer.objects.values_list("external_id", "slug")) == {
            "CRM-1": "ken", "CRM-2": "ada-2", "CRM-3": "ada-3", None: "ada",
        }
        assert Customer.objects.get(external_id="CRM-1").name == "Ken Renamed"

    def test_a_rename_reaches_the_stories_search(self, admin_user, host):
        from stories import selectors
        from tests.factories import StoryFactory, UserFactory

        story = StoryFactory(customer=CustomerFactory(name="Harbor", external_id="CRM-1"))
        found = lambda q: [s.pk for s in selectors.feed(user=UserFactory(), filters=selectors.FeedFilters(q=q))[0]]  # noqa: E731
        assert found("Lighthouse") == []
        upload = self.queued(HEADER + "CRM-1,Lighthouse,,,,,,\n", by=admin_user)
        customer_import_task.apply(args=[upload.pk])
        assert found("Lighthouse") == [story.pk]

    def test_the_largest_file_allowed_imports(self, admin_user, settings):
        rows = "".join(
            f"CRM-{i},Customer {i},Wholesale,Europe,,2020-01-{i % 28 + 1:02d},active,Pipes and *valves*\n"
            for i in range(settings.LIFELINE_IMPORT_MAX_ROWS)
        )
        CustomerFactory(external_id="CRM-7", name="Already here")
        upload = self.queued(HEADER + rows, by=admin_user)
        assert len(upload.content) < settings.LIFELINE_IMPORT_MAX_BYTES
        customer_import_task.apply(args=[upload.pk])
        upload.refresh_from_db()
        assert (upload.status, upload.rows_checked, upload.created, upload.updated) == ("done", 20_000, 19_999, 1)
        assert Customer.objects.count() == 20_000
        assert Customer.objects.get(external_id="CRM-7").name == "Customer 7"


@pytest.mark.django_db
class TestDoNotNameAndSize:
    """The optional columns do_not_name ("do not name us": yes or no) and employees (their size)."""

    def run(self, tmp_path, text):
        call_command("import_customers", str(write(tmp_path, text)), stdout=io.StringIO(), stderr=io.StringIO())

    def test_it_reads_yes_and_no_and_the_size(self, tmp_path, db):
        self.run(tmp_path, "external_id,name,do_not_name,employees\nCRM-1,Ken's,yes,40\nCRM-2,Ada,No,\nCRM-3,Bo,,\"1,200\"\nCRM-4,Cy,TRUE,\n")
        rows = dict(Customer.objects.values_list("external_id", "do_not_name"))
        assert rows == {"CRM-1": True, "CRM-2": False, "CRM-3": False, "CRM-4": True}
        assert Customer.objects.get(external_id="CRM-1").employees == 40
        assert Customer.objects.get(external_id="CRM-3").employees == 1200

    def test_a_file_without_the_column_keeps_the_wish(self, tmp_path, db):
        CustomerFactory(name="Ken's", external_id="CRM-1", do_not_name=True)
        self.run(tmp_path, HEADER + "CRM-1,Ken's Plumbing,Wholesale,,,,,\n")
        ken = Customer.objects.get(external_id="CRM-1")
        assert ken.name == "Ken's Plumbing" and ken.do_not_name is True

    def test_the_column_can_lift_it(self, tmp_path, db):
        CustomerFactory(name="Ken's", external_id="CRM-1", do_not_name=True)
        self.run(tmp_path, "external_id,name,do_not_name\nCRM-1,Ken's,no\n")
        assert Customer.objects.get(external_id="CRM-1").do_not_name is False

    def test_bad_values_are_row_errors_and_import_nothing(self, tmp_path, db):
        CustomerFactory(name="Ken's", external_id="CRM-1", do_not_name=True)
        err = io.StringIO()
        path = write(tmp_path, "external_id,name,do_not_name,employees\nCRM-1,Ken's,no,\nCRM-2,Ada,maybe,\nCRM-3,Bo,,forty\n")
        with pytest.raises(CommandError, match="2 problem"):
            call_command("import_customers", str(path), stdout=io.StringIO(), stderr=err)
        assert "line 3: “maybe” is not yes or no (do_not_name)." in err.getvalue()
        assert "line 4: “forty” is not a number of people like 40 (employees)." in err.getvalue()
        assert Customer.objects.count() == 1 and Customer.objects.get().do_not_name is True
