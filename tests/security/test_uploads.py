"""CSV uploads: capped in size and rows with a clear error, and fuzzed files never give a 500 or a
partial import (customers: the upload page and the import_customers command; insights: the pulse
import page)."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from customers.models import Customer
from tests.factories import CustomerFactory
from tests.security import test_fuzz_forms as fuzz
from tests.security.test_fuzz_forms import _fuzz_summary  # noqa: F401  (prints the examples per upload)

CUSTOMER_HEADER = ["external_id", "name", "industry", "region", "account_owner_email", "who_they_are", "what_they_do",
                   "daily_challenges", "how_we_help", "customer_since", "status"]
PULSE_HEADER = ["month", "customer", "products_returned", "customers_credited", "legal_threats", "customers_saved"]


def upload(content: bytes, name="export.csv"):
    f = io.BytesIO(content)
    f.name = name
    return f


def customers_csv(n, *, start=1):
    lines = ["external_id,name,industry"] + [f"CRM-{i},Customer {i},Wholesale" for i in range(start, start + n)]
    return ("\n".join(lines) + "\n").encode()


def pulse_csv(n):
    lines = [",".join(PULSE_HEADER)] + [f"{2000 + i // 12:04d}-{i % 12 + 1:02d},,1,0,0,{i % 7}" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def page_text(response):
    return response.content.decode()


@pytest.fixture
def small_caps(settings):
    settings.LIFELINE_IMPORT_MAX_BYTES = 4 * 1024
    settings.LIFELINE_IMPORT_MAX_ROWS = 5
    return settings


# -- customers: the upload page ------------------------------------------------------------------------


@pytest.mark.django_db
class TestCustomerImportCaps:
    """The page queues the import and answers with the upload's page, where the result shows (the task
    runs in-process here, as without REDIS_URL)."""

    URL = reverse("customers:import")

    @pytest.fixture(autouse=True)
    def _post(self, django_capture_on_commit_callbacks):
        self.capture = django_capture_on_commit_callbacks

    def post(self, client, data):
        with self.capture(execute=True):
            response = client.post(self.URL, data)
        return client.get(response["Location"]) if response.status_code == 302 else response

    def test_a_file_at_the_row_cap_imports(self, as_user, admin_user, small_caps):
        response = self.post(as_user(admin_user), {"file": upload(customers_csv(5))})
        assert "Imported 5 new and updated 0 customers." in page_text(response)
        assert Customer.objects.count() == 5

    def test_one_row_over_the_cap_imports_nothing_and_says_so(self, as_user, admin_user, small_caps):
        response = self.post(as_user(admin_user), {"file": upload(customers_csv(6))})
        assert response.status_code == 200
        assert "line 7: more than 5 rows; split the file." in page_text(response)
        assert Customer.objects.count() == 0

    def test_blank_lines_do_not_count_towards_the_cap(self, as_user, admin_user, small_caps):
        content = customers_csv(5) + b"\n,,\n\n"
        response = self.post(as_user(admin_user), {"file": upload(content)})
        assert "Imported 5 new" in page_text(response)
        assert Customer.objects.count() == 5

    def test_a_file_at_the_byte_cap_imports(self, as_user, admin_user, small_caps):
        base = b"external_id,name,industry\nCRM-1,Customer 1,Wholesale"
        content = base + b" " * (4095 - len(base)) + b"\n"
        assert len(content) == 4096
        response = self.post(as_user(admin_user), {"file": upload(content)})
        assert "Imported 1 new" in page_text(response)
        assert Customer.objects.get().industry == "Wholesale"

    def test_one_byte_over_the_cap_imports_nothing_and_says_so(self, as_user, admin_user, small_caps):
        content = customers_csv(1)
        content = content + b" " * (4097 - len(content))
        response = self.post(as_user(admin_user), {"file": upload(content)})
        assert response.status_code == 200
        assert "Nothing was imported: 1 problem" in page_text(response)
        assert "The file is larger than" in page_text(response)
        assert Customer.objects.count() == 0

    def test_the_default_cap_is_5_mb_and_the_error_names_it(self, as_user, admin_user, settings):
        assert settings.LIFELINE_IMPORT_MAX_BYTES == 5 * 1024 * 1024
        content = customers_csv(1) + b"#" * (5 * 1024 * 1024)
        response = self.post(as_user(admin_user), {"file": upload(content)})
        assert response.status_code == 200
        assert "The file is larger than 5 MB." in page_text(response) and "line 0" not in page_text(response)
        assert Customer.objects.count() == 0

    def test_the_default_row_cap_is_20000(self, settings):
        assert settings.LIFELINE_IMPORT_MAX_ROWS == 20_000

    def test_a_cell_larger_than_csv_allows_is_a_clear_error(self, as_user, admin_user):
        content = b"external_id,name,who_they_are\nCRM-1,Ken," + b"x" * 200_000 + b"\n"
        response = self.post(as_user(admin_user), {"file": upload(content)})
        assert response.status_code == 200
        assert "the file is not valid CSV" in page_text(response)
        assert Customer.objects.count() == 0

    def test_nul_bytes_are_a_clear_error(self, as_user, admin_user):
        content = b"external_id,name\nCRM-1,Ken\nCRM-2,Bad\x00Name\n"
        response = self.post(as_user(admin_user), {"file": upload(content)})
        assert response.status_code == 200
        assert "line 3: the file is not UTF-8 text" in page_text(response)
        assert Customer.objects.count() == 0

    def test_a_lone_surrogate_is_a_clear_encoding_error(self, as_user, admin_user):
        content = b"external_id,name\nCRM-1,Ken \xed\xa0\x80\n"
        response = self.post(as_user(admin_user), {"file": upload(content)})
        assert response.status_code == 200
        assert "line 2: the file is not UTF-8 text" in page_text(response)
        assert Customer.objects.count() == 0

    @pytest.mark.parametrize("data", [
        {}, {"file": ""}, {"file": "external_id,name\nCRM-1,Ken\n"}, {"file": ["a", "b"]},
    ])
    def test_no_file_or_text_instead_of_a_file_is_a_form_error(self, as_user, admin_user, data):
        response = self.post(as_user(admin_user), data)
        assert response.status_code == 200
        assert 'class="errorlist' in page_text(response)
        assert Customer.objects.count() == 0

    def test_an_empty_file_is_a_form_error(self, as_user, admin_user):
        response = self.post(as_user(admin_user), {"file": upload(b"")})
        assert response.status_code == 200
        assert "The submitted file is empty." in page_text(response)

    def test_two_files_use_the_last_and_stay_all_or_nothing(self, as_user, admin_user):
        response = self.post(as_user(admin_user), {"file": [upload(b"junk"), upload(customers_csv(2))]})
        assert response.status_code < 500
        assert Customer.objects.count() in (0, 2)


# -- customers: the command -----------------------------------------------------------------------


@pytest.mark.django_db
class TestCustomerImportCommandCaps:
    def run(self, tmp_path, content):
        path = tmp_path / "export.csv"
        path.write_bytes(content)
        out, err = io.StringIO(), io.StringIO()
        call_command("import_customers", str(path), stdout=out, stderr=err)
        return out.getvalue()

    def test_row_cap(self, tmp_path, small_caps):
        assert "Imported 5 new" in self.run(tmp_path, customers_csv(5))
        with pytest.raises(CommandError, match="1 problem"):
            self.run(tmp_path, customers_csv(6, start=100))
        assert not Customer.objects.filter(external_id__startswith="CRM-10").exists()

    def test_row_cap_message(self, tmp_path, small_caps):
        path = tmp_path / "export.csv"
        path.write_bytes(customers_csv(6))
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command("import_customers", str(path), stdout=io.StringIO(), stderr=err)
        assert f"{path}:line 7: more than 5 rows; split the file." in err.getvalue()
        assert Customer.objects.count() == 0

    def test_byte_cap_message(self, tmp_path, small_caps):
        path = tmp_path / "export.csv"
        path.write_bytes(customers_csv(1) + b" " * 5000)
        err = io.StringIO()
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command("import_customers", str(path), stdout=io.StringIO(), stderr=err)
        assert "The file is larger than" in err.getvalue()
        assert Customer.objects.count() == 0

    def test_nul_bytes_message(self, tmp_path, db):
        path = tmp_path / "export.csv"
        path.write_bytes(b"external_id,name\nCRM-1,Bad\x00Name\n")
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command("import_customers", str(path), stdout=io.StringIO(), stderr=err)
        assert "line 2: the file is not UTF-8 text" in err.getvalue()
        assert Customer.objects.count() == 0


# -- fuzzed CSV files -------------------------------------------------------------------------------

cell = st.one_of(
    fuzz.hostile, fuzz.any_text, fuzz.mixed,
    st.sampled_from(["CRM-1", "CRM-2", "Ken's Plumbing", "2021-03-31", "at risk", "former", "ada@example.com",
                     "Wholesale", "", " ", "²", "٣", '"', '""', "a,b", "line\nbreak", "=HYPERLINK(\"http://x\")", "2026-10", "12"]),
    st.builds(lambda unit, n: unit * n, st.sampled_from(["x", "é", "😀", ","]), st.integers(60, 70_000)),
)


@st.composite
def csv_file(draw, header):
    columns = draw(st.one_of(
        st.just(header),
        st.lists(st.sampled_from(header), min_size=1, max_size=len(header), unique=True),
        st.lists(st.one_of(st.sampled_from(header), fuzz.any_text, fuzz.hostile), max_size=6),
    ))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=len(columns) + 2), max_size=8))
    if draw(st.booleans()):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        text = buffer.getvalue()
    else:  # naive joining: broken quoting, stray delimiters
        text = "\n".join(",".join(r) for r in [columns, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1", "surrogates", "junk"]))
    if encoding == "surrogates":
        return text.encode("utf-8", "surrogatepass") + b"\xed\xa0\x80"
    if encoding == "junk":
        return draw(st.binary(max_size=400)) + text.encode()
    return text.encode(encoding, "replace")


def _check_all_or_nothing(changes, label):
    """A success changed only that table's rows (and the customers they touch); a failure nothing."""
    for row in fuzz._touched(changes, label):
        for column, value in row.items():
            assert not (isinstance(value, str) and "\x00" in value), (label, column)


