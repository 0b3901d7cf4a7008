from django.db import migrations

# How many words PostgreSQL keeps statistics for, per search vector (ten times this many lexemes).
STATISTICS = 1000


def keep_more_word_statistics(apps, schema_editor):
    """With PostgreSQL's default (100) the planner knew about 260 words of 100,000 stories and took
    every other word to match about 430 of them; for a word that matches none ("zebras", "refunded",
    a typo) it then walked the feed's index in date order under LIMIT 21 and filtered every story:
    0.45 s a search, growing with the stories. Knowing ~3,500 words, it takes an unknown word for a
    rare one and asks the search index (9 ms). ANALYZE takes about 3 s at 100,000 stories."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE stories_story ALTER COLUMN search_vector SET STATISTICS {STATISTICS}")
    schema_editor.execute("ANALYZE stories_story")


def default_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE stories_story ALTER COLUMN search_vector SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("stories", "0015_refill_excerpts")]

    operations = [migrations.RunPython(keep_more_word_statistics, default_statistics)]
