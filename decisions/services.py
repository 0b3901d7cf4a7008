"""Writes to decisions. Every function checks permission itself and runs in one transaction."""

import datetime
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.services import customer_touch
from portal.lib.announcements import DECISION_DECIDED, DECISION_IN_REVIEW, announce
from portal.lib.conflicts import check_unchanged
from portal.lib.dates import validate_date_range
from portal.lib.tasks import run_after_commit
from portal.models import User
from portal.permissions import can, require

from . import evidence as evidence_registry
from .models import Decision, DecisionEvent, ImpactCheck, ImpactReview, ReviewRequest

MIN_ANSWER_WORDS = 5
MIN_ANSWER_CHARS = 20

DECISION_FIELDS = ["title", "team", "owner", "context", "proposal", "decide_by", "links"]


def is_real_answer(text):
    """A real answer, not one word: at least five words and twenty characters."""
    text = (text or "").strip()
    return len(text.split()) >= MIN_ANSWER_WORDS and len(text) >= MIN_ANSWER_CHARS


def _event(decision, by, kind, **details):
    return DecisionEvent.objects.create(decision=decision, actor=by, kind=kind, details=details)


def _may_own(by, *, team, owner):
    """May `by` record a decision for this team with this owner? (the same rule as editing it)"""
    return can(by, "decision.manage", SimpleNamespace(owner_id=owner.pk, team_id=team.pk))


@transaction.atomic
def decision_create(*, by, title, team, owner, context, proposal, decide_by, customers=(), links=""):
    require(by, "decision.create")
    if not _may_own(by, team=team, owner=owner):
        raise PermissionDenied
    decision = Decision(
        title=title, team=team, owner=owner, context=context, proposal=proposal, decide_by=decide_by,
        links=links, created_by=by,
    )
    decision.full_clean()
    decision.save()
    decision.customers.set(customers)
    _event(decision, by, DecisionEvent.Kind.CREATED)
    return decision


@transaction.atomic
def decision_update(*, by, decision, customers=None, seen="", **fields):
    """`seen`: the fingerprint of the decision the form was drawn from; when someone saved it since,
    nothing is saved (portal.lib.conflicts)."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    require(by, "decision.manage", decision)
    check_unchanged(decision, Decision.EDITED_FIELDS, seen, _(
        "Someone else saved changes to this decision while you were editing it. Your version is below, not"
        " saved: open the decision in another tab to compare, then save again to keep yours."))
    if not decision.is_open():
        raise ValidationError(_("A closed decision cannot be edited. Reopen it first."))
    changed = []
    for name in DECISION_FIELDS:
        if name in fields and getattr(decision, name) != fields[name]:
            setattr(decision, name, fields[name])
            changed.append(name)
    if {"team", "owner"} & set(changed) and not _may_own(by, team=decision.team, owner=decision.owner):
        raise ValidationError(_("You can record a decision you own yourself, or for a team you lead."))
    decision.full_clean()
    decision.save()
    if customers is not None:
        before = set(decision.customers.values_list("pk", flat=True))
        after = {c.pk for c in customers}
        if before != after:
            decision.customers.set(customers)
            changed.append("customers")
    if changed:
        _event(decision, by, DecisionEvent.Kind.EDITED, fields=changed)
    return decision


def _transition_errors(decision, to):
    """Why `decision` may not move to `to` now; an empty list when it may."""
    if to not in Decision.Status.values:
        return [_("That is not a known status.")]
    current = Decision.Status(decision.status)
    if to not in Decision.TRANSITIONS[current]:
        if current in (Decision.Status.REJECTED, Decision.Status.WITHDRAWN):
            return [_("This decision is %(status)s; a closed decision cannot change status.") % {"status": current.label.lower()}]
        return [
            _("A decision that is %(from)s cannot become %(to)s.")
            % {"from": current.label.lower(), "to": Decision.Status(to).label.lower()}
        ]
    if to == Decision.Status.DECIDED:
        return decide_errors(decision)
    return []


def decide_errors(decision):
    """What stops this decision from being decided (Decision.review_tally: counted from its reviews,
    or the tally the decision page already has)."""
    errors = []
    if not sum(decision.review_tally().values()):
        errors.append(_("A decision needs at least one customer impact review before it is decided."))
    if not decision.outcome.strip():
        errors.append(_("Record the outcome (what was decided) before deciding."))
    if decision.has_serious_harm():
        if not decision.impact_handling or not is_real_answer(decision.impact_response):
            errors.append(serious_harm_unanswered())
    return errors


def serious_harm_unanswered():
    return _(
        "A review says this hurts customers with high severity. Before deciding, answer it in the "
        "outcome: say whether the harm was mitigated or accepted, and explain how or why "
        "(at least %(words)s words)."
    ) % {"words": MIN_ANSWER_WORDS}


def check_on_errors(check_on, *, today=None):
    """Why `check_on` cannot be an impact check's date: {"check_on": [...]}, or {}."""
    if check_on is None:
        return {}
    try:
        validate_date_range(check_on)
    except ValidationError as error:
        return {"check_on": error.messages}
    if check_on < (today or timezone.localdate()):
        return {"check_on": [_("The check date is in the past. Choose today or a later date.")]}
    return {}


