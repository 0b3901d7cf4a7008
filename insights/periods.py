"""Quarters and months as the scorecard and the pulse count them: in the company's time zone
(settings.TIME_ZONE), so every viewer sees the same figures."""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

QUARTER_RE = re.compile(r"^([0-9]{4})Q([1-4])$")
MONTH_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _aware(date):
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min), timezone.get_default_timezone())


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, value):
        """"2026Q4" → Quarter(2026, 4); anything else (2026Q9, abc, year 1066) → None."""
        match = QUARTER_RE.match((value or "").strip().upper())
        if not match or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
            return None
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, moment=None):
        local = timezone.localtime(moment or timezone.now(), timezone.get_default_timezone())
        return cls(local.year, (local.month - 1) // 3 + 1)

    def __str__(self):
        return f"{self.year}Q{self.number}"

    @property
    def label(self):
        return _("Q%(number)s %(year)s") % {"number": self.number, "year": self.year}

    @property
    def label_lines(self):
        """The label on two short lines, for a chart's axis."""
        return (_("Q%(number)s") % {"number": self.number}, str(self.year))

    def shift(self, quarters):
        index = self.year * 4 + self.number - 1 + quarters
        return Quarter(index // 4, index % 4 + 1)

    def start(self):
        return _aware(datetime.date(self.year, 3 * self.number - 2, 1))

    def end(self):
        return self.shift(1).start()

    def trend(self, count=4):
        """This quarter and the ones before it, oldest first."""
        return [self.shift(-i) for i in reversed(range(count))]


def month_start(date):
    return date.replace(day=1)


def parse_month(value):
    """"2026-10" → date(2026, 10, 1); anything else → None."""
    match = MONTH_RE.match((value or "").strip())
    if not match or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR or not 1 <= int(match[2]) <= 12:
        return None
    return datetime.date(int(match[1]), int(match[2]), 1)


def add_months(date, months):
    index = date.year * 12 + date.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def last_months(count, *, until=None):
    """The `count` months up to and including `until` (default: the current month), oldest first."""
    until = month_start(until or timezone.localdate(timezone.now(), timezone.get_default_timezone()))
    return [add_months(until, -i) for i in reversed(range(count))]
