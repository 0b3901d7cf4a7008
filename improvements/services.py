"""Writes: the complaint import, and ideas, their members and pilots. Each checks the permission
matrix and runs in one transaction; state changes lock the idea row first and leave an IdeaEvent."""

import functools

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.lib import imports
from portal.lib.conflicts import check_unchanged
from portal.permissions import require

from .models import ComplaintImport, Idea, IdeaEvent, IdeaMember, Pilot
from .selectors import pattern_counts_around

IDEA_FIELDS = ["title", "category", "problem", "proposal", "estimated_cost", "estimated_benefit"]


# -- CSV import ---------------------------------------------------------------------------------


def complaint_import_start(*, by, file_name, content):
    require(by, "complaint.import")
    from .tasks import complaint_import_task

    return imports.import_start(ComplaintImport, by=by, file_name=file_name, content=content, task=complaint_import_task)


def complaint_import_run(*, upload_id):
    """Check and add a queued file of complaints (all or nothing), skipping the rows already stored; a task
    delivered twice imports once."""
    from .importer import import_complaints

    return imports.import_run(
        ComplaintImport, upload_id=upload_id, importer=functools.partial(import_complaints, upload_id=upload_id),
        counts=lambda result: {"created": result.created, "skipped": result.skipped},
    )


def complaint_imports_resume():
    from .tasks import complaint_import_task

    return imports.imports_resume(ComplaintImport, task=complaint_import_task)


# -- ideas ----------------------------------------------------------------------------------------


def _event(idea, by, kind, detail="", at=None):
    detail = detail.replace("\x00", "")[:300]  # a note typed into a plain POST: PostgreSQL text holds no NUL
    IdeaEvent.objects.create(idea=idea, actor=by, kind=kind, detail=detail, at=at or timezone.now())


def _locked(idea):
    return Idea.objects.select_for_update(of=("self",)).select_related("pilot").get(pk=idea.pk)


@transaction.atomic
def idea_open(*, by, title, problem, proposal, category="", customers=(), estimated_cost=None, estimated_benefit=None,
              at=None):
    """Open an idea; its author joins it."""
    require(by, "improvement.create")
    at = at or timezone.now()
    idea = Idea(title=title, category=category, problem=problem, proposal=proposal, estimated_cost=estimated_cost,
                estimated_benefit=estimated_benefit, author=by, created_at=at)
    idea.full_clean()
    idea.save()
    idea.customers.set(customers)
    IdeaMember.objects.create(idea=idea, user=by, joined_by=by, joined_at=at)
    _event(idea, by, IdeaEvent.Kind.OPENED, at=at)
    return idea


@transaction.atomic
def idea_edit(*, by, idea, data):
    require(by, "improvement.manage", idea)
    idea = _locked(idea)
    check_unchanged(idea, Idea.EDITED_FIELDS, data.get("seen", ""), _(
        "Someone else saved changes to this idea while you were editing it. Your version is below, not saved:"
        " open the idea in another tab to compare, then save again to keep yours."))
    for name in IDEA_FIELDS:
        setattr(idea, name, data[name])
    idea.full_clean()
    idea.save()
    if "customers" in data:
        idea.customers.set(data["customers"])
    _event(idea, by, IdeaEvent.Kind.EDITED)
    return idea


def _open_to_join(idea):
    """Refuses a closed idea, as the database has it (the row is locked, so a close waits for the join)."""
    idea = Idea.objects.select_for_update().only("status").get(pk=idea.pk)
    if idea.status in (Idea.Status.ADOPTED, Idea.Status.DROPPED):
        raise ValidationError(_("This idea is closed; nobody can join it any more."))


def idea_join(*, by, idea, join=True, at=None):
    """Join (or leave) an idea oneself. Joining twice or leaving when not in it changes nothing; a
    closed (adopted or dropped) idea takes no one new."""
    require(by, "improvement.join", idea)
    with transaction.atomic():
        if join:
            _open_to_join(idea)
            try:
                with transaction.atomic():
                    IdeaMember.objects.create(idea=idea, user=by, joined_by=by, joined_at=at or timezone.now())
            except IntegrityError:  # a double click: already in
                return False
            _event(idea, by, IdeaEvent.Kind.JOINED, at=at)
            return True
        if IdeaMember.objects.filter(idea=idea, user=by).delete()[0]:
            _event(idea, by, IdeaEvent.Kind.LEFT)
            return True
    return False


