import csv
import io

import pytest

from portal.lib.csvexport import writer


@pytest.mark.parametrize("cell, written", [
    ('=HYPERLINK("http://x","y")', """'=HYPERLINK("http://x","y")"""),
    ("+1+2", "'+1+2"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("Ken's = fine", "Ken's = fine"),
    ("-12.5", "-12.5"),
    (-3, "-3"),
    (None, ""),
])
def test_cells_a_spreadsheet_would_run_are_written_as_text(cell, written):
    buffer = io.StringIO()
    writer(buffer).writerow([cell])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == [written]
