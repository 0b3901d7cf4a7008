from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.permissions import can
from portal.templatetags.portal import query_string

from .. import cards
from ..selectors import MARK_START, MARK_STOP

register = template.Library()


@register.filter
def highlighted(text):
    """Escape user text, then turn the search's markers into <mark>: the only markup that gets through."""
    return cards.highlighted(text)


@register.filter
def strip_marks(text):
    return str(text or "").replace(MARK_START, "").replace(MARK_STOP, "")


@register.simple_tag
def story_cards(feed_cards):
    """The feed's cards (stories.cards), each with the reader's own marks."""
    return cards.join_cards(feed_cards)


@register.simple_tag(takes_context=True)
def story_comment(context, comment):
    """One comment with the actions the viewer may take: the story page's hot loop (50 comments and
    more), written in Python. The same markup as the htmx responses that add or edit one."""
    request = context["request"]
    user = request.user
    created = timezone.localtime(comment.created_at)
    edited = int(comment.updated_at.timestamp()) != int(comment.created_at.timestamp())
    meta = format_html(
        '<p class="meta"><bdi class="comment__author">{}</bdi> · <time datetime="{}">{}</time>{}</p>',
        comment.author.name, created.isoformat(), formats.date_format(created, "DATETIME_FORMAT"),
        format_html(" · {}", _("edited")) if edited else "",
    )
    may_edit, may_delete = can(user, "comment.edit", comment), can(user, "comment.delete", comment)
    actions = ""
    if may_edit or may_delete:
        args = (comment.story_id, comment.pk)
        edit_url, delete_url = reverse("stories:comment_edit", args=args), reverse("stories:comment_delete", args=args)
        edit = format_html(
            '<a href="{}" hx-get="{}" hx-target="#comment-{}" hx-swap="outerHTML">{}</a>',
            edit_url, edit_url, comment.pk, _("Edit"),
        ) if may_edit else ""
        actions = format_html(
            '<div class="comment__actions">{}<form method="post" action="{}" class="inline-form" hx-post="{}" '
            'hx-target="#comment-{}" hx-swap="outerHTML" hx-confirm="{}">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button type="submit" class="link-button">{}</button></form></div>',
            edit, delete_url, delete_url, comment.pk, _("Delete this comment?"), get_token(request), _("Delete"),
        )
    return format_html(
        '<li id="comment-{}" class="comment">{}<div class="prose" dir="auto">{}</div>{}</li>',
        comment.pk, meta, mark_safe(comment.body_html), actions,  # noqa: S308 (sanitised by nh3 when saved)
    )
