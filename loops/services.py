"""Writes: notes, their routing and answers, the rhythm and its touches. Permission checked inside,
one transaction each; email goes after the commit (portal.lib.tasks.run_after_commit)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.services import customer_touch
from portal.lib.conflicts import check_unchanged
from portal.lib.tasks import run_after_commit
from portal.models import Team, User
from portal.permissions import require

from .models import Note, NoteNotice, Rhythm, Touch


def _recipients(note):
    """Who a routed note notifies: the account owner, or the active members of the team (not its author)."""
    if note.route == Note.Route.OWNER:
        users = User.objects.filter(pk=note.route_user_id, is_active=True)
    else:
        users = User.objects.filter(team_id=note.route_team_id, is_active=True)
    return list(users.exclude(pk=note.author_id).values_list("pk", flat=True))


def _checked_reach(customer_id, contact, visibility, audience):
    """The teams a note is shown to (none unless it is shown to chosen teams), once its contact is the
    customer's own and chosen teams were named; else ValidationError."""
    if contact is not None and contact.customer_id != customer_id:
        raise ValidationError(_("That contact is not one of this customer's."))
    if visibility != Note.Visibility.TEAMS:
        return ()
    if not audience:
        raise ValidationError(_("Choose the teams who may read it."))
    return audience


@transaction.atomic
def note_add(*, by, customer, kind, text, contact=None, link="", visibility=Note.Visibility.EVERYONE, audience=(),
             route="", route_team=None, at=None):
    """Add a note to the customer's timeline; a routed one is open and tells its recipients (email after
    the commit, and their home page)."""
    require(by, "note.write", customer)
    audience = _checked_reach(customer.pk, contact, visibility, audience)
    note = Note(customer=customer, author=by, kind=kind, text=text.strip(), contact=contact, link=link, visibility=visibility,
                route=route or "", at=at or timezone.now())
    if route == Note.Route.OWNER:
        if customer.account_owner_id is None:
            raise ValidationError(_("This customer has no account owner to route the note to."))
        if customer.account_owner_id == by.pk:
            raise ValidationError(_("You are this customer's account owner: the note needs no routing to you."))
        note.route_user_id = customer.account_owner_id
    elif route == Note.Route.TEAM:
        if route_team is None or route_team.kind != Team.Kind.CUSTOMER_FACING:
            raise ValidationError(_("Choose a customer-facing team to route the note to."))
        note.route_team = route_team
    if note.route:
        note.status = Note.Status.OPEN
    note.full_clean(exclude=["customer", "author", "contact", "route_user", "route_team"])
    note.save()
    if audience:
        note.audience.set(audience)
    if note.route:
        notices = NoteNotice.objects.bulk_create(NoteNotice(note=note, user_id=pk) for pk in _recipients(note))
        from .tasks import send_note_routed_task

        for notice in notices:
            run_after_commit(send_note_routed_task, notice.pk)
    customer_touch(customer_id=customer.pk, at=note.at)
    return note


def _editable(by, note):
    """The note, locked, when `by` may still change it; else PermissionDenied or ValidationError."""
    require(by, "note.edit", note)
    note = Note.objects.select_for_update().get(pk=note.pk)
    if note.is_settled:
        raise ValidationError(_("This note has been answered: it stays as it was when it was answered."))
    return note


@transaction.atomic
def note_edit(*, by, note, kind, text, contact=None, link="", visibility=Note.Visibility.EVERYONE, audience=(), seen=""):
    """Correct a note: what happened, with whom, the link and who may read it. Its routing stays (its
    recipients were told); once a routed note is acknowledged or answered it no longer changes. `seen` is
    the note's fingerprint when the form was drawn: a correction saved since by someone else is not undone."""
    note = _editable(by, note)
    check_unchanged(note, Note.EDITED_FIELDS, seen, _(
        "Someone else corrected this note while you were editing it. Your version is below, not saved:"
        " open the note in another tab to compare, then save again to keep yours."))
    audience = _checked_reach(note.customer_id, contact, visibility, audience)
    note.kind, note.text, note.contact, note.link, note.visibility = kind, text.strip(), contact, link, visibility
    note.edited_at = timezone.now()
    note.full_clean(exclude=["customer", "author", "contact", "route_user", "route_team", "responded_by"])
    note.save(update_fields=["kind", "text", "contact", "link", "visibility", "edited_at"])
    note.audience.set(audience)
    return note


@transaction.atomic
def note_delete(*, by, note):
    """Take a note off the timeline, with its notices; not once it is acknowledged or answered."""
    note = _editable(by, note)
    note.delete()


@transaction.atomic
def note_respond(*, by, note, answer="", acknowledge=False):
    """Acknowledge an open routed note, or answer it (an answer needs words). The first response wins:
    the note is locked, and one already answered says so and changes nothing."""
    require(by, "note.respond", note)
    note = Note.objects.select_for_update().get(pk=note.pk)
    if note.status != Note.Status.OPEN:
        raise ValidationError(_("Someone has already answered this note."))
    answer = (answer or "").strip()
    if not acknowledge and not answer:
        raise ValidationError(_("Write an answer, or acknowledge the note."))
    note.status = Note.Status.ACKNOWLEDGED if acknowledge and not answer else Note.Status.ANSWERED
    note.answer, note.responded_by, note.responded_at = answer[:500], by, timezone.now()
    note.save(update_fields=["status", "answer", "responded_by", "responded_at"])
    return note


def rhythm_set(*, by, on):
    """Turn the weekly 3-2-1 rhythm on or off for oneself."""
    require(by, "rhythm.use")
    if on:
        Rhythm.objects.get_or_create(user=by)
    else:
        Rhythm.objects.filter(user=by).delete()


@transaction.atomic
def touch_log(*, by, customer, kind, contact=None, at=None):
    """Log a personal email, a handwritten card or a call with a customer one owns; it shows on the
    customer's timeline and counts towards the week's rhythm."""
    require(by, "touch.log", customer)
    if kind not in Touch.Kind.values:
        raise ValidationError(_("Choose an email, a card or a call."))
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError(_("That contact is not one of this customer's."))
    touch = Touch.objects.create(owner=by, customer=customer, contact=contact, kind=kind, at=at or timezone.now())
    customer_touch(customer_id=customer.pk, at=touch.at)
    return touch
