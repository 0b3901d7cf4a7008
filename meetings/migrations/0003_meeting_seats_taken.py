from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_confirmed_seats(apps, schema_editor):
    """Fill the new column from the seats: one UPDATE with a correlated count (SQLite and PostgreSQL)."""
    Meeting = apps.get_model("meetings", "Meeting")
    Seat = apps.get_model("meetings", "Seat")
    confirmed = (
        Seat.objects.filter(meeting=OuterRef("pk"), status="confirmed").order_by().values("meeting")
        .annotate(n=Count("*")).values("n")
    )
    Meeting.objects.update(seats_taken=Coalesce(Subquery(confirmed), 0))


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0002_meeting_start_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="seats_taken",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_confirmed_seats, migrations.RunPython.noop),
    ]
