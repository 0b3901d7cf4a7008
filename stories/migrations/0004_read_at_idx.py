from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0003_story_excerpt"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="read",
            index=models.Index(fields=["read_at"], include=["user", "story"], name="read_at_idx"),
        ),
    ]
