"""The quarterly employee pulse: "do we know our customers?". Not the monthly *customer* pulse of
insights (customer-experience figures); this one asks employees 3–5 questions once a quarter.

Anonymity is in the tables themselves. An `Invitation` says that a person was asked and whether they
answered (it stops a second answer and gives the response rate); a `Response` holds the answers and
carries only the team the person was in, no person, no time, and a random id, so nothing joins an
answer back to an invitation. Results of a team are shown only from MIN_ANSWERS answers up."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from portal.lib.dates import validate_date_range
from portal.lib.text import shown_default

MIN_QUESTIONS, MAX_QUESTIONS = 3, 5
MIN_ANSWERS = 5  # a team's results stay hidden below this many answers
TEXT_LIMIT = 1000  # characters in a free-text answer
SCALE = range(1, 6)


DEFAULT_TITLE = _("Do we know our customers?")


class Survey(models.Model):
    """One quarter's pulse. A draft can be edited; opening it invites everyone by email."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", pgettext_lazy("an employee pulse's status", "Open")

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(n, f"Q{n}") for n in range(1, 5)])
    title = models.CharField(_("title"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    closes_at = models.DateTimeField(_("closes at"), validators=[validate_date_range])
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    # What tells two admins' saves of a draft apart (portal.lib.conflicts): every save of its questions
    # replaces them and moves `updated_at`, and nothing else changes a draft.
    EDITED_FIELDS = ("updated_at",)

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = _("employee pulse")
        verbose_name_plural = _("employee pulses")
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="survey_once_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="survey_quarter_1_4"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="survey_year_2000_2100"),
        ]

    def __str__(self):
        return f"{self.year}Q{self.quarter}"

    @property
    def title_shown(self):
        """The title as each reader reads it: the admin's own, or, when it is blank or the default left as
        it was (in the language of whoever saved it), the default in the reader's language."""
        return shown_default(self.title, DEFAULT_TITLE) if self.title.strip() else str(DEFAULT_TITLE)

    @property
    def period(self):
        """"2026Q4", as the scorecard's ?quarter= spells it."""
        return f"{self.year}Q{self.quarter}"

    @property
    def label(self):
        return _("Q%(number)s %(year)s") % {"number": self.quarter, "year": self.year}

    @property
    def first_day(self):
        """The first day of its quarter: it may be opened from then."""
        return datetime.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self):
        """The last day answers are taken, in the company's time zone (closes_at is the moment it ends)."""
        return timezone.localtime(self.closes_at - datetime.timedelta(microseconds=1), timezone.get_default_timezone()).date()

    def is_open(self, now=None):
        return self.status == self.Status.OPEN and (now or timezone.now()) < self.closes_at

    def is_closed(self, now=None):
        return self.status == self.Status.OPEN and (now or timezone.now()) >= self.closes_at


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Scale from 1 to 5")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(Survey, related_name="questions", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.SCALE)
    text = models.CharField(_("question"), max_length=300)

    class Meta:
        ordering = ["survey", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [models.UniqueConstraint(fields=["survey", "position"], name="question_position_once")]

    def __str__(self):
        return self.text


class Invitation(models.Model):
    """That a person was asked, the email to them (claimed before sending, so a retried task never
    sends twice) and whether they answered. Never what they answered."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not emailed")
        FAILED = "failed", _("Failed")

    survey = models.ForeignKey(
        Survey, verbose_name=_("employee pulse"), related_name="invitations", on_delete=models.CASCADE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), related_name="survey_invitations",
        on_delete=models.CASCADE
    )
    status = models.CharField(_("email"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # The day only: a moment would let someone match it with the order answers arrived in.
    answered_on = models.DateField(_("answered on"), null=True, blank=True)

    class Meta:
        ordering = ["survey", "user_id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["survey", "user"], name="survey_invitation_once")]
        indexes = [
            # The sender's "still to send for this survey" query.
            models.Index(fields=["survey", "status"], name="survey_invitation_status_idx"),
        ]

    def __str__(self):
        return f"{self.survey} → {self.user_id}"


class Response(models.Model):
    """One person's answers, with the team they were in and nothing else about them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # random: no order to match
    survey = models.ForeignKey(Survey, related_name="responses", on_delete=models.CASCADE)
    team = models.ForeignKey("portal.Team", related_name="+", on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            # The results: responses of a survey counted per team.
            models.Index(fields=["survey", "team"], name="survey_response_team_idx"),
        ]

    def __str__(self):
        return f"{self.survey} ({self.team_id or '-'})"


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # random, like Response's
    response = models.ForeignKey(Response, related_name="answers", on_delete=models.CASCADE)
    question = models.ForeignKey(Question, related_name="answers", on_delete=models.CASCADE)
    scale = models.PositiveSmallIntegerField(_("answer (1–5)"), null=True, blank=True)
    text = models.TextField(_("answer"), blank=True, max_length=TEXT_LIMIT)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question"),
            models.CheckConstraint(condition=Q(scale__isnull=True) | Q(scale__gte=1, scale__lte=5), name="answer_scale_1_5"),
        ]

    def __str__(self):
        return f"{self.question_id}: {self.scale or self.text[:20]}"
