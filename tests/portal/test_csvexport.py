import csv
import io

import pytest

from portal.lib.csvexport import csv_stream, writer


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


def test_a_streamed_file_is_written_line_by_line_and_formula_safe():
    response = csv_stream("people.csv", iter([["name", "score"], ["=cmd()", -3], ["Ken", None]]))
    assert response.streaming and response["Content-Disposition"] == 'attachment; filename="people.csv"'
    assert [line.decode() for line in response.streaming_content] == ["name,score\r\n", "'=cmd(),-3\r\n", "Ken,\r\n"]
