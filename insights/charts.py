"""Charts drawn on the server as SVG geometry for templates/insights/includes/chart.html.

No colour carries meaning on its own: every bar has its number written beside it, the selected
period is hatched and its label bold, and a reference (the quota) is a dashed line named in a legend
under the chart. In right-to-left languages the x axis runs in reading order (the oldest period on the
right) and horizontal bars grow from the right; the geometry is mirrored here, so the template stays
plain."""

from dataclasses import dataclass

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.text import Truncator
from django.utils.translation import get_language

WIDTH = 300
HEIGHT = 180
TOP, BOTTOM, SIDE = 24, 40, 6


@dataclass
class Mark:
    label: str
    full_label: str
    value: float | None
    display: str
    highlight: bool = False
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0
    label_x: float = 0
    label_y: float = 0
    value_x: float = 0
    value_y: float = 0
    label_anchor: str = "middle"
    value_anchor: str = "middle"
    lines: tuple = ()  # the label on two short lines under a column


def formatter():
    """display() for the active language, its separators looked up once: for a page of hundreds of numbers."""
    lang = get_language()
    decimal, grouping, thousands = (get_format(name, lang) for name in
                                    ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR"))

    def display(value, unit=""):
        if value is None:
            return "—"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(numberformat.format(value, decimal, 1 if isinstance(value, float) else None, grouping, thousands))
        return f"{text}{unit}" if unit == "%" else text

    return display


def display(value, unit=""):
    return formatter()(value, unit)


def column_chart(*, chart_id, title, desc, points, unit="", rtl=False, reference=None, reference_label="",
                 display=display):
    """Vertical bars over periods. `points` are (label, value, highlight) or (label, value, highlight,
    (line 1, line 2)), oldest first. `display` writes the numbers (formatter() shares one per page)."""
    points = [(*p, ()) if len(p) == 3 else p for p in points]
    points = list(reversed(points)) if rtl else list(points)
    values = [v for _label, v, _h, _lines in points if v is not None]
    top = max(values + [reference or 0, 0]) or 1
    plot = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - 2 * SIDE) / max(len(points), 1)
    marks = []
    for i, (label, value, highlight, lines) in enumerate(points):
        height = 0 if value is None else plot * value / top
        width = slot * 0.56
        x = SIDE + i * slot + (slot - width) / 2
        y = TOP + plot - height
        marks.append(Mark(
            label=label, full_label=label, value=value, display=display(value, unit), highlight=highlight, lines=lines,
            x=round(x, 1), y=round(y, 1), width=round(width, 1), height=round(height, 1),
            label_x=round(x + width / 2, 1), label_y=HEIGHT - BOTTOM + 17,
            value_x=round(x + width / 2, 1), value_y=round(y - 8, 1),
        ))
    ref = None
    if reference:
        y = round(TOP + plot - plot * reference / top, 1)
        ref = {"y": y, "label": reference_label, "x1": SIDE, "x2": WIDTH - SIDE}
    return {
        "id": chart_id, "title": title, "desc": desc, "kind": "columns", "marks": marks,
        # Narrow columns (seven months) get smaller labels, so long month names (سبتمبر) do not run together.
        "dense": slot < 48,
        "table_marks": list(reversed(marks)) if rtl else marks, "width": WIDTH,
        "height": HEIGHT, "baseline": TOP + plot, "x1": SIDE, "x2": WIDTH - SIDE, "reference": ref, "unit": unit,
    }


ROW, LABEL_WIDTH, BAR_SIDE, BAR_WIDTH = 26, 120, 40, 400


def bar_chart(*, chart_id, title, desc, points, unit="", rtl=False, display=display):
    """Horizontal bars, one per team. `points` are (label, value, highlight), top to bottom."""
    values = [v for _label, v, _h in points if v is not None]
    top = max(values + [0]) or 1
    width = BAR_WIDTH
    height = TOP // 2 + ROW * max(len(points), 1)
    room = width - LABEL_WIDTH - BAR_SIDE
    marks = []
    for i, (label, value, highlight) in enumerate(points):
        length = 0 if value is None else room * value / top
        y = TOP // 2 + i * ROW
        x = LABEL_WIDTH
        value_x, value_anchor = x + length + 6, "start"
        label_x, label_anchor = LABEL_WIDTH - 8, "end"
        if rtl:  # mirror: labels on the right, bars grow leftwards
            x = width - LABEL_WIDTH - length
            value_x, value_anchor = x - 6, "end"
            label_x, label_anchor = width - LABEL_WIDTH + 8, "start"
        marks.append(Mark(
            label=label if len(label) <= 16 else Truncator(label).chars(16), full_label=label, value=value,
            display=display(value, unit), highlight=highlight,
            x=round(x, 1), y=y + 5, width=round(length, 1), height=ROW - 10,
            label_x=label_x, label_y=y + ROW / 2 + 5, label_anchor=label_anchor,
            value_x=round(value_x, 1), value_y=y + ROW / 2 + 5, value_anchor=value_anchor,
        ))
    axis = width - LABEL_WIDTH if rtl else LABEL_WIDTH
    return {
        "id": chart_id, "title": title, "desc": desc, "kind": "bars", "marks": marks, "table_marks": marks, "width": width,
        "height": height, "axis_x": axis, "axis_y1": TOP // 2, "axis_y2": height, "reference": None, "unit": unit,
    }
