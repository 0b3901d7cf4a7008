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

from ..selectors import MARK_START, MARK_STOP

register = template.Library()


@register.filter
def highlighted(text):
    """Escape user text, then turn the search's markers into <mark>: the only markup that gets through."""
    if not text:
        return ""
    escaped = escape(str(text))
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))  # noqa: S308


@register.filter
def strip_marks(text):
    return str(text or "").replace(MARK_START, "").replace(MARK_STOP, "")


@register.simple_tag(takes_context=True)
def story_cards(context, stories):
    """The feed's cards, written in Python: the feed's hot loop, about ten times cheaper than the same
    markup through the template engine (bench/results). Same strings, same escaping."""
    query = context["request"].GET
    you_follow, read, themes_label = _("You follow this customer"), _("Read"), _("Themes")
    parts = []
    for story in stories:
        customer = story.customer
        badges = []
        if story.is_followed:
            badges.append(format_html('<span class="badge badge--followed">{}</span>', you_follow))
        if story.is_read:
            badges.append(format_html('<span class="badge badge--read">{}</span>', read))
        title = highlighted(story.title_headline) if getattr(story, "title_headline", None) else escape(story.title)
        if getattr(story, "headline", None):
            excerpt = highlighted(story.headline)
        else:
            excerpt = escape(story.excerpt)
        themes = story.themes.all()
        tags = ""
        if themes:
            links = []
            for theme in themes:
                link = query_string(query, theme=theme.slug, before=None)
                links.append(format_html('<li><a href="?{}" class="tag">{}</a></li>', link, theme.name))
            tags = format_html('<ul class="tags" aria-label="{}">{}</ul>', themes_label, mark_safe("".join(links)))  # noqa: S308
        when = formats.date_format(timezone.localtime(story.published_at), "DATE_FORMAT")
        byline = _("<bdi>%(author)s</bdi> · %(when)s") % {"author": escape(story.author.name), "when": escape(when)}
        counts = " · ".join(escape(text) for text in (  # each call spelled out, so makemessages finds it
            ngettext("%(counter)s reaction", "%(counter)s reactions", story.reaction_count) % {"counter": story.reaction_count},
            ngettext("%(counter)s comment", "%(counter)s comments", story.comment_count) % {"counter": story.comment_count},
            ngettext("%(counter)s read", "%(counter)s reads", story.read_count) % {"counter": story.read_count},
        ))
        parts.append(format_html(
            '<li class="card story-card{}">'
            '<p class="story-card__customer"><a href="{}" dir="auto">{}</a>{}</p>'
            '<h2><a href="{}" dir="auto">{}</a></h2>'
            '<p class="story-card__excerpt" dir="auto">{}</p>{}'
            '<p class="meta">{} · {}</p></li>\n',
            " story-card--followed" if story.is_followed else "",
            customer.get_absolute_url(), customer.name, mark_safe(" ".join([""] + badges) if badges else ""),  # noqa: S308
            story.get_absolute_url(), title, excerpt, tags, mark_safe(byline), mark_safe(counts),  # noqa: S308
        ))
    return mark_safe("".join(parts))  # noqa: S308


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
