"""Read.customer: the story's customer beside each read, so the scorecard's "customers touched" counts a
quarter's reads from read_at_idx alone (index-only) instead of joining every story. Filled from the
stories in one UPDATE; 0013 makes it required and puts it in read_at_idx (a migration of its own: on
PostgreSQL the UPDATE leaves deferred foreign-key checks pending, and ALTER TABLE must wait for them)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Read, Story = apps.get_model("stories", "Read"), apps.get_model("stories", "Story")
    Read.objects.using(schema_editor.connection.alias).update(
        customer_id=Subquery(Story.objects.filter(pk=OuterRef("story_id")).values("customer_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0007_import_progress_at"),
        ("stories", "0011_related_text_neighbours"),
    ]

    operations = [
        migrations.AddField(
            model_name="read",
            name="customer",
            field=models.ForeignKey(
                db_index=False, null=True, on_delete=models.DO_NOTHING, related_name="+", to="customers.customer"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
