from django.db import migrations


class PostgreSQLOnlySQL(migrations.RunSQL):
    """RunSQL that only runs on PostgreSQL; SQLite keeps search_vector as a plain, unused column."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("stories", "0001_initial")]

    operations = [
        # Full-text search on the feed: `search_vector @@ websearch_to_tsquery(...)`.
        PostgreSQLOnlySQL(
            sql="CREATE INDEX story_search_gin ON stories_story USING gin (search_vector);",
            reverse_sql="DROP INDEX IF EXISTS story_search_gin;",
        ),
    ]
