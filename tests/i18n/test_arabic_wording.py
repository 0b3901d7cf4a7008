"""Arabic counts and dates as an Arabic reader writes them: no "0 تعليق" or "2 شكويان" (zero, one and
two have words of their own), and the day's whole name, since the short one of Sunday, أحد, reads as
"one"."""

import datetime

import pytest
from django.utils import formats, translation


@pytest.mark.parametrize(
    ("singular", "plural", "expected"),
    [
        ("%(counter)s comment", "%(counter)s comments", ["لا تعليقات", "تعليق واحد", "تعليقان", "3 تعليقات", "11 تعليقًا", "100 تعليق"]),
        ("%(counter)s complaint", "%(counter)s complaints", ["لا شكاوى", "شكوى واحدة", "شكويان", "3 شكاوى", "11 شكوى", "100 شكوى"]),
        ("%(counter)s seat left", "%(counter)s seats left", ["لا مقاعد متبقية", "مقعد واحد متبقٍ", "مقعدان متبقيان", "3 مقاعد متبقية", "11 مقعدًا متبقيًا", "100 مقعد متبقٍ"]),
    ],
)
def test_zero_one_and_two_are_words(singular, plural, expected):
    with translation.override("ar"):
        shown = [translation.ngettext(singular, plural, n) % {"counter": n} for n in (0, 1, 2, 3, 11, 100)]
    assert shown == expected


def test_a_day_and_time_names_the_whole_day():
    sunday = datetime.datetime(2026, 12, 6, 9, 30)
    with translation.override("ar"):
        assert formats.date_format(sunday, "DATETIME_FORMAT") == "الأحد 6 ديسمبر 2026، 09:30"
