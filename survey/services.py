"""Writes for the employee pulse: setting a quarter's questions, opening it (everyone is invited by
email, once), answering it (once per person, anonymously) and closing it early."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.lib.conflicts import check_unchanged
from portal.lib.deliveries import send_claimed, still_to_send
from portal.lib.emails import build_email, message_id
from portal.lib.notifications import subscriptions
from portal.lib.tasks import run_after_commit
from portal.models import User
from portal.permissions import require

from .models import MAX_QUESTIONS, MIN_QUESTIONS, SCALE, TEXT_LIMIT, Answer, Invitation, Question, Response, Survey
from .tokens import answer_url



class NotAnswerable(Exception):
    """The survey closed, or this invitation was already answered: nothing was saved."""


def _check_questions(questions):
    if not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
        raise ValidationError(
            _("Ask from %(min)s to %(max)s questions.") % {"min": MIN_QUESTIONS, "max": MAX_QUESTIONS})
    for kind, text in questions:
        if kind not in Question.Kind.values or not text.strip():
            raise ValidationError(_("Every question needs its text and its kind."))


@transaction.atomic
def survey_save(*, by, survey=None, year, quarter, title="", closes_at, questions, seen=""):
    """Create a quarter's pulse, or change a draft. `questions` is [(kind, text)], 3 to 5 of them, in order.
    `seen` is the draft's fingerprint when the form was drawn: another admin's save since is not undone."""
    require(by, "survey.manage")
    _check_questions(questions)
    if survey is None:
        if Survey.objects.filter(year=year, quarter=quarter).exists():
            raise ValidationError(_("This quarter already has a pulse."))
        survey = Survey(year=year, quarter=quarter, created_by=by)
    else:
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != Survey.Status.DRAFT:
            raise ValidationError(_("The pulse is open: its questions can no longer change."))
        check_unchanged(survey, Survey.EDITED_FIELDS, seen, _(
            "Someone else saved these questions while you were editing them. Your version is below, not saved:"
            " open the pulse in another tab to compare, then save again to keep yours."))
    survey.title, survey.closes_at, survey.updated_at = title, closes_at, timezone.now()
    survey.full_clean(exclude=["created_by"])
    survey.save()
    survey.questions.all().delete()
    Question.objects.bulk_create(
        [Question(survey=survey, position=i, kind=kind, text=text.strip()) for i, (kind, text) in enumerate(questions, 1)]
    )
    return survey


@transaction.atomic
def survey_open(*, by, survey):
    """Open a draft: everyone active is invited by email, once. Opening again changes nothing."""
    from .tasks import send_invitations_task

    require(by, "survey.manage")
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == Survey.Status.OPEN:
        return survey, False
    now = timezone.now()
    if survey.first_day > timezone.localdate(now, timezone.get_default_timezone()):
        # Opened early it would be "the newest open pulse" and take this quarter's place on every home page.
        raise ValidationError(_("This pulse is for %(quarter)s: it can be opened from %(day)s.") % {
            "quarter": survey.label, "day": date_format(survey.first_day, "DATE_FORMAT")})
    if survey.closes_at <= now:
        raise ValidationError(_("The closing date has passed: choose a later one before opening the pulse."))
    count = survey.questions.count()
    if not MIN_QUESTIONS <= count <= MAX_QUESTIONS:
        raise ValidationError(
            _("Ask from %(min)s to %(max)s questions.") % {"min": MIN_QUESTIONS, "max": MAX_QUESTIONS})
    survey.status, survey.opened_at, survey.updated_at = Survey.Status.OPEN, now, now
    survey.save(update_fields=["status", "opened_at", "updated_at"])
    run_after_commit(send_invitations_task, survey.pk)
    return survey, True


@transaction.atomic
def survey_close(*, by, survey):
    """Close an open pulse now: links stop working and no one can answer any more."""
    require(by, "survey.manage")
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    now = timezone.now()
    if survey.status != Survey.Status.OPEN or survey.closes_at <= now:
        return survey
    survey.closes_at, survey.updated_at = now, now
    survey.save(update_fields=["closes_at", "updated_at"])
    return survey


def invitation_for(user, survey):
    """The person's invitation to an open survey; made on the spot for someone who joined after it opened
    (still pending, so the next run of the sender emails them too)."""
    invitation, _created = Invitation.objects.get_or_create(survey=survey, user=user)
    return invitation


# -- answering ----------------------------------------------------------------------------------


def clean_answers(questions, data):
    """{question id: value} from raw form values, or ValidationError listing {question id: message}."""
    errors, values = {}, {}
    for question in questions:
        raw = (data.get(question.pk) or "").strip() if isinstance(data.get(question.pk), str) else data.get(question.pk)
        if question.kind == Question.Kind.SCALE:
            try:
                number = int(raw)
            except (TypeError, ValueError):
                number = None
            if number not in SCALE:
                errors[question.pk] = _("Choose a number from 1 to 5.")
            else:
                values[question.pk] = number
        else:
            if not raw:
                errors[question.pk] = _("Write an answer.")
            elif len(raw) > TEXT_LIMIT:
                errors[question.pk] = _("Keep it under %(limit)s characters.") % {"limit": TEXT_LIMIT}
            else:
                values[question.pk] = raw
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def response_submit(*, invitation, answers):
    """Save one person's answers, once, without their name. `answers` is {question id: value}, every
    question of the survey answered and valid (clean_answers). Raises NotAnswerable when the survey has
    closed or the invitation was used; then nothing is saved."""
    invitation = Invitation.objects.select_for_update().select_related("survey", "user").get(pk=invitation.pk)
    survey, now = invitation.survey, timezone.now()
    if not survey.is_open(now) or invitation.answered_on is not None or not invitation.user.is_active:
        raise NotAnswerable
    questions = list(survey.questions.all())
    values = clean_answers(questions, answers)
    response = Response.objects.create(survey=survey, team_id=invitation.user.team_id)
    Answer.objects.bulk_create([
        Answer(response=response, question=q, scale=values[q.pk] if q.kind == Question.Kind.SCALE else None,
               text=values[q.pk] if q.kind == Question.Kind.TEXT else "")
        for q in questions
    ])
    invitation.answered_on = timezone.localdate(now)
    invitation.save(update_fields=["answered_on"])
    return response


# -- inviting by email --------------------------------------------------------------------------


def invitation_plan(survey):
    """A pending invitation for every active person with an email; the ids still to send."""
    if not survey.is_open():
        return []
    users = User.objects.filter(is_active=True).exclude(email="").values_list("pk", flat=True)
    Invitation.objects.bulk_create(
        [Invitation(survey=survey, user_id=uid) for uid in users], ignore_conflicts=True, batch_size=500
    )
    return list(
        still_to_send(Invitation.objects.filter(survey=survey, answered_on=None))
        .order_by("user_id").values_list("pk", flat=True)
    )


def invitations_switched_on(*, user):
    """`user` switched the pulse invitations back on: their invitations to the open pulses they have not
    answered, skipped while it was off, go out now (after commit, one batch per pulse)."""
    from .tasks import send_invitations_batch_task

    now = timezone.now()
    skipped = list(
        Invitation.objects.filter(user=user, status=Invitation.Status.SKIPPED, answered_on=None,
                                  survey__status=Survey.Status.OPEN, survey__closes_at__gt=now)
        .values_list("survey_id", "pk")
    )
    Invitation.objects.filter(pk__in=[pk for _survey, pk in skipped]).update(status=Invitation.Status.PENDING)
    for survey_id, pk in skipped:
        run_after_commit(send_invitations_batch_task, survey_id, [pk])
    return len(skipped)


def invitation_send_batch(survey_id, invitation_ids, *, final_attempt=True):
    """Email each claimed invitation its link. Running it twice sends each person one email. Someone who
    turned these invitations off (or left, or has no address) gets none: their invitation is marked
    skipped, so no later run tries it again, and they can still answer from the home page and the
    digest's reminder."""
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None or not survey.is_open():
        return 0
    questions = list(survey.questions.all())
    invitations = list(
        Invitation.objects.filter(pk__in=list(invitation_ids), survey=survey, answered_on=None).select_related("user"))
    wanted = subscriptions([invitation.user for invitation in invitations], "employee_pulse")

    def compose(invitation):
        user = invitation.user
        subscription = wanted.get(user.pk)
        if subscription is None:
            return None
        return build_email(
            "survey-invitation", to=user,
            context={"survey": survey, "questions": questions, "answer_url": answer_url(invitation),
                     **subscription.context()},
            headers=subscription.headers | {"Message-ID": message_id(f"survey-{invitation.pk}")},
        )

    return send_claimed(invitations, compose, final_attempt=final_attempt)
