from django.db import migrations


def set_fillfactor(apps, schema_editor):
    """Leave room in each page so marking a delivery sent is an in-place (HOT) update on PostgreSQL:
    every row is updated twice (claimed, then sent) soon after it is written."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE digests_delivery SET (fillfactor = 70)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE digests_delivery RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("digests", "0001_initial")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False)]
