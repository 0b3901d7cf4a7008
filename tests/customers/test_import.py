import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from customers.models import Customer
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


@pytest.mark.django_db
class TestImportPage:
    URL = reverse("customers:import")

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_only_admins_import(self, request, as_user, persona):
        user = request.getfixturevalue(persona)
        client = as_user(user)
        upload = io.BytesIO((HEADER + "CRM-1,Ken's,,,,,,\n").encode())
        upload.name = "c.csv"
        response = client.post(self.URL, {"file": upload})
        if persona == "admin_user":
            assert response.status_code == 302
            assert Customer.objects.count() == 1
        else:
            assert response.status_code == 403
            assert Customer.objects.count() == 0

    def test_it_lists_every_bad_row(self, as_user, admin_user):
        upload = io.BytesIO((HEADER + "CRM-1,,,,,,,\nCRM-1,X,,,,,,\n").encode())
        upload.name = "c.csv"
        response = as_user(admin_user).post(self.URL, {"file": upload})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Nothing was imported: 2 problems" in html
        assert "line 2: “name” is empty." in html
        assert "line 3: external_id “CRM-1” is already used on line 2." in html
        assert Customer.objects.count() == 0

    def test_no_file_is_a_form_error(self, as_user, admin_user):
        response = as_user(admin_user).post(self.URL, {})
        assert response.status_code == 200
        assert "This field is required." in response.content.decode()
