import datetime
import zoneinfo
from html import unescape

from django import forms, template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, strip_tags

from portal import permissions
from portal.lib.dates import shown
from portal.lib.text import list_separator
from portal.refused import form_page, take_unsent

register = template.Library()


@register.simple_tag
def field_widget(field, **attrs):
    """Render a form field's widget tied to its help text and errors (aria-describedby, aria-invalid)."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    widget = field.field.widget
    if isinstance(widget, forms.Textarea) or getattr(widget, "input_type", None) in ("text", "search"):
        attrs.setdefault("dir", "auto")
    return field.as_widget(attrs=attrs)


def query_string(query, **changes):
    """`query` (a QueryDict) with some parameters replaced (None or "" removes one), URL-encoded."""
    query = query.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None removes one)."""
    return query_string(context["request"].GET, **changes)


@register.filter
def plaintext(html):
    """Stored, sanitised HTML as plain text for excerpts: tags dropped, entities decoded once
    (the template escapes the result again, so nothing is escaped twice or not at all)."""
    return unescape(strip_tags(str(html or "")))


@register.simple_tag(takes_context=True, name="can")
def can_tag(context, action, obj=None):
    """`{% can "story.edit" story as may_edit %}`: the same rule the view and the service apply."""
    return permissions.can(context.get("user") or getattr(context.get("request"), "user", None), action, obj)


@register.simple_tag
def when(value, kind="day", css=""):
    """`{% when meeting.starts_at "day_time" %}`: a <time> element for a date or a moment, written the
    active language's way for its kind (day, day_time, time, month) in the active time zone, with a
    machine-readable `datetime` to the second (HTML allows no more than milliseconds)."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        machine = value.isoformat(timespec="seconds")
    else:
        machine = value.isoformat()
    text = shown(value, kind)
    if css:
        return format_html('<time datetime="{}" class="{}">{}</time>', machine, css, text)
    return format_html('<time datetime="{}">{}</time>', machine, text)


@register.filter
def just_now(moment):
    """Whether `moment` was less than a minute ago, when `timesince` would say "0 minutes"."""
    return moment is not None and timezone.now() - moment < datetime.timedelta(minutes=1)


@register.filter
def money(value):
    """An amount as the active language groups and writes numbers, to the cent, then the company's
    currency (LIFELINE_CURRENCY), joined by a no-break space: "1,500.00 EUR", "1.500,00 EUR"."""
    if value in (None, ""):
        return ""
    return f"{floatformat(value, '2g')}\N{NO-BREAK SPACE}{settings.LIFELINE_CURRENCY}"


@register.filter
def bdi(value):
    """`<bdi>value</bdi>`, escaped: a name keeps its own direction inside a translated sentence whose
    msgid carries no markup (`{% blocktranslate with title=meeting.title|bdi %}`)."""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def strong(value):
    """`<strong dir="auto">value</strong>`, escaped: stress on a name or figure inside a translated
    sentence, with the markup kept out of the msgid, as `bdi`."""
    return format_html('<strong dir="auto">{}</strong>', value)


@register.filter
def link_to(value, url):
    """`<a href="url"><bdi>value</bdi></a>`, escaped: a linked name inside a translated sentence
    (`{% blocktranslate with customer=customer.name|link_to:customer.get_absolute_url %}`)."""
    return format_html('<a href="{}"><bdi>{}</bdi></a>', url, value)


@register.simple_tag(name="list_separator")
def list_separator_tag():
    """What goes between the items of a list in the active language: `{% list_separator as separator %}`."""
    return list_separator()


@register.filter
def zone_label(name, moment):
    """A time zone as people read it: "Asia/Kolkata" at `moment` → "Asia/Kolkata (UTC+5:30)", the
    underscores of a city's name as spaces ("America/New York"), the offset the zone had then."""
    try:
        offset = moment.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, AttributeError, TypeError):
        return name
    minutes = int(offset.total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "−"), abs(minutes)
    hours = f"{minutes // 60}:{minutes % 60:02d}" if minutes % 60 else f"{minutes // 60}"
    return f"{name.replace('_', ' ')} (UTC{sign}{hours})"


@register.simple_tag(takes_context=True)
def unsent_writing(context):
    """What the reader wrote before they had to sign in again, to copy (portal.refused), on the first
    page they see signed in; nothing on every other page."""
    request = context.get("request")
    written = take_unsent(request) if request is not None else []
    return render_to_string("includes/unsent.html", {"written": written}, request) if written else ""


@register.simple_tag(takes_context=True)
def page_address(context):
    """Where this page is, for a form's "next" (the language switcher): its own address, or, for a page
    drawn in answer to a POST (a refused form), the page the form was sent from, since the POST's address
    may take nothing else."""
    request = context.get("request")
    if request is None:
        return ""
    return request.get_full_path() if request.method in ("GET", "HEAD") else form_page(request)
