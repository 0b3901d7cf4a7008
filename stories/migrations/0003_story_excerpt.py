from django.db import migrations, models


def fill_excerpts(apps, schema_editor):
    """Existing stories get the excerpt the services now store on every save."""
    from portal.lib.markdown import plain_excerpt

    Story = apps.get_model("stories", "Story")
    batch = []
    for story in Story.objects.only("id", "body_html").iterator(chunk_size=2000):
        story.excerpt = plain_excerpt(story.body_html)
        batch.append(story)
        if len(batch) == 2000:
            Story.objects.bulk_update(batch, ["excerpt"])
            batch = []
    Story.objects.bulk_update(batch, ["excerpt"])


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0002_search_gin_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="excerpt",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_excerpts, migrations.RunPython.noop, elidable=True),
    ]
