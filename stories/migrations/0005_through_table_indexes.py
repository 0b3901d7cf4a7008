from django.db import migrations

# The feed's team and theme filters start from the link tables. (team_id, story_id) and
# (theme_id, story_id) let PostgreSQL answer "stories of team 7 with theme 3" from the two indexes
# alone (a merge join of index-only scans) instead of reading every matching row of each table:
# 10-16 ms -> 6 ms at 100,000 stories (bench/README.md). The tables are Django's automatic
# many-to-many tables, so the indexes are plain SQL (the same on SQLite and PostgreSQL).
INDEXES = [
    ("story_teams_team_story_idx", "stories_story_teams", "team_id, story_id"),
    ("story_themes_theme_story_idx", "stories_story_themes", "theme_id, story_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0004_read_at_idx"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, columns in INDEXES
    ]
