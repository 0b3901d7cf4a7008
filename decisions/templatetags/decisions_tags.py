"""The decision pages' long lists, written in Python.

A decision collects dozens of reviews and review requests, and the log shows 25 rows: through the
template engine these loops were most of each page's time (the same markup costs about a tenth
here). Same markup, same translated strings, same escaping as the templates they replaced: user
text is escaped, stored Markdown HTML (sanitised when saved) is not, and a translated sentence gets
its values escaped and not itself, as `{% blocktranslate %}` does. Labels and date formats are
looked up once per list, not once per row.
"""

import datetime

from django import template
from django.utils import dateformat, formats, timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.lib.text import list_separator
from portal.lib.urls import pk_url

from ..models import Decision, DecisionEvent, ImpactReview

register = template.Library()


def e(value):
    """Escape like the template engine: text escaped, what is marked safe left as it is."""
    return conditional_escape(value)


def _sentence(text, **values):
    """`{% blocktranslate with a=… %}…{% endblocktranslate %}`: the values escaped, the sentence not."""
    return text % {name: e(value) for name, value in values.items()}


class _Dates:
    """A date filter (`|date:"DATE_FORMAT"`) that resolves its format and time zone once per list and
    formats each distinct value once (60 review requests share a handful of due dates)."""

    def __init__(self, format_name):
        self.format = formats.get_format(format_name)
        self.zone = timezone.get_current_timezone()
        self.done = {}

    def __call__(self, value):
        if value not in self.done:
            shown = value
            if isinstance(value, datetime.datetime) and timezone.is_aware(value):
                shown = timezone.localtime(value, self.zone)  # as the template's date filter does
            self.done[value] = dateformat.format(shown, self.format)
        return self.done[value]


def _attrs(attrs):
    """A widget's attributes, as django/forms/widgets/attrs.html writes them."""
    return "".join(
        f" {name}" if value is True else f' {name}="{e(value)}"' for name, value in attrs.items() if value is not False
    )


def _labels(choices):
    return {value: str(label) for value, label in choices}


@register.simple_tag
def decision_rows(decisions):
    """The decision log's rows (selectors.log_rows gives each its tally and customer names)."""
    decide_by = _Dates("DATE_FORMAT")
    customers_label, separator = e(_("Customers:")), e(list_separator())
    statuses = _labels(Decision.Status.choices)
    team_owner, decide = _("<bdi>%(team)s</bdi> · owner <bdi>%(owner)s</bdi>"), _("decide by %(date)s")
    url = pk_url("decisions:detail")
    rows = []
    for decision in decisions:
        meta = _sentence(team_owner, team=decision.team.name, owner=decision.owner.name)
        meta += " · " + _sentence(decide, date=decide_by(decision.decide_by))
        n = decision.pending_requests
        if n and decision.is_open():
            waiting = ngettext("waiting for %(counter)s reviewer", "waiting for %(counter)s reviewers", n)
            meta += " · " + _sentence(waiting, counter=n)
        customers = ""
        if decision.customer_names:
            names = separator.join(f"<bdi>{e(name)}</bdi>" for name in decision.customer_names)
            customers = f'\n      <p class="meta">{customers_label} {names}</p>'
        serious = " impact-summary--serious" if decision.has_serious_harm() else ""
        status = e(statuses.get(decision.status, decision.status))
        rows.append(
            f'\n    <li class="card decision-row">\n      <div class="decision-row__head">\n'
            f'        <h2><a href="{e(url % decision.pk)}" dir="auto">{e(decision.title)}</a></h2>\n'
            f'        <span class="badge badge--status-{e(decision.status)}">{status}</span>\n'
            f'      </div>\n      <p class="meta">\n        {meta}\n      </p>\n'
            f'      <p class="impact-summary{serious}">{e(decision.impact_summary())}</p>{customers}\n    </li>'
        )
    return mark_safe("".join(rows))  # noqa: S308 (user text escaped above)


