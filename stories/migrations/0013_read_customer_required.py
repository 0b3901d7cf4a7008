"""Read.customer required, and carried by read_at_idx (0012 filled it)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("stories", "0012_read_customer")]

    operations = [
        migrations.AlterField(
            model_name="read",
            name="customer",
            field=models.ForeignKey(
                db_index=False, on_delete=models.DO_NOTHING, related_name="+", to="customers.customer"
            ),
        ),
        migrations.RemoveIndex(model_name="read", name="read_at_idx"),
        migrations.AddIndex(
            model_name="read",
            index=models.Index(fields=["read_at"], include=["user", "story", "customer"], name="read_at_idx"),
        ),
    ]
