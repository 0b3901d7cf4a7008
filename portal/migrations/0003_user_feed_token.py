import secrets

from django.db import migrations, models

import portal.models


def give_everyone_a_token(apps, schema_editor):
    """Each person their own random key (a callable default gives every existing row the same one)."""
    User = apps.get_model("portal", "User")
    people = list(User.objects.only("pk"))
    for person in people:
        person.feed_token = secrets.token_urlsafe(32)
    User.objects.bulk_update(people, ["feed_token"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0002_pendingtask"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="feed_token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(give_everyone_a_token, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="user",
            name="feed_token",
            field=models.CharField(default=portal.models.new_feed_token, editable=False, max_length=64, unique=True),
        ),
    ]
