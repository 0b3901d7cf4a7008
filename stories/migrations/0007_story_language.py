from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0006_story_counters"),
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="language",
            field=models.CharField(
                choices=[("en", "English"), ("ar", "Arabic"), ("he", "Hebrew"), ("fa", "Persian"), ("vi", "Vietnamese")],
                default="en", max_length=8, verbose_name="language",
            ),
        ),
        # Stories written before: in their author's language, as new ones are by default.
        migrations.RunSQL(
            "UPDATE stories_story SET language = (SELECT u.language FROM portal_user u WHERE u.id = stories_story.author_id)",
            migrations.RunSQL.noop,
        ),
    ]
