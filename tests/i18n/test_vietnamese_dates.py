import datetime

from django.utils import formats, translation

from portal.lib.dates import short_month, shown

SATURDAY = datetime.datetime(2026, 12, 12, 10, 5)


def test_dates_read_as_vietnamese_writes_them():
    with translation.override("vi"):
        assert shown(SATURDAY.date()) == "12 tháng 12, 2026"
        assert shown(SATURDAY, "day_time") == "Thứ 7, 12 tháng 12, 2026, 10:05"
        assert shown(SATURDAY, "month") == "tháng 12 năm 2026"
        assert short_month(SATURDAY) == "Thg 12"
        assert formats.date_format(SATURDAY, "SHORT_DATETIME_FORMAT") == "Thứ 7, 12 tháng 12, 2026, 10:05"


def test_other_languages_keep_their_month_names():
    with translation.override("en"):
        assert shown(SATURDAY.date()) == "12 Dec 2026"
        assert shown(SATURDAY, "month") == "December 2026"
        assert short_month(SATURDAY) == "Dec"
