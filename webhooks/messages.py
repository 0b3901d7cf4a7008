"""The messages, as data: one neutral Message per item, in the channel's language, then each tool's own
format built from it as dicts: Slack Block Kit, or a Microsoft Teams Adaptive Card. No HTML anywhere.

Slack: every text is `plain_text`, never `mrkdwn`, so what colleagues wrote (a title with
`<!channel>` or `*`) is shown as written and pings no one; only the notification fallback `text` is
parsed, and it is escaped as Slack asks (&, <, >). Teams: the card's TextBlocks are shown as written
apart from Adaptive Cards' small Markdown subset, which has no mentions."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.lib.markdown import plain_excerpt

from .models import Channel, Kind

SLACK_HEADER_MAX = 150  # Block Kit's limits
SLACK_TEXT_MAX = 3000
SLACK_FIELD_MAX = 2000
SLACK_BUTTON_MAX = 75


@dataclass(frozen=True)
class Message:
    heading: str
    link: str  # absolute (SITE_URL)
    link_label: str
    excerpt: str = ""
    facts: list = field(default_factory=list)  # [(label, value)]
    language: str = "en"
    bidi: bool = False


def _absolute(path):
    return f"{settings.SITE_URL}{path}"


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def build(*, channel, kind, item, shown):
    """The Message for `item` in `channel`'s language; `shown` is what audience.shown_in allowed."""
    with translation.override(channel.language):
        message = _build(channel, kind, item, shown)
        return Message(**message, language=channel.language, bidi=translation.get_language_bidi())


def _customer_fact(shown, *, plural=False):
    if not shown.customer:
        return []
    return [(_("Customers") if plural else _("Customer"), shown.customer)]


def _build(channel, kind, item, shown):
    if kind == Kind.STORY_PUBLISHED:
        return {
            "heading": _("New story: %(title)s") % {"title": item.title},
            "facts": _customer_fact(shown),
            "excerpt": item.excerpt,
            "link": _absolute(item.get_absolute_url()),
            "link_label": _("Read the story"),
        }
    if kind == Kind.DECISION_IN_REVIEW:
        return {
            "heading": _("How will this affect our customers? %(title)s") % {"title": item.title},
            "facts": [
                *_customer_fact(shown, plural=item.customers.count() > 1),
                (_("Team"), item.team.name),
                (_("Decide by"), formats.date_format(item.decide_by, "DATE_FORMAT")),
            ],
            "excerpt": plain_excerpt(item.proposal_html),
            "link": _absolute(item.get_absolute_url() + "#my-review"),
            "link_label": _("Review the decision"),
        }
    if kind == Kind.DECISION_DECIDED:
        return {
            "heading": _("Decided: %(title)s") % {"title": item.title},
            "facts": [*_customer_fact(shown, plural=item.customers.count() > 1), (_("Team"), item.team.name)],
            "excerpt": plain_excerpt(item.outcome_html),
            "link": _absolute(item.get_absolute_url()),
            "link_label": _("Read the decision"),
        }
    if kind == Kind.MEETING_OPENED:
        seats = item.seats_left()
        return {
            "heading": _("Listen in: %(title)s") % {"title": item.title},
            "facts": [
                *_customer_fact(shown),
                (_("When"), _when(item.starts_at)),
                (_("Free listener seats"), ngettext("%(count)s seat", "%(count)s seats", seats) % {"count": seats}),
                (_("Sign-up closes"), _when(item.signup_closes_at)),
            ],
            "excerpt": item.get_kind_display(),
            "link": _absolute(item.get_absolute_url()),
            "link_label": _("Sign up to listen"),
        }
    if kind == Kind.TEST:
        return {
            "heading": _("Test message from Lifeline"),
            "excerpt": _(
                "If you can read this, the channel “%(name)s” is set up: new customer stories, decisions and "
                "meetings will appear here."
            ) % {"name": channel.name},
            "link": _absolute("/"),
            "link_label": _("Open Lifeline"),
        }
    raise ValueError(f"No message for {kind!r}")


def _trim(text, limit):
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _slack_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(message):
    """Block Kit: a header, the facts as fields, the excerpt, a button to the page."""
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": _trim(message.heading, SLACK_HEADER_MAX)}}]
    if message.facts:
        blocks.append({
            "type": "section",
            "fields": [
                {"type": "plain_text", "text": _trim(f"{label}: {value}", SLACK_FIELD_MAX)}
                for label, value in message.facts[:10]
            ],
        })
    if message.excerpt:
        blocks.append({"type": "section", "text": {"type": "plain_text", "text": _trim(message.excerpt, SLACK_TEXT_MAX)}})
    blocks.append({
        "type": "actions",
        "elements": [{
            "type": "button",
            "action_id": "open",
            "text": {"type": "plain_text", "text": _trim(message.link_label, SLACK_BUTTON_MAX)},
            "url": message.link,
        }],
    })
    return {"text": _slack_escape(f"{message.heading} {message.link}"), "blocks": blocks}


def teams(message):
    """A message with one Adaptive Card attachment, as Teams' incoming webhooks and Workflows take it."""
    body = [{"type": "TextBlock", "text": message.heading, "size": "Medium", "weight": "Bolder", "wrap": True}]
    if message.facts:
        body.append({"type": "FactSet", "facts": [{"title": label, "value": value} for label, value in message.facts]})
    if message.excerpt:
        body.append({"type": "TextBlock", "text": message.excerpt, "wrap": True})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "lang": message.language,
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": message.link_label, "url": message.link}],
    }
    if message.bidi:
        card["rtl"] = True
    return {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}],
    }


def payload(channel, message):
    return slack(message) if channel.service == Channel.Service.SLACK else teams(message)
