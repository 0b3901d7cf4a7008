"""Writes. Every function checks permission itself and runs in one transaction."""

import logging
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from customers.services import customer_touch
from portal.lib.announcements import STORY_PUBLISHED, announce
from portal.lib.conflicts import check_unchanged
from portal.lib.locks import lock_timed_out
from portal.lib.markdown import plain_excerpt, render_markdown
from portal.permissions import can, require

from . import related, search
from .models import (
    BODY_MAX_CHARS,
    COMMENT_MAX_CHARS,
    Comment,
    Reaction,
    Read,
    Story,
    StoryEvent,
)

logger = logging.getLogger(__name__)


def stories_reindex_customers(*, customer_ids):
    """Customers' names are part of their stories' search index: keep it current after a rename (one
    customer saved, or many imported; search.index reads each story's names itself)."""
    search.index(Story.objects.filter(customer_id__in=customer_ids))


def stories_reindex_author(*, author):
    """So is an author's name."""
    search.index(Story.objects.filter(author_id=author.pk))


def _validate(*, customer, title, body, language):
    errors = {}
    if language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose one of the portal's languages.")
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


def _words_of(text):
    return " ".join(re.findall(r"[^\W_]+", (text or "").casefold()))


# Words a company's name ends with that people leave out when they speak of it ("Harbor Lights Bakery
# Ltd" is "Harbor Lights Bakery"), and words too common to start a name's short form.
LEGAL_SUFFIXES = {"inc", "llc", "ltd", "limited", "gmbh", "co", "corp", "corporation", "company", "plc", "sa", "ag",
                  "bv", "group", "sarl", "srl", "pty", "jsc"}
COMMON_WORDS = {"the", "a", "an", "of", "and", "for", "to", "in", "at", "on", "by"}


def _name_forms(name):
    """The ways a text may name a customer: the whole name, the name without a legal suffix, and the
    first two words of a longer name ("Ken's Plumbing" for "Ken's Plumbing Supply"), as _words_of writes them."""
    words = [word for word in (_words_of(word) for word in name.split()) if word]  # "Ken's" stays one word
    forms = {" ".join(words)}
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
        forms.add(" ".join(words))
    if len(words) >= 3 and not COMMON_WORDS & set(words[:2]):
        forms.add(" ".join(words[:2]))
    return forms


def _naming_errors(*, customer, naming, consent_method, anonymised_as, title, body, bought, impact):
    """What is wrong with how the story names its customer: a consent without how it was given, and an
    anonymised story whose text names the customer (by its name or a short form of it, _name_forms) or one
    of its contacts (word for word, ignoring case and punctuation: what the anonymisation can check; the
    author is still the one who knows)."""
    errors = {}
    if naming not in Story.Naming.values:
        errors["naming"] = _("Choose how the story names the customer.")
        return errors
    if naming == Story.Naming.CONSENTED and consent_method not in Story.ConsentMethod.values:
        errors["consent_method"] = _("Say how the customer agreed to be named: by email, on a call or in their contract.")
    if naming == Story.Naming.ANONYMISED and customer is not None:
        names = sorted(_name_forms(customer.name), key=len, reverse=True)
        names += [_words_of(name) for name in customer.contacts.values_list("name", flat=True)]
        names = [name for name in names if len(name) >= 3]
        for field, text in (("anonymised_as", anonymised_as), ("title", title), ("body", body), ("bought", bought), ("impact", impact)):
            words = f" {_words_of(text)} "
            found = next((name for name in names if f" {name} " in words), None)
            if found is not None:
                errors[field] = _(
                    "An anonymised story must not name the customer or their people, and this mentions “%(name)s”."
                ) % {"name": found}
    return errors


def _may_publish_named(story):
    """A customer who asked not to be named appears under their name only with their consent recorded."""
    return not story.customer.do_not_name or story.naming in (Story.Naming.ANONYMISED, Story.Naming.CONSENTED)


def _require_may_publish_named(story):
    if not _may_publish_named(story):
        raise ValidationError({
            "naming": _(
                "This customer asked not to be named. Anonymise the story, or record how they agreed to be named."
            )
        })


