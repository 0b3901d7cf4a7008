"""CSV files people download. Every export writes through `csv_response()`, `csv_stream()` (or
`writer()`), so no cell a spreadsheet would run as a formula leaves us live: text starting with =, +,
-, @, a tab or a carriage return gets a leading single quote, which spreadsheets show as text (OWASP's
advice on CSV injection).
Numbers, negative ones too, are written as they are.

A wrapper of our own: the standard csv module has no such option and no library we use offers one.
"""

import csv
import re
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """csv.writer's writerow/writerows, every cell through safe_cell()."""

    def __init__(self, file, **kwargs):
        self._writer = csv.writer(file, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(file, **kwargs):
    return SafeWriter(file, **kwargs)


def csv_response(filename):
    """A download named `filename` and the formula-safe writer that fills it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, writer(response)


class _Line:
    """A file whose write() hands back what it was given: the writer's line, for the response to send."""

    def write(self, text):
        return text


def csv_stream(filename, rows):
    """A download named `filename` of `rows` (the header first), each line formula-safe and sent as it is
    written, so an export of any size never sits whole in memory (give it a queryset's .iterator())."""
    lines = writer(_Line())
    response = StreamingHttpResponse(
        (lines.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