@pytest.fixture
def existing(db):
    """An import updates customers by external_id (customers) or finds them by id or slug (pulse)."""
    return CustomerFactory(name="Ken", slug="ken", external_id="CRM-1")


@pytest.mark.django_db
class TestFuzzedCustomerImport:
    @fuzz.FUZZ
    @given(content=csv_file(CUSTOMER_HEADER))
    def test_the_upload_page(self, client, admin_user, existing, content):
        response = fuzz.exercise(client, "upload customers (page)", "post", reverse("customers:import"),
                                 {"file": upload(content)}, "multipart", user=admin_user)
        if response.status_code == 200:
            assert "Nothing was imported" in page_text(response) or "errorlist" in page_text(response)

    @fuzz.FUZZ
    @given(content=csv_file(CUSTOMER_HEADER))
    def test_the_command(self, tmp_path_factory, existing, content):
        path = tmp_path_factory.mktemp("csv") / "export.csv"
        path.write_bytes(content)
        fuzz.EXAMPLES["upload customers (command)"] += 1
        try:
            with transaction.atomic():
                before = fuzz.snapshot()
                try:
                    call_command("import_customers", str(path), stdout=io.StringIO(), stderr=io.StringIO())
                except CommandError:
                    assert not fuzz.diff(before, fuzz.snapshot()), "a failed import changed the database"
                else:
                    _check_all_or_nothing(fuzz.diff(before, fuzz.snapshot()), "customers.Customer")
                raise fuzz._Rollback
        except fuzz._Rollback:
            pass