def _apply_naming(story, *, by, customer, previous_customer, naming, visibility, anonymised_as,
                  consent_method, consent_note):
    """Set visibility and naming on `story`; True when a consent was recorded (or its record changed)."""
    if naming is None:  # not chosen: as the customer wishes
        naming = story.naming if story.pk else (
            Story.Naming.ANONYMISED if customer.do_not_name else Story.Naming.INTERNAL
        )
    story.visibility = visibility or story.visibility or Story.Visibility.EVERYONE
    story.naming = naming
    anonymised_as = (anonymised_as or "").strip()
    generated_before = previous_customer.anonymous_description() if previous_customer is not None else None
    if naming == Story.Naming.ANONYMISED and (not anonymised_as or anonymised_as == generated_before):
        anonymised_as = customer.anonymous_description()
    story.anonymised_as = anonymised_as[:200]
    recorded = False
    if naming == Story.Naming.CONSENTED:
        consent_note = (consent_note or "").strip()[:500]
        if (story.consent_method, story.consent_note) != (consent_method, consent_note) or story.consent_recorded_at is None:
            story.consent_method, story.consent_note = consent_method, consent_note
            story.consent_recorded_by, story.consent_recorded_at = by, timezone.now()
            recorded = True
    return recorded


def _slug(title):
    return slugify(title, allow_unicode=True)[:200] or "story"


def _save(story, *, by, action, themes, teams, audience, consent_recorded=False):
    story.slug = _slug(story.title)
    story.body_html = render_markdown(story.body)
    story.excerpt = plain_excerpt(story.body_html)
    story.impact_html = render_markdown(story.impact)
    story.save()
    story.themes.set(themes)
    story.teams.set(teams)
    story.audience.set(audience if story.visibility == Story.Visibility.TEAMS else ())
    story.__dict__.pop("audience_team_ids", None)
    search.index(Story.objects.filter(pk=story.pk))
    related.refresh(story)  # its title's nearest neighbours, for "Stories like this"
    StoryEvent.objects.create(story=story, actor=by, action=action)
    if consent_recorded:
        StoryEvent.objects.create(story=story, actor=by, action=StoryEvent.Action.CONSENT)


def _validate_visibility(visibility, audience):
    if visibility is not None and visibility not in Story.Visibility.values:
        raise ValidationError({"visibility": _("Choose who may read the story.")})
    if visibility == Story.Visibility.TEAMS and not list(audience):
        raise ValidationError({"audience": _("Choose at least one team who may read the story.")})


def _publish(story, *, by):
    _require_may_publish_named(story)
    story.status = Story.Status.PUBLISHED
    story.published_at = timezone.now()
    story.save(update_fields=["status", "published_at", "updated_at"])
    StoryEvent.objects.create(story=story, actor=by, action=StoryEvent.Action.PUBLISHED)
    if not story.is_anonymised:  # the directory's "recent" order would tie the story to its customer
        customer_touch(customer_id=story.customer_id, at=story.published_at)
    announce(STORY_PUBLISHED, story.pk)


@transaction.atomic
def story_create(
    *, by, customer, title, body, bought="", impact="", themes=(), teams=(), language=None, publish=False,
    visibility=None, audience=(), naming=None, anonymised_as="", consent_method="", consent_note="",
) -> Story:
    """A new story: a draft, or published straight away when `publish` and `by` may publish. Written in
    `language` (by default the author's own). Shown to everyone unless `visibility` says leaders or the
    `audience` teams; `naming` None names the customer inside the company, or anonymises the story when
    the customer asked not to be named (Customer.do_not_name)."""
    require(by, "story.write")
    language = language or by.language
    _validate(customer=customer, title=title, body=body, language=language)
    _validate_visibility(visibility, audience)
    story = Story(
        customer=customer, author=by, title=title.strip(), body=body, bought=bought, impact=impact, language=language
    )
    recorded = _apply_naming(
        story, by=by, customer=customer, previous_customer=None, naming=naming, visibility=visibility,
        anonymised_as=anonymised_as, consent_method=consent_method, consent_note=consent_note,
    )
    _check_naming(story)
    _save(story, by=by, action=StoryEvent.Action.CREATED, themes=themes, teams=teams, audience=audience,
          consent_recorded=recorded)
    if publish and can(by, "story.publish"):
        _publish(story, by=by)
    return story