@register.simple_tag
def impact_reviews(reviews):
    """The reviews on a decision's page (selectors.decision_detail: names annotated, customers attached)."""
    updated = _Dates("DATETIME_FORMAT")
    reduce_harm, named_label = e(_("What would reduce the harm")), e(_("Named customers:"))
    separator = e(list_separator())
    last_updated = _("Last updated %(when)s")
    directions, severities = _labels(ImpactReview.Direction.choices), _labels(ImpactReview.Severity.choices)
    direction_badge = {
        value: f'<span class="badge badge--impact-{e(value)}">{e(capfirst(directions.get(value, value)))}</span>'
        for value in {*directions, *(review.direction for review in reviews)}
    }
    severity_text = _("severity: %(severity)s")  # outside the f-string: xgettext does not look inside them
    severity_badge = {
        value: f'<span class="badge badge--severity-{e(value)}">'
        f'{_sentence(severity_text, severity=severities.get(value, value))}</span>'
        for value in {*severities, *(review.severity for review in reviews)}
    }
    affected_badge = {
        value: f'<span class="badge badge--affected">{e(label)}</span>'
        for value, label in _labels(ImpactReview.Affected.choices).items()
    }
    customer_links = {}  # reviewers often name the same customers: each link is written once

    def customer_link(customer):
        if customer.pk not in customer_links:
            url = e(customer.get_absolute_url())
            customer_links[customer.pk] = f'<a href="{url}" dir="auto">{e(customer.name)}</a>'
        return customer_links[customer.pk]

    articles = []
    for review in reviews:
        author = f"<bdi>{e(review.author_name)}</bdi>"
        if review.author_team_name:
            author += f' <span class="meta">(<bdi>{e(review.author_team_name)}</bdi>)</span>'
        badges = direction_badge[review.direction]
        if review.severity:
            badges += " " + severity_badge[review.severity]
        affected = "".join(affected_badge[value] for value in review.affected())
        if affected:
            badges += " " + affected
        mitigation = ""
        if review.mitigation_html:  # sanitised Markdown HTML, as `|safe` in the template
            mitigation = f'\n  <h4>{reduce_harm}</h4>\n  <div class="prose" dir="auto">{review.mitigation_html}</div>'
        named = review.named_customer_list()
        customers = ""
        if named:
            customers = f'\n  <p class="meta">{named_label} {separator.join(customer_link(c) for c in named)}</p>'
        pk = review.pk
        articles.append(
            f'<article class="impact-review impact-review--{e(review.direction)}" id="review-{pk}"'
            f' aria-labelledby="review-{pk}-heading">\n'
            f'  <h3 id="review-{pk}-heading">{author}</h3>\n'
            f'  <p class="badges">{badges}</p>\n'
            f'  <div class="prose" dir="auto">{review.answer_html}</div>{mitigation}{customers}\n'
            f'  <p class="meta">{_sentence(last_updated, when=updated(review.updated_at))}</p>\n</article>\n'
        )
    # User text is escaped above; the answer and mitigation HTML was sanitised when saved.
    return mark_safe("".join(articles))  # noqa: S308


@register.simple_tag
def review_request_rows(requests):
    """The "Review requests" list (selectors.decision_detail: names annotated)."""
    today = timezone.localdate()
    due = _Dates("DATE_FORMAT")
    reviewed_text = _("Reviewed")  # outside the f-string: xgettext does not look inside them
    reviewed = f'<span class="badge badge--done">{e(reviewed_text)}</span>'
    via_team, overdue, due_on = _("via <bdi>%(team)s</bdi>"), _("Overdue since %(date)s"), _("Due %(date)s")
    rows = []
    for row in requests:
        via = f' <span class="meta">{_sentence(via_team, team=row.via_team_name)}</span>' if row.via_team_name else ""
        if row.reviewed_at:
            state = reviewed
        elif row.due_date < today:
            state = f'<span class="badge badge--warn">{_sentence(overdue, date=due(row.due_date))}</span>'
        else:
            state = f'<span class="meta">{_sentence(due_on, date=due(row.due_date))}</span>'
        rows.append(f"<li><bdi>{e(row.reviewer_name)}</bdi>{via}<br>{state}</li>\n")
    return mark_safe("".join(rows))  # noqa: S308 (user text escaped above)


@register.simple_tag
def decision_history(events):
    """The history list (selectors.decision_detail: actors' names annotated)."""
    when, iso = _Dates("DATETIME_FORMAT"), _Dates("c")
    someone, to = e(_("Someone")), e(_("to"))
    kinds = _labels(DecisionEvent.Kind.choices)
    items = []
    for event in events:
        if event.kind == DecisionEvent.Kind.STATUS:
            before, after = event.status_labels()
            more = (
                f': {e(before)} <span class="icon-dir" aria-hidden="true">→</span>'
                f'<span class="visually-hidden">{to}</span> {e(after)}'
            )
        else:
            detail = event.describe()
            more = f": {e(detail)}" if detail else ""
        actor = e(event.actor_name) if event.actor_name else someone
        items.append(
            f'<li><time datetime="{e(iso(event.at))}" class="meta">{e(when(event.at))}</time><br>'
            f"<bdi>{actor}</bdi> {e(kinds.get(event.kind, event.kind))}{more}</li>\n"
        )
    return mark_safe("".join(items))  # noqa: S308 (user text escaped above)


@register.simple_tag
def choice_group(field):
    """A radio or checkbox field as a <fieldset> with a <legend> and one label per choice: the
    markup of each input is Django's (input.html), without two template includes per choice."""
    auto_id, errors = field.auto_id, field.errors
    described = (f"{auto_id}_helptext" if field.help_text else "") + (f" {auto_id}_error" if errors else "")
    parts = [
        f'<fieldset class="field choice-group{" field--error" if errors else ""}"'
        + (f' aria-describedby="{e(described)}"' if described else "")
        + f">\n  <legend>{e(field.label)}</legend>"
    ]
    for choice in field:
        data = choice.data
        value = f' value="{e(data["value"])}"' if data["value"] is not None else ""
        parts.append(
            f'\n  <label class="choice" for="{e(choice.id_for_label)}">'
            f'<input type="{e(data["type"])}" name="{e(data["name"])}"{value}{_attrs(data["attrs"])}>'
            f" {e(choice.choice_label)}</label>"
        )
    if field.help_text:
        parts.append(f'\n  <span class="helptext" id="{e(auto_id)}_helptext">{e(field.help_text)}</span>')
    if errors:
        items = "".join(f"<li>{e(error)}</li>" for error in errors)
        parts.append(f'\n  <ul class="errorlist" id="{e(auto_id)}_error">{items}</ul>')
    parts.append("\n</fieldset>")
    return mark_safe("".join(parts))  # noqa: S308 (every value escaped)
