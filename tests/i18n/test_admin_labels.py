"""Admins work in their own language too: every column, filter, field and inline the admin shows is
labelled in it, not in the model's English field name."""

import json
from pathlib import Path

import django.contrib.admin
import polib
import pytest
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, label_for_field
from django.utils import translation
from django.views.i18n import JSONCatalog

LANGUAGES = ["ar", "he", "fa", "vi"]
# Words the language writes as English does (the catalog translates them so).
SAME = {"ar": {"ID"}, "he": {"ID"}, "fa": {"ID"}, "vi": {"ID", "Slug", "email"}}
OURS = {"portal", "customers", "stories", "decisions", "meetings", "digests", "insights", "loops", "improvements",
        "survey", "webhooks", "axes"}  # axes: the "Sign-in protection" pages


def labels(request):
    """{where: label} for the columns, filters, form fields and read-only fields of our models' admin
    pages and their inlines, each label a string in the active language."""
    found = {}
    owners = [a for a in admin.site._registry.values() if a.model._meta.app_label in OURS]
    owners += [inline for owner in owners for inline in owner.get_inline_instances(request)]
    for owner in owners:
        model = owner.model
        names = list(owner.get_readonly_fields(request))
        if not hasattr(owner, "fk_name"):
            names += [*owner.get_list_display(request)]
            filters = owner.get_list_filter(request)
            names += [f if isinstance(f, str) else f[0] for f in filters if not isinstance(f, type)]
            for f in filters:  # a filter class of its own, titled by itself
                if isinstance(f, type):
                    found[f"{model._meta.label}.{f.__name__}"] = str(f.title)
        for name in dict.fromkeys(names):
            if isinstance(name, str) and name != "__str__" and "__" not in name:
                found[f"{model._meta.label}.{name}"] = str(label_for_field(name, model, owner))
        form = owner.get_formset(request).form if hasattr(owner, "fk_name") else owner.get_form(request)
        for name in flatten_fieldsets(owner.get_fieldsets(request)):
            field = form.base_fields.get(name)
            if field is not None and name != getattr(owner, "fk_name", None) and not field.widget.is_hidden:
                found[f"{model._meta.label}.{name}"] = str(field.label)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_admin_label_is_translated(language, rf, admin_user):
    request = rf.get("/admin/")
    request.user = admin_user
    with translation.override("en"):
        english = labels(request)
    with translation.override(language):
        translated = labels(request)
    same = [f"{where}: {label!r}" for where, label in english.items()
            if translated[where] == label and label not in SAME[language]]
    assert sorted(same) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_admin_model_name_is_translated(language):
    """The admin's index and its pages' titles name each model, ours and the sign-in protection's."""
    models = [m for m in admin.site._registry if m._meta.app_label in OURS]
    with translation.override("en"):
        english = {m._meta.label: (str(m._meta.verbose_name), str(m._meta.verbose_name_plural)) for m in models}
    with translation.override(language):
        translated = {m._meta.label: (str(m._meta.verbose_name), str(m._meta.verbose_name_plural)) for m in models}
    assert sorted(label for label, names in english.items() if set(names) & set(translated[label])) == []


def admin_script_catalog(language, rf):
    """The admin's JavaScript catalog (what /admin/jsi18n/ serves) in `language`: {key: translation}."""
    with translation.override(language):
        response = JSONCatalog.as_view(packages=["django.contrib.admin"])(rf.get("/admin/jsi18n/"))
    return json.loads(response.content)["catalog"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admin_scripts_speak_the_language_too(language, rf):
    """The two-box pickers (a story's themes and teams, a person's groups) and the date widget: Django's
    own catalogs leave some of their strings in English; locale/*/djangojs.po fills them in."""
    english = polib.pofile(str(Path(django.contrib.admin.__file__).parent / "locale/en/LC_MESSAGES/djangojs.po"))
    catalog = admin_script_catalog(language, rf)
    keys = [f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid for e in english if e.msgid]
    assert [key.replace("\x04", " | ") for key in keys if key not in catalog] == []
