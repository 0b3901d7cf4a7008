"""A pilot's recorded result was kept in its history as the effect's label in the recorder's language;
it is now kept as the effect's code and named in each reader's language at display."""

from django.conf import settings
from django.db import migrations
from django.utils import translation

EFFECTS = {"fewer": "Fewer complaints", "same": "No clear change", "more": "More complaints"}


def labels_to_codes(apps, schema_editor):
    IdeaEvent = apps.get_model("improvements", "IdeaEvent")
    for code, english in EFFECTS.items():
        labels = set()
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                labels.add(translation.gettext(english))
        IdeaEvent.objects.filter(kind="result", detail__in=labels).update(detail=code)


def codes_to_labels(apps, schema_editor):
    IdeaEvent = apps.get_model("improvements", "IdeaEvent")
    for code, english in EFFECTS.items():
        IdeaEvent.objects.filter(kind="result", detail=code).update(detail=english)


class Migration(migrations.Migration):
    dependencies = [("improvements", "0003_field_labels")]

    operations = [migrations.RunPython(labels_to_codes, codes_to_labels)]
