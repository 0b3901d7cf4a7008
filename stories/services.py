"""Writes. Every function checks permission itself and runs in one transaction."""

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, Value
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from customers.models import Customer
from customers.services import customer_touch
from portal.lib import fragments
from portal.lib.markdown import plain_excerpt, render_markdown
from portal.permissions import can, require

from .models import (
    BODY_MAX_CHARS, COMMENT_MAX_CHARS, Comment, Reaction, Read, Story, StoryEvent,
)

SEARCH_CONFIG = "english"


def search_vector_expression(customer_name):
    """Title A, customer name B (a string, or an expression), body C, what they bought and the impact D."""
    if not hasattr(customer_name, "resolve_expression"):
        customer_name = Value(customer_name)
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector(customer_name, weight="B", config=SEARCH_CONFIG)
        + SearchVector("body", weight="C", config=SEARCH_CONFIG)
        + SearchVector("bought", "impact", weight="D", config=SEARCH_CONFIG)
    )


def _update_search_vector(stories, customer_name):
    if connection.vendor == "postgresql":
        stories.update(search_vector=search_vector_expression(customer_name))


def stories_reindex_customer(*, customer):
    """A customer's name is part of their stories' search vectors; keep it current after a rename."""
    _update_search_vector(Story.objects.filter(customer_id=customer.pk), customer.name)


def stories_reindex_customers(*, customer_ids):
    """The same after an import renamed many customers: one UPDATE, each story reading its customer's name."""
    name = Subquery(Customer.objects.filter(pk=OuterRef("customer_id")).values("name")[:1])
    _update_search_vector(Story.objects.filter(customer_id__in=customer_ids), name)


def _validate(*, customer, title, body):
    errors = {}
    if customer is None:
        errors["customer"] = _("Choose the customer this story is about.")
    if not (title or "").strip():
        errors["title"] = _("Give the story a title.")
    if not (body or "").strip():
        errors["body"] = _("Write the story.")
    elif len(body) > BODY_MAX_CHARS:
        errors["body"] = _("The story is too long (at most %(max)s characters).") % {"max": f"{BODY_MAX_CHARS:,}"}
    if errors:
        raise ValidationError(errors)


def _slug(title):
    return slugify(title, allow_unicode=True)[:200] or "story"


def _save(story, *, by, action, themes, teams):
    story.slug = _slug(story.title)
    story.body_html = render_markdown(story.body)
    story.excerpt = plain_excerpt(story.body_html)
    story.impact_html = render_markdown(story.impact)
    story.save()
    story.themes.set(themes)
    story.teams.set(teams)
    _update_search_vector(Story.objects.filter(pk=story.pk), story.customer.name)
    StoryEvent.objects.create(story=story, actor=by, action=action)


def _publish(story, *, by):
    story.status = Story.Status.PUBLISHED
    story.published_at = timezone.now()
    story.save(update_fields=["status", "published_at", "updated_at"])
    StoryEvent.objects.create(story=story, actor=by, action=StoryEvent.Action.PUBLISHED)
    customer_touch(customer_id=story.customer_id, at=story.published_at)


@transaction.atomic
def story_create(*, by, customer, title, body, bought="", impact="", themes=(), teams=(), publish=False) -> Story:
    """A new story: a draft, or published straight away when `publish` and `by` may publish."""
    require(by, "story.write")
    _validate(customer=customer, title=title, body=body)
    story = Story(customer=customer, author=by, title=title.strip(), body=body, bought=bought, impact=impact)
    _save(story, by=by, action=StoryEvent.Action.CREATED, themes=themes, teams=teams)
    if publish and can(by, "story.publish"):
        _publish(story, by=by)
    return story


@transaction.atomic
def story_update(*, by, story, customer, title, body, bought="", impact="", themes=(), teams=()) -> Story:
    require(by, "story.edit", story)
    _validate(customer=customer, title=title, body=body)
    story.customer, story.title, story.body, story.bought, story.impact = customer, title.strip(), body, bought, impact
    _save(story, by=by, action=StoryEvent.Action.EDITED, themes=themes, teams=teams)
    return story


@transaction.atomic
def story_publish(*, by, story) -> Story:
    require(by, "story.publish", story)
    if not story.is_published:
        _publish(story, by=by)
    return story


@transaction.atomic
def story_unpublish(*, by, story) -> Story:
    """Back to draft: only its author and leaders see it again."""
    require(by, "story.publish", story)
    if story.is_published:
        story.status, story.published_at = Story.Status.DRAFT, None
        story.save(update_fields=["status", "published_at", "updated_at"])
        StoryEvent.objects.create(story=story, actor=by, action=StoryEvent.Action.UNPUBLISHED)
    return story


@transaction.atomic
def story_submit(*, by, story) -> Story:
    """The author hands a draft to the leaders for review."""
    require(by, "story.submit", story)
    if story.status == Story.Status.DRAFT:
        story.status = Story.Status.SUBMITTED
        story.save(update_fields=["status", "updated_at"])
        StoryEvent.objects.create(story=story, actor=by, action=StoryEvent.Action.SUBMITTED)
    return story


def _require_published(story):
    if not story.is_published:
        raise PermissionDenied


@transaction.atomic
def reaction_toggle(*, by, story, kind) -> bool:
    """React, or take the reaction back. Returns whether `by` now has this reaction."""
    require(by, "story.react", story)
    _require_published(story)
    if kind not in Reaction.Kind.values:
        raise ValidationError(_("Unknown reaction."))
    deleted, _counts = Reaction.objects.filter(story=story, user=by, kind=kind).delete()
    if deleted:
        return False
    # A double click may race us: ON CONFLICT DO NOTHING leaves exactly one row either way.
    Reaction.objects.bulk_create([Reaction(story=story, user=by, kind=kind)], ignore_conflicts=True)
    fragments.bump("stories")  # bulk_create sends no signals
    return True


def _validate_comment(body):
    if not (body or "").strip():
        raise ValidationError({"body": _("Write a comment first.")})
    if len(body) > COMMENT_MAX_CHARS:
        raise ValidationError(
            {"body": _("The comment is too long (at most %(max)s characters).") % {"max": f"{COMMENT_MAX_CHARS:,}"}}
        )


@transaction.atomic
def comment_add(*, by, story, body) -> Comment:
    require(by, "story.comment", story)
    _require_published(story)
    _validate_comment(body)
    return Comment.objects.create(story=story, author=by, body=body, body_html=render_markdown(body))


@transaction.atomic
def comment_update(*, by, comment, body) -> Comment:
    require(by, "comment.edit", comment)
    _validate_comment(body)
    comment.body, comment.body_html = body, render_markdown(body)
    comment.save(update_fields=["body", "body_html", "updated_at"])
    return comment


@transaction.atomic
def comment_delete(*, by, comment):
    require(by, "comment.delete", comment)
    comment.delete()


def reader_topic(user_id):
    """The fragments topic of what one person has read and follows (their story of the day)."""
    return f"reader:{user_id}"


def read_record(*, by, story):
    """Count a read once per person: INSERT … ON CONFLICT DO NOTHING, safe under concurrency."""
    if story.is_published and by.is_authenticated:
        Read.objects.bulk_create([Read(story=story, user=by)], ignore_conflicts=True)
        fragments.bump("stories", reader_topic(by.pk))  # read counts, their pick; bulk_create sends no signals
