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


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["person", "group"])
def test_permissions_are_listed_in_the_admins_language(as_user, admin_user, page):
    from django.contrib.auth.models import Group
    from django.utils import translation

    from stories.models import Story

    admin_user.language = "ar"
    admin_user.save(update_fields=["language"])
    url = (reverse("admin:portal_user_change", args=[admin_user.pk]) if page == "person"
           else reverse("admin:auth_group_change", args=[Group.objects.create(name="Editors").pk]))
    html = as_user(admin_user).get(url).content.decode()
    with translation.override("ar"):
        story, app = Story._meta.verbose_name, Story._meta.app_config.verbose_name
    assert f"{app} | صلاحية إضافة {story}" in html and f"{app} | صلاحية عرض {story}" in html
    assert "Can add story" not in html and "Can view story" not in html


def test_renaming_axes_leaves_the_portals_own_app_config_in_charge():
    from django.apps import apps

    from portal.apps import PortalConfig

    assert type(apps.get_app_config("portal")) is PortalConfig  # its ready() registers checks and signals
    assert str(apps.get_app_config("axes").verbose_name) == "Sign-in protection"
