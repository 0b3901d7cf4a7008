import dataclasses

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal.permissions import can

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


# -- the story page's comments ----------------------------------------------------------------------
#
# A comment's markup is the same for every reader but for its actions (edit, delete), which depend on
# who is looking and carry the request's CSRF token. `comment_row` renders the shared part once (the
# story page keeps the rows in a fragment: stories.views.story_page); `join_comments` adds each
# reader's actions on every request.


@dataclasses.dataclass(slots=True)
class CommentRow:
    pk: int
    author_id: int
    story_id: int
    head: str  # <li id="comment-…" class="comment">meta<div class="prose">body</div>
    edit: str  # the edit link, for those who may edit
    delete_head: str  # the delete form up to its CSRF token's value …
    delete_tail: str  # … and after it


def comment_row(comment, *, edit_url=None, delete_url=None):
    """The shared part of one comment (`comment.author` loaded)."""
    created = timezone.localtime(comment.created_at)
    edited = int(comment.updated_at.timestamp()) != int(comment.created_at.timestamp())
    meta = format_html(
        '<p class="meta"><bdi class="comment__author">{}</bdi> · <time datetime="{}">{}</time>{}</p>',
        comment.author.name, created.isoformat(), formats.date_format(created, "DATETIME_FORMAT"),
        format_html(" · {}", _("edited")) if edited else "",
    )
    args = (comment.story_id, comment.pk)
    edit_url = edit_url or reverse("stories:comment_edit", args=args)
    delete_url = delete_url or reverse("stories:comment_delete", args=args)
    return CommentRow(
        pk=comment.pk, author_id=comment.author_id, story_id=comment.story_id,
        head=format_html(
            '<li id="comment-{}" class="comment">{}<div class="prose" dir="auto">{}</div>',
            comment.pk, meta, mark_safe(comment.body_html),  # noqa: S308 (sanitised by nh3 when saved)
        ),
        edit=format_html(
            '<a href="{}" hx-get="{}" hx-target="#comment-{}" hx-swap="outerHTML">{}</a>',
            edit_url, edit_url, comment.pk, _("Edit"),
        ),
        delete_head=format_html(
            '<form method="post" action="{}" class="inline-form" hx-post="{}" '
            'hx-target="#comment-{}" hx-swap="outerHTML" hx-confirm="{}">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="',
            delete_url, delete_url, comment.pk, _("Delete this comment?"),
        ),
        delete_tail=format_html('"><button type="submit" class="link-button">{}</button></form></div>', _("Delete")),
    )


def comment_rows(comments):
    """`comment_row` for each of one story's comments, its URLs built once (comment ids are numbers)."""
    comments = list(comments)
    if not comments:
        return []
    story_id = comments[0].story_id
    edit_url = reverse("stories:comment_edit", args=(story_id, 0))
    delete_url = reverse("stories:comment_delete", args=(story_id, 0))
    edit_prefix, edit_suffix = edit_url.rsplit("/0/", 1)
    delete_prefix, delete_suffix = delete_url.rsplit("/0/", 1)
    return [
        comment_row(
            comment,
            edit_url=f"{edit_prefix}/{comment.pk}/{edit_suffix}", delete_url=f"{delete_prefix}/{comment.pk}/{delete_suffix}",
        )
        for comment in comments
    ]


def join_comments(rows, request):
    """The comments' HTML with the actions `request.user` may take on each.

    Whether someone may edit or delete a comment depends only on their roles and on whether they
    wrote it (the rules' only relation is "author": tests/stories/test_story_page.py checks it), so
    it is worked out once for their own comments and once for everyone else's."""
    user = request.user
    token = None
    allowed = {}
    parts = []
    for row in rows:
        own = row.author_id == user.pk
        if own not in allowed:
            allowed[own] = (can(user, "comment.edit", row), can(user, "comment.delete", row))
        may_edit, may_delete = allowed[own]
        parts.append(row.head)
        if may_edit or may_delete:
            if token is None:
                token = escape(get_token(request))
            parts += ['<div class="comment__actions">', row.edit if may_edit else "", row.delete_head, token, row.delete_tail]
        parts.append("</li>\n")
    return mark_safe("".join(parts))  # noqa: S308 (each part escaped when it was made)


@register.simple_tag(takes_context=True)
def story_comment(context, comment):
    """One comment with the actions the viewer may take: the same markup as the story page's list,
    for the htmx responses that edit one."""
    return join_comments([comment_row(comment)], context["request"])


@register.simple_tag(takes_context=True)
def story_comments(context, rows):
    """The story page's comments (`CommentRow`s), each with the actions the viewer may take."""
    return join_comments(rows, context["request"])
