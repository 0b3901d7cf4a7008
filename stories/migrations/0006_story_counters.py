from django.db import migrations, models
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_counters(apps, schema_editor):
    """Count what is already there: one UPDATE with a correlated COUNT per column (SQLite and PostgreSQL)."""
    Story = apps.get_model("stories", "Story")

    def count(model_name):
        model = apps.get_model("stories", model_name)
        rows = model.objects.filter(story=OuterRef("pk")).order_by().values("story").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(rows[:1], output_field=IntegerField()), Value(0))

    Story.objects.update(
        reaction_count=count("Reaction"), comment_count=count("Comment"), read_count=count("Read")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0005_through_table_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="story", name="reaction_count", field=models.PositiveIntegerField(default=0, editable=False)
        ),
        migrations.AddField(
            model_name="story", name="comment_count", field=models.PositiveIntegerField(default=0, editable=False)
        ),
        migrations.AddField(
            model_name="story", name="read_count", field=models.PositiveIntegerField(default=0, editable=False)
        ),
        migrations.RunPython(fill_counters, migrations.RunPython.noop),
    ]
