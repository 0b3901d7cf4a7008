"""Stories like this (stories.related).

Both databases: `Story.text_neighbour_ids`, the stories whose titles read most like the story's, found
when it is saved. Null for the stories saved before; stories.related.refresh fills them (the
`refresh_related` command for all of them).

PostgreSQL:
- pg_trgm, and `lifeline_fold(text)`: lower case, without accents (unaccent: "Đà Nẵng" → "da nang") and
  without Arabic and Hebrew vowel marks (which unaccent keeps), so titles compare alike in all five
  languages. IMMUTABLE, for the index: the unaccent dictionary is a fixed file.
- story_title_trgm: a GiST trigram index on the folded title, for the nearest titles (`<->`) when a
  story is saved. siglen 32: at 100,000 near-alike titles (bench/) it visits fewer pages than the
  default 12 bytes or 128 (bench/results/2026-12-05-related.md).
- story_text_neighbours_gin: which stories list a story among theirs (`@>`), so a story published
  after another still shows beside it.
"""

from django.db import migrations, models

FOLD = (
    "CREATE OR REPLACE FUNCTION lifeline_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS"
    " $$ SELECT lower(regexp_replace(public.unaccent('public.unaccent'::regdictionary, $1),"
    " '[\\u064B-\\u065F\\u0670\\u0591-\\u05C7]', '', 'g')) $$"
)


class PostgreSQL(migrations.RunSQL):
    """RunSQL on PostgreSQL only."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ("stories", "0010_story_id_customer_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="text_neighbour_ids",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        PostgreSQL(
            [
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                FOLD,
                "CREATE INDEX story_title_trgm ON stories_story USING gist (lifeline_fold(title) gist_trgm_ops(siglen=32))",
                "CREATE INDEX story_text_neighbours_gin ON stories_story USING gin (text_neighbour_ids jsonb_path_ops)",
            ],
            [
                "DROP INDEX IF EXISTS story_text_neighbours_gin",
                "DROP INDEX IF EXISTS story_title_trgm",
                "DROP FUNCTION IF EXISTS lifeline_fold(text)",
            ],
        ),
    ]