@transaction.atomic
def story_update(
    *, by, story, customer, title, body, bought="", impact="", themes=(), teams=(), language=None,
    visibility=None, audience=(), naming=None, anonymised_as="", consent_method="", consent_note="", seen="",
) -> Story:
    """`language`, `visibility` and `naming` None keep the story's. A published story stays published
    only as its customer allows (Customer.do_not_name). `seen`: the fingerprint of the story the form
    was drawn from; when someone saved it since, nothing is saved (portal.lib.conflicts)."""
    require(by, "story.edit", story)
    check_unchanged(Story.objects.select_for_update().get(pk=story.pk), Story.EDITED_FIELDS, seen, _(
        "Someone else saved changes to this story while you were editing it. Your version is below, not saved:"
        " open the story in another tab to compare, then save again to keep yours."))
    language = language or story.language
    _validate(customer=customer, title=title, body=body, language=language)
    _validate_visibility(visibility, audience)
    previous_customer = story.customer
    story.customer, story.title, story.body, story.bought, story.impact = customer, title.strip(), body, bought, impact
    story.language = language
    recorded = _apply_naming(
        story, by=by, customer=customer, previous_customer=previous_customer, naming=naming,
        visibility=visibility, anonymised_as=anonymised_as, consent_method=consent_method, consent_note=consent_note,
    )
    _check_naming(story)
    if story.is_published:
        _require_may_publish_named(story)
    _save(story, by=by, action=StoryEvent.Action.EDITED, themes=themes, teams=teams, audience=audience,
          consent_recorded=recorded)
    if story.customer_id != previous_customer.pk:  # its reads now touch the new customer (Read.customer)
        Read.objects.filter(story=story).update(customer=story.customer_id)
    return story


def _check_naming(story):
    errors = _naming_errors(
        customer=story.customer, naming=story.naming, consent_method=story.consent_method,
        anonymised_as=story.anonymised_as, title=story.title, body=story.body, bought=story.bought, impact=story.impact,
    )
    if errors:
        raise ValidationError(errors)


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
        _count(story.pk, "reaction_count", -deleted)
        return False
    # A double click may race us: only the insert that made the row counts it.
    if _insert_once(Reaction, story_id=story.pk, user_id=by.pk, kind=kind, created_at=timezone.now()):
        _count(story.pk, "reaction_count", 1)
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
    comment = Comment.objects.create(story=story, author=by, body=body, body_html=render_markdown(body))
    _count(story.pk, "comment_count", 1)
    return comment


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
    deleted, _counts = Comment.objects.filter(pk=comment.pk).delete()
    if deleted:
        _count(comment.story_id, "comment_count", -1)


READ_LOCK_WAIT = "1s"


def read_record(*, by, story):
    """Count a read once per person, safe under concurrency: the first read adds one to the story's
    read_count, later ones change nothing. Whether this call counted it.

    A read is a side effect of showing the page, so it never costs the reader the page: when the
    story's row stays locked (a migration or bulk update holding it), this waits READ_LOCK_WAIT rather
    than the connection's lock_timeout, then records nothing (read and count together) and says so in
    the log; the next visit records it."""
    if not (story.is_published and by.is_authenticated):
        return False
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{READ_LOCK_WAIT}'")
            if _insert_once(Read, story_id=story.pk, user_id=by.pk, customer_id=story.customer_id, read_at=timezone.now()):
                _count(story.pk, "read_count", 1)
                return True
    except OperationalError as error:
        if not lock_timed_out(error):
            raise
        logger.warning("read of story %s by user %s not recorded", story.pk, by.pk, exc_info=True)
    return False


def _count(story_id, field, by):
    """Move one of the story's counters with an F() update: exact under concurrency, and it leaves
    updated_at (so the story's cached fragments) alone. Never below zero: rows removed around the
    services (the admin, a cascade) must not make a later delete fail."""
    Story.objects.filter(pk=story_id).update(**{field: Greatest(F(field) + by, 0)})


def _insert_once(model, **values):
    """INSERT … ON CONFLICT DO NOTHING, and whether it made a row. Written out because bulk_create
    with ignore_conflicts cannot say whether it inserted, and a counter must move only when it did.
    SQLite (3.24+) and PostgreSQL read it alike."""
    table = model._meta.db_table
    columns = [model._meta.get_field(name.removesuffix("_id")).column for name in values]
    params = [
        model._meta.get_field(name.removesuffix("_id")).get_db_prep_save(value, connection)
        for name, value in values.items()
    ]
    sql = (
        f"INSERT INTO {connection.ops.quote_name(table)} ({', '.join(map(connection.ops.quote_name, columns))})"
        f" VALUES ({', '.join(['%s'] * len(params))}) ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


# -- private feeds ----------------------------------------------------------------------------------


def feed_token_reset(*, by):
    """A new secret for `by`'s feed addresses (stories.feeds); the old ones answer 404 from now on."""
    from portal.models import new_feed_token

    require(by, "feed.reset")
    by.feed_token = new_feed_token()
    by.save(update_fields=["feed_token"])
    return by.feed_token
