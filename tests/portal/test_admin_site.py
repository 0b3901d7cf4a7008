"""The admin is Lifeline's: its name, in the admin's language, its icon, and data kept in its own
direction on right-to-left pages."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "name"), [("en", "Lifeline administration"), ("ar", "إدارة Lifeline")])
def test_the_admin_names_itself_in_the_admins_language(as_user, admin_user, language, name):
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    page = as_user(admin_user).get(reverse("admin:index")).content.decode()
    assert f">{name}</a>" in page and "Django" not in page
    assert "img/lifeline.svg" in page and "css/admin.css" in page


@pytest.mark.django_db
def test_an_objects_name_keeps_its_own_direction_in_the_breadcrumbs(as_user, admin_user):
    from tests.factories import CustomerFactory

    customer = CustomerFactory(name="Ken's Plumbing Supply, Inc.")
    admin_user.language = "ar"
    admin_user.save(update_fields=["language"])
    page = as_user(admin_user).get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    assert "&rsaquo; <bdi>Ken&#x27;s Plumbing Supply, Inc.</bdi>" in page
    assert "<h2><bdi>Ken&#x27;s Plumbing Supply, Inc.</bdi></h2>" in page


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "name"), [("en", "Sign-in protection"), ("ar", "حماية تسجيل الدخول")])
def test_the_sign_in_protection_section_is_named_in_the_admins_language(as_user, admin_user, language, name):
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    page = as_user(admin_user).get(reverse("admin:index")).content.decode()
    assert name in page and ">Axes<" not in page
    assert reverse("admin:axes_accessattempt_changelist") in page  # still there, under its new name
