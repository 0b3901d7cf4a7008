"""Django's own messages that its catalogs leave in English for our languages (portal/upstream_messages.py)
read in every language at run time, through the project's catalogs merged over Django's."""

import ast
import datetime
import re
from pathlib import Path

import pytest
from django import forms
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.timesince import timesince

import portal.upstream_messages

LANGUAGES = ["ar", "he", "fa", "vi"]
SAME_EVERYWHERE = {"%(truncated_text)s…"}  # an ellipsis after the text, in every language
SAME_IN = {", ": {"he", "vi"}}  # a comma and a space, as in English


def marked():
    """(context, singular, plural) of every message the module marks."""
    tree = ast.parse(Path(portal.upstream_messages.__file__).read_text())
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and getattr(call.func, "id", "") in {"gettext_noop", "ngettext_lazy", "pgettext_lazy"}:
            args = [arg.value for arg in call.args]
            if call.func.id == "pgettext_lazy":
                yield args[0], args[1], None
            elif call.func.id == "ngettext_lazy":
                yield None, args[0], args[1]
            else:
                yield None, args[0], None


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_message_reads_in_the_language(language):
    messages = list(marked())
    assert len(messages) > 40
    untranslated = []
    with translation.override(language):
        for context, singular, plural in messages:
            if plural:
                read = [translation.ngettext(singular, plural, n) for n in (1, 2, 5)]
                english = [singular, plural, plural]
            elif context:
                read, english = translation.pgettext(context, singular), singular
            else:
                read, english = translation.gettext(singular), singular
            if read == english and singular not in SAME_EVERYWHERE and language not in SAME_IN.get(singular, ()):
                untranslated.append(singular)
    assert untranslated == []


@pytest.mark.parametrize(("language", "expected"), [("vi", "3 ngày"), ("ar", "3 أيام"), ("en", "3 days")])
def test_how_long_ago_reads_in_the_language(language, expected):
    now = timezone.now()
    with translation.override(language):
        assert timesince(now - datetime.timedelta(days=3, minutes=5), now).replace("\xa0", " ") == expected


@pytest.mark.parametrize(("language", "expected"), [("fa", "4 روز، 10 ساعت"), ("ar", "4 أيام، 10 ساعات"),
                                                     ("he", "4 ימים, 10 שעות"), ("en", "4 days, 10 hours")])
def test_the_parts_of_how_long_ago_are_separated(language, expected):
    now = timezone.now()
    with translation.override(language):
        assert timesince(now - datetime.timedelta(days=4, hours=10, minutes=5), now).replace("\xa0", " ") == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_password_length_rule_reads_in_the_language(language):
    with translation.override(language):
        message = MinimumLengthValidator(12).get_error_message()
    assert "too short" not in message and "12" in message


@pytest.mark.parametrize(("language", "expected"), [("vi", "Nhập một số nguyên."), ("fa", "یک عدد صحیح وارد کنید."),
                                                     ("en", "Enter a whole number.")])
def test_a_whole_number_is_asked_for_in_the_language(language, expected):
    """Django's Vietnamese asks for "a general number" and its Persian to "enter a number completely"."""
    with translation.override(language):
        assert _refusal(forms.IntegerField(), "1.5") == [expected]


@pytest.mark.parametrize("language", LANGUAGES)
def test_limits_end_their_sentence(language):
    """Vietnamese had "… bằng với 0 ." and "… (hiện có 239)" with no full stop."""
    with translation.override(language):
        messages = [*_refusal(forms.IntegerField(min_value=0), "-4"), *_refusal(forms.IntegerField(max_value=5), "9"),
                    *_refusal(forms.CharField(max_length=3), "abcd")]
    for message in messages:
        assert not re.search(r"\s[.。]$", message) and message[-1] in ".)۔", message


def _refusal(field, value):
    with pytest.raises(ValidationError) as refused:
        field.clean(value)
    return [str(message) for message in refused.value.messages]  # read in the active language


def test_a_shortened_text_ends_with_nothing_but_the_ellipsis():
    """The Hebrew catalog had a right-to-left override before the "…", never closed: copied with the
    text, it reversed whatever followed. No catalog may carry an override or embedding."""
    with translation.override("he"):
        assert Truncator("אחת שתיים שלוש ארבע").words(2) == "אחת שתיים…"
    for path in Path(__file__).resolve().parents[2].glob("locale/*/LC_MESSAGES/*.po"):
        assert not re.search("[\u202a-\u202e]", path.read_text(encoding="utf-8")), path
