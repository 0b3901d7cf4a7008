from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from portal.lib.csvexport import csv_response
from portal.lib.dates import short_month
from portal.lib.uploads import read_capped
from survey import selectors as survey_selectors

from . import selectors, services
from .charts import bar_chart, column_chart, formatter
from .forms import PublishForm, PulseFigureForm, PulseImportForm
from .models import PULSE_FIELDS, PulseFigure
from .periods import Quarter, add_months, last_months, parse_month

COMPARE_CHARTS = ["customers_touched", "reads_per_person", "meetings"]
SCALE_TOP = 5  # the employee pulse's scale: 1 (strongly disagree) to 5 (strongly agree)


def _employee_pulse(teams, quarter):
    """The quarterly employee pulse ("do we know our customers?") of the teams shown, for one quarter:
    survey.selectors.SurveyResults or None. A team's means are there only from survey.MIN_ANSWERS answers."""
    return survey_selectors.results(teams=teams, quarters=[(quarter.year, quarter.number)]).get((quarter.year, quarter.number))


def _employee_pulse_charts(team, quarters, selected, display):
    """One column chart per scale question of the employee pulse over `quarters`, questions matched by
    their words from one quarter to the next. A quarter without the question shows "—"; one where fewer
    than survey.MIN_ANSWERS people of the team answered shows "too few answers" and no bar."""
    found = survey_selectors.results(teams=[team], quarters=[(q.year, q.number) for q in quarters])
    texts = []
    for q in reversed(quarters):  # the newest quarter's questions first, in their order
        entry = found.get((q.year, q.number))
        for question in entry.questions if entry else []:
            if question.text not in texts:
                texts.append(question.text)
    too_few = _("too few")  # short: it stands in the chart where the bar would be
    charts = []
    for i, text in enumerate(texts):
        points, shown = [], {}
        for q in quarters:
            entry = found.get((q.year, q.number))
            question = next((x for x in entry.questions if x.text == text), None) if entry else None
            result = entry.teams[0] if entry and entry.teams else None
            value = result.means.get(question.pk) if question and result and result.shown else None
            shown[str(q.label)] = display(value) if value is not None else (too_few if question else "—")
            points.append((str(q.label), value, q == selected, q.label_lines))
        chart = column_chart(
            chart_id=f"employee-pulse-{i}", title=text, rtl=get_language_bidi(), points=points, display=display,
            desc=_("Average answer of %(team)s from 1 to 5, the four quarters to %(quarter)s.")
            % {"team": team.name, "quarter": selected.label},
            reference=SCALE_TOP, reference_label=_("5 = strongly agree"),
        )
        for mark in chart["marks"]:
            mark.display = shown[mark.full_label]
        charts.append(chart)
    return charts


def _quarter(request):
    """?quarter=2026Q4, or the current quarter; a quarter that does not exist, or has not begun (its
    figures would be zeros that look real), is a 404."""
    value = request.GET.get("quarter")
    if not value:
        return Quarter.containing()
    quarter = Quarter.parse(value)
    if quarter is None or quarter > Quarter.containing():
        raise Http404
    return quarter


def _next(quarter):
    """The quarter after `quarter`, or None when that one has not begun."""
    return quarter.shift(1) if quarter < Quarter.containing() else None


def _csv(filename, header, rows):
    response, writer = csv_response(filename)
    writer.writerow([str(h) for h in header])
    writer.writerows(rows)
    return response


def _quarter_choices(selected):
    current = Quarter.containing()
    choices = current.trend(8)[::-1]
    return choices if selected in choices else [selected, *choices]


def _compare_charts(rows, quarter, user, display):
    metrics = {m.key: m for m in selectors.METRICS}
    return [
        bar_chart(
            chart_id=f"compare-{key}", title=metrics[key].label, rtl=get_language_bidi(), unit=metrics[key].unit,
            desc=_("%(metric)s in %(quarter)s, one bar per team.") % {"metric": metrics[key].label, "quarter": quarter.label},
            points=[(row.team.name, row.quarters[0][key], row.team.pk == user.team_id) for row in rows], display=display,
        )
        for key in COMPARE_CHARTS
    ] if rows else []