def check_on_default(today=None):
    return (today or timezone.localdate()) + ImpactCheck.DEFAULT_AFTER


@transaction.atomic
def decision_transition(*, by, decision, to, check_on=None, details=None):
    """Move the decision along its lifecycle, or raise ValidationError saying why not.

    Deciding makes the decision's impact check, due on `check_on` (default: 90 days from today).
    Reopening drops an impact check not recorded yet (deciding again makes a new one)."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    require(by, "decision.manage", decision)
    errors = _transition_errors(decision, to)
    if errors:
        raise ValidationError(errors)
    if to == Decision.Status.DECIDED:
        errors = check_on_errors(check_on)
        if errors:
            raise ValidationError(errors)
    before = decision.status
    decision.status = to
    update = ["status", "updated_at"]
    if to == Decision.Status.DECIDED:
        decision.decided_at = timezone.now()
        update.append("decided_at")
    elif before == Decision.Status.DECIDED:
        decision.decided_at = None
        update.append("decided_at")
    decision.save(update_fields=update)
    _event(decision, by, DecisionEvent.Kind.STATUS, **{"from": before, "to": to}, **(details or {}))
    if before == Decision.Status.DECIDED:
        decision.impact_checks.filter(recorded_at=None).delete()
    if to == Decision.Status.DECIDED:
        ImpactCheck.objects.create(
            decision=decision, decided_by=by, decided_at=decision.decided_at,
            due_on=check_on or check_on_default(timezone.localdate(decision.decided_at)),
        )
        for customer_id in decision.customers.values_list("pk", flat=True):
            customer_touch(customer_id=customer_id, at=decision.decided_at)
        announce(DECISION_DECIDED, decision.pk)
    elif to == Decision.Status.IN_REVIEW:
        announce(DECISION_IN_REVIEW, decision.pk)
    return decision


@transaction.atomic
def decision_record_outcome(
    *, by, decision, outcome, impact_response="", impact_handling="", decide=False, check_on=None
):
    """Save what was decided and how the customer impact was handled; optionally decide in the same step.

    Deciding that is refused rolls the outcome back too, so nothing half-saved remains."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    require(by, "decision.manage", decision)
    if not decision.is_open():
        raise ValidationError(_("The outcome of a closed decision cannot change. Reopen it first."))
    if impact_response.strip() and not impact_handling:
        raise ValidationError({"impact_handling": _("Say whether the harm was mitigated or accepted.")})
    decision.outcome, decision.impact_response, decision.impact_handling = outcome, impact_response, impact_handling
    decision.save(update_fields=["outcome", "impact_response", "impact_handling", "updated_at"])
    _event(decision, by, DecisionEvent.Kind.OUTCOME, handling=impact_handling)
    if decide:
        if decision.status == Decision.Status.DRAFT:
            raise ValidationError(_("Ask for reviews before deciding: a draft cannot be decided."))
        decision = decision_transition(by=by, decision=decision, to=Decision.Status.DECIDED, check_on=check_on)
    return decision


