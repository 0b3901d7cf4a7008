"""The catalogs in locale/ are complete: every message translated, none fuzzy, plurals right, compiled."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["ar", "he", "fa", "vi"]
NPLURALS = {"ar": 6, "he": 4, "fa": 2, "vi": 1}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{\d*\}")


def catalog(language):
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.fixture(scope="module")
def fresh_msgids(tmp_path_factory):
    """The messages the code has now: makemessages run on a copy of the project."""
    if shutil.which("xgettext") is None:
        pytest.fail("gettext is missing (apt-get install gettext); make test installs it")
    copy = tmp_path_factory.mktemp("project")
    ignore = shutil.ignore_patterns(".venv", "node_modules", "var", "tests", "bench", ".git", "__pycache__", "*.mo")
    for item in ROOT.iterdir():
        if item.name in {".venv", "node_modules", "var", "tests", "bench", ".git"}:
            continue
        if item.is_dir():
            shutil.copytree(item, copy / item.name, ignore=ignore)
        else:
            shutil.copy2(item, copy / item.name)
    for language in LANGUAGES:
        (copy / "locale" / language / "LC_MESSAGES" / "django.po").unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--no-location", "-l", "vi"],
        cwd=copy, check=True, capture_output=True, env={"DEBUG": "1", "PATH": "/usr/bin:/bin"},
    )
    fresh = polib.pofile(str(copy / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    return {(e.msgctxt, e.msgid) for e in fresh}


@pytest.mark.parametrize("language", LANGUAGES)
class TestCatalog:
    def test_it_has_every_message_of_the_code(self, language, fresh_msgids):
        have = {(e.msgctxt, e.msgid) for e in catalog(language) if not e.obsolete}
        missing = sorted(fresh_msgids - have, key=str)
        assert missing == [], f"{len(missing)} messages missing: run `make messages` and translate them"

    def test_every_message_is_translated_and_none_is_fuzzy(self, language):
        po = catalog(language)
        assert [e.msgid for e in po.untranslated_entries()] == []
        assert [e.msgid for e in po.fuzzy_entries()] == []

    def test_plurals_have_every_form_of_the_language(self, language):
        po = catalog(language)
        assert f"nplurals={NPLURALS[language]};" in po.metadata["Plural-Forms"].replace(" ", "")
        for entry in po:
            if entry.msgid_plural:
                forms = [entry.msgstr_plural.get(i, "") for i in range(NPLURALS[language])]
                assert all(forms), entry.msgid

    def test_placeholders_survive_translation(self, language):
        for entry in catalog(language).translated_entries():
            expected = sorted(set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or ""))))
            translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
            for text in translations:
                found = sorted(set(PLACEHOLDER.findall(text)))
                if entry.msgid_plural:  # a form may leave out the count (e.g. Arabic's "one" and "two")
                    assert set(found) <= set(expected), (entry.msgid, text)
                else:
                    assert found == expected, (entry.msgid, text)

    def test_the_compiled_catalog_matches(self, language):
        po = catalog(language)
        mo = polib.mofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"))
        compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo}
        for entry in po.translated_entries():
            key = (entry.msgctxt, entry.msgid)
            assert compiled.get(key) == (entry.msgstr, tuple(sorted(entry.msgstr_plural.items()))), (
                f"{entry.msgid!r}: run `make messages` to recompile"
            )


def test_no_message_carries_markup(fresh_msgids):
    """Translators see sentences, never tags: a name keeps its direction through `|bdi` (or `|strong`,
    `|link_to`) on the variable, outside the msgid."""
    with_markup = sorted(msgid for _context, msgid in fresh_msgids if re.search(r"<[a-z/!]", msgid))
    assert with_markup == []


# Terms each catalog's glossary (its header) fixes, with the other words reviewers found beside them.
# One thing keeps one name: a Persian reader meeting "گذرواژه" on the sign-in page and "رمز عبور" in the
# reset email could think they are two secrets. Django's own Persian catalogs say گذرواژه.
ONE_WORD = {
    "fa": [("password", "گذرواژه", "رمز عبور"), ("seat", "جایگاه", "صندلی")],
    "vi": [("strongly disagree", "rất không đồng ý", "hoàn toàn không đồng ý")],
}


@pytest.mark.parametrize(("language", "term", "word", "other"), [(lang, *t) for lang, ts in ONE_WORD.items() for t in ts])
def test_a_term_has_one_word(language, term, word, other):
    po = catalog(language)
    assert any(term in line and word in line for line in po.header.splitlines()), "the glossary names it"
    said = [e.msgid for e in po if other in e.msgstr or any(other in v for v in e.msgstr_plural.values())]
    assert said == [], f"{language} says {other!r} for {term!r} where its glossary says {word!r}: {said}"