def idea_team_join(*, by, idea, team, join=True, at=None):
    """Add a team (its leader, or an admin) to an idea, or take it off."""
    from types import SimpleNamespace

    require(by, "improvement.team", SimpleNamespace(team_id=team.pk))
    with transaction.atomic():
        if join:
            _open_to_join(idea)
            try:
                with transaction.atomic():
                    IdeaMember.objects.create(idea=idea, team=team, joined_by=by, joined_at=at or timezone.now())
            except IntegrityError:
                return False
            _event(idea, by, IdeaEvent.Kind.TEAM_JOINED, team.name, at=at)
            return True
        if IdeaMember.objects.filter(idea=idea, team=team).delete()[0]:
            _event(idea, by, IdeaEvent.Kind.TEAM_LEFT, team.name)
            return True
    return False


@transaction.atomic
def pilot_start(*, by, idea, owner, starts_on, ends_on, measure, at=None):
    """An open idea becomes a pilot."""
    require(by, "improvement.manage", idea)
    idea = _locked(idea)
    if not idea.may_become(Idea.Status.PILOTING):
        raise ValidationError(_("Only an open idea can become a pilot."))
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The pilot must end on or after the day it starts.")})
    pilot = Pilot(idea=idea, owner=owner, starts_on=starts_on, ends_on=ends_on, measure=measure)
    pilot.full_clean(exclude=["idea"])
    pilot.save()
    idea.status = Idea.Status.PILOTING
    idea.save(update_fields=["status", "updated_at"])
    IdeaMember.objects.get_or_create(idea=idea, user=owner, defaults={"joined_by": by})
    _event(idea, by, IdeaEvent.Kind.PILOTING, measure, at=at)
    idea.pilot = pilot
    return idea


def not_started(pilot):
    return _("The pilot starts on %(day)s: its result can be recorded from that day.") % {
        "day": date_format(pilot.starts_on, "DATE_FORMAT")}


@transaction.atomic
def pilot_record(*, by, idea, actual_cost, saving, effect, result, at=None):
    """Record what the pilot did. The pattern's complaints during the pilot and in as many days just
    before are counted now and kept with it. May be recorded again (a correction) while piloting."""
    require(by, "improvement.manage", idea)
    idea = _locked(idea)
    if idea.status != Idea.Status.PILOTING:
        raise ValidationError(_("Only a running pilot can have its result recorded."))
    pilot = idea.pilot
    if not pilot.started_by(at):
        raise ValidationError(not_started(pilot))
    pilot.actual_cost, pilot.saving, pilot.effect, pilot.result = actual_cost, saving, effect, result
    if idea.category:
        pilot.complaints_before, pilot.complaints_during = pattern_counts_around(idea.category, pilot.starts_on, pilot.ends_on)
    pilot.recorded_at, pilot.recorded_by = at or timezone.now(), by
    pilot.full_clean(exclude=["idea", "owner"])
    pilot.save()
    _event(idea, by, IdeaEvent.Kind.RESULT, pilot.effect, at=at)  # named in the reader's language at display
    return idea


def close_refused(idea, to):
    """Why `idea` cannot be adopted or dropped (`to`) as it is now, or None when it can."""
    if to not in (Idea.Status.ADOPTED, Idea.Status.DROPPED) or not idea.may_become(to):
        return (_("This idea cannot be %(status)s now.") % {"status": Idea.Status(to).label.lower()}
                if to in Idea.Status.values else _("Unknown state."))
    if to == Idea.Status.ADOPTED and not idea.pilot.recorded_at:
        return _("Record the pilot's result before adopting the idea.")
    return None


@transaction.atomic
def idea_close(*, by, idea, to, note="", at=None):
    """Adopt (a pilot whose result is recorded) or drop (an open idea or a pilot) an idea; `note` says
    why, in its history."""
    require(by, "improvement.manage", idea)
    note = note.strip()
    limit = IdeaEvent._meta.get_field("detail").max_length
    if len(note) > limit:
        raise ValidationError({"note": _("Say why in at most %(limit)s characters.") % {"limit": limit}})
    idea = _locked(idea)
    refused = close_refused(idea, to)
    if refused:
        raise ValidationError(refused)
    idea.status, idea.closed_at = to, at or timezone.now()
    idea.save(update_fields=["status", "closed_at", "updated_at"])
    _event(idea, by, IdeaEvent.Kind.ADOPTED if to == Idea.Status.ADOPTED else IdeaEvent.Kind.DROPPED, note, at=at)
    return idea