@transaction.atomic
def reviews_request(*, by, decision, due_date, teams=(), people=()):
    """Ask teams (each active member) and people to review. Returns the newly created requests.

    Idempotent: one ReviewRequest per (decision, person); only new rows are emailed, after commit."""
    from .tasks import send_review_request_task

    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    require(by, "decision.manage", decision)
    if not decision.is_open():
        raise ValidationError(_("Reviews can only be requested while the decision is a draft or in review."))
    try:
        validate_date_range(due_date)
    except ValidationError as error:
        raise ValidationError({"due_date": error.messages}) from None
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date is in the past. Choose today or a later date.")})
    wanted = {}  # person id -> team it came through (None when named)
    for person in people:
        if person.is_active:
            wanted[person.pk] = None
    team_ids = [t.pk for t in teams]
    for pk, team_id in User.objects.filter(team__in=team_ids, is_active=True).values_list("pk", "team_id"):
        wanted.setdefault(pk, team_id)
    wanted.pop(by.pk, None)
    if not wanted:
        raise ValidationError(_("Nobody to ask: choose a team with active members, or name someone other than yourself."))
    existing = set(decision.review_requests.filter(reviewer__in=wanted).values_list("reviewer_id", flat=True))
    new_rows = [
        ReviewRequest(decision=decision, reviewer_id=pk, via_team_id=team_id, requested_by=by, due_date=due_date)
        for pk, team_id in wanted.items()
        if pk not in existing
    ]
    created = ReviewRequest.objects.bulk_create(new_rows, ignore_conflicts=True)
    # bulk_create with ignore_conflicts sets no primary keys: read back the rows this call made.
    created = list(decision.review_requests.filter(reviewer__in=[r.reviewer_id for r in created], emailed_at=None))
    if decision.status == Decision.Status.DRAFT:
        before = decision.status
        decision.status = Decision.Status.IN_REVIEW
        decision.save(update_fields=["status", "updated_at"])
        _event(decision, by, DecisionEvent.Kind.STATUS, **{"from": before, "to": decision.status})
        announce(DECISION_IN_REVIEW, decision.pk)
    _event(
        decision, by, DecisionEvent.Kind.REVIEWS_REQUESTED, count=len(created),
        teams=[t.name for t in teams], due=due_date.isoformat(),
    )
    for request in created:
        run_after_commit(send_review_request_task, request.pk)
    return created


