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
