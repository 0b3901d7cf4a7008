"""What the CSV importers (customers, customer pulse) share: reading an upload, walking its rows, and
the report: all or nothing, every bad row by line."""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from portal.lib.text import isolate, join_list


def isolated(values):
    """A message's placeholder values, each `isolate`d."""
    return {key: isolate(value) for key, value in values.items()}


def column_list(names):
    """Column names as a list of the active language, each `isolate`d."""
    return join_list(isolate(name) for name in names)


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self):
        if not self.line:  # about the whole file (too large): no line to point at
            return capfirst(str(self.message))
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    checked: int = 0  # rows that hold something, read so far (data_rows), a bad one included

    @property
    def ok(self):
        return not self.errors


NOT_UTF8 = gettext_lazy("the file is not UTF-8 text (save it from your spreadsheet as “CSV UTF-8”).")


def decode_upload(raw: bytes, report: ImportReport):
    """The upload as text, or None with the reason in `report`: over LIFELINE_IMPORT_MAX_BYTES, or not
    UTF-8 (a byte-order mark is dropped)."""
    if len(raw) > settings.LIFELINE_IMPORT_MAX_BYTES:
        report.errors.append(
            RowError(0, _("the file is larger than %(mb)s MB.") % isolated({"mb": settings.LIFELINE_IMPORT_MAX_BYTES // 2**20}))
        )
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.errors.append(RowError(raw[: exc.start].count(b"\n") + 1, str(NOT_UTF8)))
        return None


def dict_reader(text: str) -> csv.DictReader:
    """A DictReader over `text` whose column names have their surrounding spaces removed."""
    # strict: a stray or unclosed quote is an error, never a cell that swallows the rest of the file.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    reader.fieldnames = [name.strip() for name in (reader.fieldnames or [])]
    return reader


def repeated_columns(headers):
    """The column names a header lists more than once, each once, in their order."""
    return list(dict.fromkeys(name for i, name in enumerate(headers) if name and name in headers[:i]))


def open_csv(raw: bytes, report: ImportReport, *, required, optional=()):
    """A dict_reader over an upload whose header holds every `required` column and nothing outside
    `required` + `optional`, or None with the reason in `report` (too large, not UTF-8, NUL bytes: a
    UTF-16 file or a binary spreadsheet, which PostgreSQL text could not hold either; wrong columns)."""
    text = decode_upload(raw, report)
    if text is None:
        return None
    if "\x00" in text:
        report.errors.append(RowError(text[: text.index("\x00")].count("\n") + 1, str(NOT_UTF8)))
        return None
    reader = dict_reader(text)
    headers = reader.fieldnames
    expected = [*required, *optional]
    missing = [c for c in required if c not in headers]
    unknown = [h for h in headers if h and h not in expected]
    repeated = repeated_columns(headers)
    if missing or unknown or repeated:
        parts = []
        if repeated:  # a reader keeps only the last of them: the first would be dropped without a word
            parts.append(_("columns listed more than once: %(columns)s") % {"columns": column_list(repeated)})
        if missing:
            parts.append(_("missing columns: %(columns)s") % {"columns": column_list(missing)})
        if unknown:
            parts.append(_("unknown columns: %(columns)s") % {"columns": column_list(unknown)})
        parts.append(_("expected: %(columns)s") % {"columns": column_list(expected)})
        report.errors.append(RowError(1, pgettext("between the parts of one sentence", "; ").join(parts)))
        return None
    return reader


def data_rows(reader: csv.DictReader, report: ImportReport, *, progress=None, every=1000):
    """(line, row) for each row that holds something, counted in `report.checked`. A row with more cells
    than columns (counted too), broken CSV, and a file of more than LIFELINE_IMPORT_MAX_ROWS rows (where
    it stops) are errors in `report`. Blank rows (spreadsheets export trailing ",,,") are skipped and not
    counted. `progress(rows checked, problems found)` is called after every `every` rows."""
    line = reader.line_num
    try:
        for row in reader:
            line = reader.line_num
            extra = row.pop(None, None)  # the cells beyond the header's columns
            if not any((value or "").strip() for value in [*row.values(), *(extra or ())]):
                continue
            if progress and report.checked and report.checked % every == 0:  # the rows before this one are checked
                progress(report.checked, len(report.errors))
            if report.checked >= settings.LIFELINE_IMPORT_MAX_ROWS:
                report.errors.append(
                    RowError(line, _("more than %(n)s rows; split the file.") % isolated({"n": settings.LIFELINE_IMPORT_MAX_ROWS}))
                )
                return
            report.checked += 1
            if extra is not None:
                report.errors.append(RowError(line, _("this row has more cells than there are columns.")))
                continue
            yield line, row
    except csv.Error as exc:
        # DictReader.line_num stays at the last good record; its reader's has reached the failing line.
        if "end of data" in str(exc):  # the broken record starts after the last one read
            line, message = line + 1, _("a quote (\") opened on this line is never closed.")
        else:
            line, message = reader.reader.line_num, _("the file is not valid CSV (%(error)s).") % isolated({"error": exc})
        report.errors.append(RowError(line, message))


def parse_date(value: str, column: str, *, history=False):
    """(date, None) for a cell like 2021-03-31 between 2000 and 2100 (portal.lib.dates; from 1900 for a
    date of `history`), else (None, the message naming the column)."""
    from portal.lib.dates import validate_date_range, validate_history_date

    try:
        day = datetime.date.fromisoformat(value)
        (validate_history_date if history else validate_date_range)(day)
    except ValueError:
        return None, _("“%(value)s” is not a date like 2021-03-31 (%(column)s).") % isolated({"value": value, "column": column})
    except ValidationError as error:
        return None, f"{error.messages[0]} ({column})"
    return day, None
