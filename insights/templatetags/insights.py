from django import template

from .. import charts

register = template.Library()


@register.filter
def chart_marks(chart):
    """The bars and their labels, as SVG (insights.charts.marks_svg)."""
    return charts.marks_svg(chart)


@register.filter
def chart_rows(chart):
    """The rows of the table beside a chart (insights.charts.table_rows)."""
    return charts.table_rows(chart)


@register.filter
def num_cells(values):
    """One <td class="num"> per number of a table row (insights.charts.num_cells)."""
    return charts.num_cells(values)
