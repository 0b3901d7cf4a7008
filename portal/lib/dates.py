"""The dates people may type: 2000-01-01 to 2100-12-31. Anything outside is a typo (0001-01-01,
9999-12-31) that would overflow once shown in another time zone or written to a calendar file.

Forms check the date as typed, in the person's time zone (`DateField`, `DateTimeField`); models
check the same through `validate_date_range` on the field, so a service or the admin cannot save
one either. A moment is accepted there when it falls on an allowed date somewhere on Earth (UTC+14
to UTC−12): the same meeting must not become invalid when someone in another zone edits it.

And the dates people read: `shown()` writes one in the active language's format for its kind; and
`zone_of()`, the zone a person's dates are read in."""

import datetime
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format, get_format_modules
from django.utils.translation import gettext_lazy as _


def zone_of(name):
    """The time zone named `name` (a person's `time_zone`), UTC when it is empty or unknown."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)
# A date of history rather than of planning (since when a company has been a customer) may be older.
HISTORY_EARLIEST = datetime.date(1900, 1, 1)
EARLIEST_AT = datetime.datetime.combine(EARLIEST, datetime.time.min, tzinfo=datetime.UTC) - datetime.timedelta(hours=14)
LATEST_AT = datetime.datetime.combine(LATEST, datetime.time.max, tzinfo=datetime.UTC) + datetime.timedelta(hours=12)

MESSAGE = _("Enter a date from %(earliest)s to %(latest)s.")

# The kinds of date a page shows, each with one format per language (portal/formats).
WHEN_FORMATS = {"day": "DATE_FORMAT", "day_time": "DATETIME_FORMAT", "time": "TIME_FORMAT", "month": "YEAR_MONTH_FORMAT"}


def shown(value, kind="day"):
    """A date or moment as text, written the active language's way for its kind (day, day_time, time,
    month), a moment in the active time zone: what `{% when %}` shows, and a row's name in the admin."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, WHEN_FORMATS[kind])


def short_month(value):
    """A month as a chart's axis writes it, in the fewest letters the language allows: the language's
    CHART_MONTH_FORMAT (portal/formats; Vietnamese "Thg 6", as CLDR abbreviates, where Django's
    abbreviation is the whole "Tháng 6") or else its abbreviated month name ("Jun")."""
    for module in get_format_modules():
        chart_format = getattr(module, "CHART_MONTH_FORMAT", None)
        if chart_format:
            return date_format(value, chart_format)
    return date_format(value, "M")


def out_of_range(earliest=EARLIEST):
    """The error, with both dates written as the active language writes dates."""
    return ValidationError(
        MESSAGE, code="date_range",
        params={"earliest": date_format(earliest, "DATE_FORMAT"), "latest": date_format(LATEST, "DATE_FORMAT")},
    )


def validate_history_date(value):
    """Model field validator for a date of history (HISTORY_EARLIEST to LATEST): "customer since"."""
    if value is not None and not HISTORY_EARLIEST <= value <= LATEST:
        raise out_of_range(HISTORY_EARLIEST)


def validate_date_range(value):
    """Model field validator, for dates and (aware) datetimes. Compares what the value says before
    any conversion: converting year 1 or 9999 to another zone is what overflows."""
    if value is None:
        return
    if isinstance(value, datetime.datetime):
        day = value.date()  # the date as stored, without conversion
        if not EARLIEST - datetime.timedelta(days=1) <= day <= LATEST + datetime.timedelta(days=1):
            raise out_of_range()
        if timezone.is_aware(value) and not EARLIEST_AT <= value <= LATEST_AT:
            raise out_of_range()
    elif not EARLIEST <= value <= LATEST:
        raise out_of_range()


def _validate_as_typed(value):
    if value is not None and not EARLIEST <= (value.date() if isinstance(value, datetime.datetime) else value) <= LATEST:
        raise out_of_range()


class DateField(forms.DateField):
    """A date from EARLIEST to LATEST; the browser's date picker is told so too."""

    default_validators = [_validate_as_typed]

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "min": EARLIEST.isoformat(), "max": LATEST.isoformat()}


class DateTimeField(forms.DateTimeField):
    """A moment on a date from EARLIEST to LATEST, as typed in the person's time zone."""

    default_validators = [_validate_as_typed]

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "min": f"{EARLIEST}T00:00", "max": f"{LATEST}T23:59"}