def _results_vary_on(rows, quarter, counted_at, user):
    """Everything the scorecard's results HTML depends on: the teams shown, when their figures were
    counted, the viewer's own team (hatched), language and time zone. The {% cache %} fragment keeps
    the HTML under this key, so the same view of the same figures is written once, not per request.
    Whether the viewer sees every team tells an admin with no team to show from anyone else without one."""
    return [str(quarter), str(Quarter.containing()), counted_at.isoformat() if counted_at else "", user.team_id,
            selectors.sees_every_team(user),
            get_language(), timezone.get_current_timezone_name(), [(r.team.pk, r.team.name, r.team.slug) for r in rows]]


@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def scorecard(request):
    """Every team the viewer may see, side by side, for one quarter."""
    quarter = _quarter(request)
    rows, counted_at = selectors.shared_scorecard(teams=selectors.visible_teams(request.user), quarters=[quarter])
    if request.GET.get("format") == "csv":
        header = [_("Team"), _("Quarter"), _("People"), *[m.label for m in selectors.METRICS]]
        return _csv(f"scorecard-{quarter}.csv", header, [
            [row.team.name, str(quarter), row.members, *[row.quarters[0][k] for k in selectors.METRIC_KEYS]]
            for row in rows
        ])
    display = formatter()
    context = {
        "quarter": quarter, "rows": rows, "metrics": selectors.METRICS, "counted_at": counted_at,
        "sees_every_team": selectors.sees_every_team(request.user),
        # Built only when the cached results fragment has to be written again.
        "charts": SimpleLazyObject(lambda: _compare_charts(rows, quarter, request.user, display)),
        "groups": selectors.METRIC_GROUPS,
        "table": SimpleLazyObject(lambda: [(row, [display(row.quarters[0][m.key], m.unit) for m in selectors.METRICS])
                                           for row in rows]),
        # One team (a leader's own): its figures down the page, under the same headings.
        "figures": SimpleLazyObject(lambda: [
            (label, [(metric, display(rows[0].quarters[0][metric.key], metric.unit)) for metric in metrics])
            for label, metrics in selectors.METRIC_GROUPS
        ] if len(rows) == 1 else []),
        "vary_on": _results_vary_on(rows, quarter, counted_at, request.user),
        "cache_seconds": settings.LIFELINE_SCORECARD_MAX_AGE,
        "choices": _quarter_choices(quarter), "previous": quarter.shift(-1), "next": _next(quarter),
        # Not kept with the results above: answers come in all quarter long.
        "employee_pulse": _employee_pulse([row.team for row in rows], quarter),
    }
    template = "insights/scorecard.html#results" if request.htmx and not request.htmx.boosted else "insights/scorecard.html"
    return render(request, template, context)


@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def team_scorecard(request, slug):
    """One team: the trend over the last four quarters, a chart and a table for each figure."""
    team, quarter = selectors.get_team_for(request.user, slug), _quarter(request)
    quarters = quarter.trend(4)
    rows, counted_at = selectors.shared_scorecard(teams=[team], quarters=quarters)  # get_team_for checked access
    if not rows:  # deleted meanwhile
        raise Http404
    row = rows[0]
    if request.GET.get("format") == "csv":
        header = [_("Team"), _("Quarter"), _("People"), *[m.label for m in selectors.METRICS]]
        return _csv(f"scorecard-{team.slug}-{quarter}.csv", header, [
            [team.name, str(figures["quarter"]), row.members, *[figures[k] for k in selectors.METRIC_KEYS]]
            for figures in row.quarters
        ])
    rtl, charts = get_language_bidi(), []
    for metric in (m for m in selectors.METRICS if m.chart):
        points = [(str(f["quarter"].label), f[metric.key], f["quarter"] == quarter, f["quarter"].label_lines)
                  for f in row.quarters]
        reference = row.quarters[-1]["quota"] if metric.key == "leader_meetings" else None
        chart = column_chart(
            chart_id=f"trend-{metric.key}", title=metric.label, unit=metric.unit, rtl=rtl, points=points,
            desc=_("%(metric)s for %(team)s over the four quarters to %(quarter)s.")
            % {"metric": metric.label, "team": team.name, "quarter": quarter.label},
            reference=reference,
            reference_label=_("Quota: %(quota)s") % {"quota": reference} if reference else "",
        )
        charts.append(chart)
    context = {"team": team, "row": row, "quarter": quarter, "quarters": quarters, "charts": charts, "counted_at": counted_at,
               "employee_pulse_charts": _employee_pulse_charts(team, quarters, quarter, formatter()),
               "choices": _quarter_choices(quarter), "previous": quarter.shift(-1), "next": _next(quarter)}
    template = "insights/team.html#results" if request.htmx and not request.htmx.boosted else "insights/team.html"
    return render(request, template, context)