def review_validate(*, answer, direction, severity):
    errors = {}
    if not is_real_answer(answer):
        errors["answer"] = _(
            "Answer the question in your own words: at least %(words)s words and %(chars)s characters."
        ) % {"words": MIN_ANSWER_WORDS, "chars": MIN_ANSWER_CHARS}
    if severity and not direction:
        errors["severity"] = _("A severity needs a direction: say whether it helps, is neutral, hurts, or you are unsure.")
    if direction and direction not in ImpactReview.Direction.values:
        errors["direction"] = _("Choose a direction.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def review_submit(
    *, by, decision, answer, direction, severity="", affected=(), customers=(), mitigation=""
):
    """File or edit `by`'s impact review of `decision`. Fulfils their review request."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    require(by, "decision.review", decision)
    if not decision.accepts_reviews():
        raise ValidationError(
            _("This decision is %(status)s; it no longer takes impact reviews.") % {"status": decision.get_status_display().lower()}
        )
    review_validate(answer=answer, direction=direction, severity=severity)
    review = ImpactReview.objects.filter(decision=decision, author=by).first()
    is_new = review is None
    if not is_new:
        require(by, "review.edit", review)
        before = _review_state(review, {c.pk for c in review.customers.all()})
    review = review or ImpactReview(decision=decision, author=by)
    review.answer, review.direction, review.severity, review.mitigation = answer, direction, severity, mitigation
    affected = set(affected)
    review.affects_customers = ImpactReview.Affected.CUSTOMERS in affected
    review.affects_customer_facing_staff = ImpactReview.Affected.CUSTOMER_FACING_STAFF in affected
    review.affects_suppliers = ImpactReview.Affected.SUPPLIERS in affected
    if not is_new and _review_state(review, {c.pk for c in customers}) == before:
        # Saved again as it was: it still answers a request made since, but the history has nothing to add.
        decision.review_requests.filter(reviewer=by, reviewed_at=None).update(reviewed_at=timezone.now())
        return review
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:  # a double submit raced us; the other request's review stands.
        raise ValidationError(_("Your review was just saved from another window. Reload the page to edit it."))
    review.customers.set(customers)
    now = timezone.now()
    decision.review_requests.filter(reviewer=by, reviewed_at=None).update(reviewed_at=now)
    kind = DecisionEvent.Kind.REVIEW_FILED if is_new else DecisionEvent.Kind.REVIEW_EDITED
    _event(decision, by, kind, review=review.pk, direction=direction, severity=severity)
    return review


def _review_state(review, customer_ids):
    return (review.answer, review.direction, review.severity, review.mitigation, review.affects_customers,
            review.affects_customer_facing_staff, review.affects_suppliers, customer_ids)


# Impact checks: "did the impact we predicted happen?" -------------------------------------------


def check_reviewer_ids(decision_id):
    """Who reviewed the decision, or was asked to: they may record its impact check. One query."""
    reviewed = ImpactReview.objects.filter(decision_id=decision_id).values_list("author_id", flat=True).order_by()
    asked = ReviewRequest.objects.filter(decision_id=decision_id).values_list("reviewer_id", flat=True).order_by()
    return set(reviewed.union(asked))


def with_reviewer_ids(check):
    """The check with `reviewer_ids` set, which the "reviewer" relation of impact_check.record reads."""
    check.reviewer_ids = check_reviewer_ids(check.decision_id)
    return check


def check_validate(*, result, note):
    errors = {}
    if result not in ImpactCheck.Result.values:
        errors["result"] = _("Say what happened for customers: better, as predicted, worse, or that you cannot tell.")
    if len(note or "") > ImpactCheck._meta.get_field("note").max_length:
        errors["note"] = _("Keep the note short: at most %(count)s characters.") % {
            "count": ImpactCheck._meta.get_field("note").max_length
        }
    elif result == ImpactCheck.Result.WORSE and not (note or "").strip():
        errors["note"] = _("Say in a few words what was worse for customers, so whoever reopens it knows.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def impact_check_record(*, by, check, result, note="", stories=()):
    """Record what actually happened for customers. Once per check; keeps the evidence shown then.

    `stories` must be published stories about the decision's customers (the form offers only those)."""
    check = ImpactCheck.objects.select_for_update().select_related("decision").get(pk=check.pk)
    require(by, "impact_check.record", with_reviewer_ids(check))
    decision = check.decision
    if decision.status != Decision.Status.DECIDED:
        raise ValidationError(_("This decision is no longer decided; its impact check is closed."))
    if check.is_recorded():
        raise ValidationError(_("What happened was already recorded for this check. Reload the page to see it."))
    check_validate(result=result, note=note)
    stories = list(stories)
    if stories:
        from .selectors import check_story_choices

        allowed = set(check_story_choices(decision, by).filter(pk__in=[s.pk for s in stories]).values_list("pk", flat=True))
        if any(story.pk not in allowed for story in stories):
            raise ValidationError({"stories": _("Choose stories about the customers this decision names.")})
    now = timezone.now()
    check.result, check.note, check.recorded_by, check.recorded_at = result, note.strip(), by, now
    check.on_time = timezone.localdate(now) <= check.due_on + ImpactCheck.ON_TIME_GRACE
    check.evidence = evidence_registry.gather(check, decision.customers.order_by("name", "pk"))
    check.save(update_fields=["result", "note", "recorded_by", "recorded_at", "on_time", "evidence"])
    check.stories.set(stories)
    # The decision's row changes too, so every kept part of its page (keyed by updated_at) is drawn again.
    decision.save(update_fields=["updated_at"])
    _event(decision, by, DecisionEvent.Kind.IMPACT_CHECKED, check=check.pk, result=result)
    return check


@transaction.atomic
def decision_reopen_after_check(*, by, check):
    """Reopen a decision whose impact was worse than predicted: the check opens the new round (the
    reopening event names it and its note), and the decision goes back in review."""
    check = ImpactCheck.objects.select_related("decision").get(pk=check.pk)
    decision = check.decision
    require(by, "decision.manage", decision)
    if not check.is_worse():
        raise ValidationError(_("Only a check that found the impact worse than predicted reopens a decision here."))
    if decision.status != Decision.Status.DECIDED:
        raise ValidationError(_("This decision is already open again."))
    latest = decision.impact_checks.filter(recorded_at__isnull=False).order_by("-recorded_at", "-id").first()
    if latest is None or latest.pk != check.pk:
        raise ValidationError(_("A later impact check was recorded since; reopen from that one."))
    _event(decision, by, DecisionEvent.Kind.REOPENED_AFTER_CHECK, check=check.pk, result=check.result, note=check.note[:300])
    return decision_transition(by=by, decision=decision, to=Decision.Status.IN_REVIEW, details={"check": check.pk})


def due_default():
    return timezone.localdate() + datetime.timedelta(days=7)