# -- insights: the pulse import page ----------------------------------------------------------------


@pytest.fixture
def recorder(host):
    """Hosts in Customer Success record the pulse."""
    return host


@pytest.mark.django_db
class TestPulseImportCaps:
    URL = reverse("insights:pulse_import")

    def test_a_file_at_the_row_cap_imports(self, as_user, recorder, small_caps):
        from insights.models import PulseFigure

        response = as_user(recorder).post(self.URL, {"file": upload(pulse_csv(5))})
        assert response.status_code == 302
        assert PulseFigure.objects.count() == 5

    def test_one_row_over_the_cap_imports_nothing_and_says_so(self, as_user, recorder, small_caps):
        from insights.models import PulseFigure

        response = as_user(recorder).post(self.URL, {"file": upload(pulse_csv(6))})
        assert response.status_code == 200
        assert "line 7: more than 5 rows; split the file." in page_text(response)
        assert PulseFigure.objects.count() == 0

    def test_one_byte_over_the_cap_imports_nothing_and_says_so(self, as_user, recorder, small_caps):
        from insights.models import PulseFigure

        content = pulse_csv(1)
        content += b" " * (4097 - len(content))
        response = as_user(recorder).post(self.URL, {"file": upload(content)})
        assert response.status_code == 200
        assert "The file is larger than" in page_text(response)
        assert PulseFigure.objects.count() == 0

    def test_blank_lines_do_not_count_towards_the_cap(self, as_user, recorder, small_caps):
        from insights.models import PulseFigure

        response = as_user(recorder).post(self.URL, {"file": upload(pulse_csv(5) + b",,,,,\n,,,,,\n")})
        assert response.status_code == 302
        assert PulseFigure.objects.count() == 5

    def test_nul_bytes_and_odd_digits_are_clear_errors(self, as_user, recorder):
        from insights.models import PulseFigure

        content = ",".join(PULSE_HEADER).encode() + b"\n2026-01,,1\x00,0,0,0\n2026-02,,\xc2\xb2,0,0,0\n"
        response = as_user(recorder).post(self.URL, {"file": upload(content)})
        assert response.status_code == 200
        assert "Nothing was imported" in page_text(response)
        assert PulseFigure.objects.count() == 0

    def test_others_may_not_import(self, as_user, staff):
        response = as_user(staff).post(self.URL, {"file": upload(pulse_csv(1))})
        assert response.status_code == 403


@pytest.mark.django_db
class TestFuzzedPulseImport:
    @fuzz.FUZZ
    @given(content=csv_file(PULSE_HEADER))
    def test_the_upload_page(self, client, recorder, existing, content):
        response = fuzz.exercise(client, "upload pulse (page)", "post", reverse("insights:pulse_import"),
                                 {"file": upload(content)}, "multipart", user=recorder)
        if response.status_code == 200:
            assert "Nothing was imported" in page_text(response) or "errorlist" in page_text(response)
