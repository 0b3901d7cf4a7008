from django.db import migrations


def refill_excerpts(apps, schema_editor):
    """Stored excerpts ran a body's blocks together ("…our ordering portal Our account team…"); they
    are made again as the services now make them, with the blocks kept apart. Only changed rows are
    written."""
    from portal.lib.markdown import plain_excerpt

    Story = apps.get_model("stories", "Story")
    batch = []
    for story in Story.objects.only("id", "body_html", "excerpt").iterator(chunk_size=2000):
        excerpt = plain_excerpt(story.body_html)
        if excerpt != story.excerpt:
            story.excerpt = excerpt
            batch.append(story)
        if len(batch) == 2000:
            Story.objects.bulk_update(batch, ["excerpt"])
            batch = []
    Story.objects.bulk_update(batch, ["excerpt"])


class Migration(migrations.Migration):
    dependencies = [("stories", "0014_field_labels")]

    operations = [migrations.RunPython(refill_excerpts, migrations.RunPython.noop, elidable=True)]
