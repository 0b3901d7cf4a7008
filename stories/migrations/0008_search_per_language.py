"""Search in the story's language, ignoring accents, on both databases (stories.search).

PostgreSQL: the unaccent extension and one text search configuration per language the portal speaks,
`lifeline_<code>`: unaccent, then the language's Snowball stemmer where PostgreSQL has one (English,
Arabic), else `simple` (Hebrew, Persian, Vietnamese). Then every story's vector again, in its
configuration, with its author's name beside the customer's.

SQLite: an FTS5 table, `stories_search` (rowid = the story's id), filled from the stories. Its
tokenizer folds case and diacritics and stems English; đ is folded to d in what it is given.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

# language: (the built-in configuration copied, the dictionary words go to after unaccent)
LANGUAGES = {
    "en": ("english", "english_stem"),
    "ar": ("arabic", "arabic_stem"),
    "he": ("simple", "simple"),
    "fa": ("simple", "simple"),
    "vi": ("simple", "simple"),
}


def configurations():
    for code, (base, dictionary) in LANGUAGES.items():
        yield (
            f"CREATE TEXT SEARCH CONFIGURATION lifeline_{code} (COPY = {base});"
            f" ALTER TEXT SEARCH CONFIGURATION lifeline_{code}"
            f" ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {dictionary};"
        )


def fold(column):
    return f"replace(replace({column}, 'đ', 'd'), 'Đ', 'D')"


def config(column):
    return f"('lifeline_' || {column})::regconfig"


POSTGRESQL_VECTORS = f"""
UPDATE stories_story s SET search_vector =
    setweight(to_tsvector({config('s.language')}, COALESCE(s.title, '')), 'A')
    || setweight(to_tsvector({config('s.language')}, CONCAT(c.name, ' ', u.name)), 'B')
    || setweight(to_tsvector({config('s.language')}, COALESCE(s.body, '')), 'C')
    || setweight(to_tsvector({config('s.language')}, CONCAT(s.bought, ' ', s.impact)), 'D')
FROM customers_customer c, portal_user u WHERE c.id = s.customer_id AND u.id = s.author_id
"""

NAMES, EXTRA = "c.name || ' ' || u.name", "s.bought || ' ' || s.impact"
SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE stories_search USING fts5"
    "(title, names, body, extra, tokenize = 'porter unicode61 remove_diacritics 2')"
)
SQLITE_FILL = (
    f"INSERT INTO stories_search (rowid, title, names, body, extra)"
    f" SELECT s.id, {fold('s.title')}, {fold(NAMES)}, {fold('s.body')},"
    f" {fold(EXTRA)}"
    " FROM stories_story s JOIN customers_customer c ON c.id = s.customer_id JOIN portal_user u ON u.id = s.author_id"
)
# A story deleted (the admin; a test database's flush) leaves the index with it.
SQLITE_TRIGGER = (
    "CREATE TRIGGER stories_search_delete AFTER DELETE ON stories_story"
    " BEGIN DELETE FROM stories_search WHERE rowid = old.id; END"
)


class Unaccent(UnaccentExtension):
    """Django's extension operations check the vendor going forwards only."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class VendorSQL(migrations.RunSQL):
    """RunSQL on one database vendor only."""

    def __init__(self, vendor, *args, **kwargs):
        self.vendor = vendor
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, [self.vendor, *args], kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0007_story_language"),
        ("customers", "0001_initial"),
    ]

    operations = [
        Unaccent(),  # PostgreSQL only; a trusted extension, so the database's owner may create it
        VendorSQL(
            "postgresql",
            list(configurations()),
            [f"DROP TEXT SEARCH CONFIGURATION IF EXISTS lifeline_{code}" for code in LANGUAGES],
        ),
        VendorSQL("postgresql", POSTGRESQL_VECTORS, migrations.RunSQL.noop),
        VendorSQL(
            "sqlite",
            [SQLITE_TABLE, SQLITE_FILL, SQLITE_TRIGGER],
            ["DROP TRIGGER IF EXISTS stories_search_delete", "DROP TABLE IF EXISTS stories_search"],
        ),
    ]