# -- the customer pulse -------------------------------------------------------------------------


def _pulse_until(request):
    value = request.GET.get("month")
    if not value:
        return None
    month = parse_month(value)
    if month is None:
        raise Http404
    return month


@require_http_methods(["GET"])
def pulse(request):
    months = last_months(6, until=_pulse_until(request))
    totals = selectors.pulse_totals(months)
    labels = {name: capfirst(PulseFigure._meta.get_field(name).verbose_name) for name in PULSE_FIELDS}
    if request.GET.get("format") == "csv":
        return _csv(f"pulse-{months[-1]:%Y-%m}.csv", [_("Month"), *[labels[n] for n in PULSE_FIELDS]],
                    [[f"{t['month']:%Y-%m}", *[t[n] for n in PULSE_FIELDS]] for t in totals])
    rtl, charts = get_language_bidi(), []
    month_names = {month: date_format(month, "YEAR_MONTH_FORMAT") for month in months}  # "July 2026", "يوليو 2026"
    for name in PULSE_FIELDS:
        chart = column_chart(
            chart_id=f"pulse-{name}", title=labels[name], rtl=rtl,
            points=[(month_names[t["month"]], t[name] if t["recorded"] else None, i == len(totals) - 1,
                     (short_month(t["month"]), str(t["month"].year))) for i, t in enumerate(totals)],
            desc=_("%(figure)s each month, %(first)s to %(last)s.")
            % {"figure": labels[name], "first": month_names[months[0]], "last": month_names[months[-1]]},
        )
        charts.append(chart)
    can_record = selectors.can_record_pulse(request.user)
    published = {issue.month for issue in selectors.pulse_issues()}
    context = {"months": months, "totals": totals, "charts": charts, "rows": selectors.pulse_rows(months[-1]),
               "labels": [labels[n] for n in PULSE_FIELDS], "fields": PULSE_FIELDS, "can_record": can_record,
               "month": months[-1], "published": months[-1] in published,
               "any_recorded": any(total["recorded"] for total in totals),
               "previous": add_months(months[-1], -1),
               "next": add_months(months[-1], 1) if months[-1] < last_months(1)[0] else None}
    return render(request, "insights/pulse.html", context)


@require_http_methods(["GET", "POST"])
def pulse_record(request):
    if not selectors.can_record_pulse(request.user):
        raise PermissionDenied
    form = PulseFigureForm(request.POST or None, initial={"month": request.GET.get("month", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.pulse_record(by=request.user, month=data["month"], customer=data["customer"], figures=form.figures())
        messages.success(request, _("Figures for %(month)s saved.") % {"month": f"{data['month']:%Y-%m}"})
        return redirect(f"{reverse('insights:pulse')}?month={data['month']:%Y-%m}")
    return render(request, "insights/pulse_record.html", {"form": form})


@require_http_methods(["GET", "POST"])
def pulse_import(request):
    if not selectors.can_record_pulse(request.user):
        raise PermissionDenied
    form = PulseImportForm(request.POST, request.FILES) if request.method == "POST" else PulseImportForm()
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.pulse_import(by=request.user, raw=read_capped(form.cleaned_data["file"]))
        if result.ok:
            messages.success(request, _("Imported %(count)s rows of figures.") % {"count": result.saved})
            return redirect("insights:pulse")
    return render(request, "insights/pulse_import.html", {"form": form, "result": result})


@require_POST
def pulse_publish(request):
    if not selectors.can_record_pulse(request.user):
        raise PermissionDenied
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a month like 2026-10 to publish."))
        return redirect("insights:pulse")
    month = form.cleaned_data["month"]
    try:
        _issue, created = services.pulse_publish(by=request.user, month=month)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        if created:
            messages.success(request, _("The pulse for %(month)s is on its way to everyone.") % {"month": f"{month:%Y-%m}"})
        else:
            messages.info(request, _("The pulse for %(month)s was already published.") % {"month": f"{month:%Y-%m}"})
    return redirect(f"{reverse('insights:pulse')}?month={month:%Y-%m}")
