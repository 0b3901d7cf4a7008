import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from stories.models import Story

# "Answered within 5 working days": working days are Monday to Friday in the company's time zone
# (settings.TIME_ZONE); public holidays are not known to Lifeline and count as working days. The day a
# note is routed is day 0, so a note routed on a Friday is on time when answered by the next Friday.
ANSWER_WITHIN_WORKING_DAYS = 5


def working_days_between(start, end):
    """Working days (Mon–Fri) after the date `start` up to and including the date `end`: 0 on the same
    day, 1 from a Friday to the next Monday."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + datetime.timedelta(days=offset + weeks * 7)).weekday() < 5:
            count += 1
    return count


class Note(models.Model):
    """What someone in service, sales or account management learned about a customer: a call, a
    complaint, a renewal risk, praise. Shown on the customer's timeline to those who may read it
    (`visibility`, the same choices as a story's); when routed, it waits on the account owner or a
    customer-facing team until one of them acknowledges or answers it."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        COMPLAINT = "complaint", _("Complaint")
        RENEWAL_RISK = "renewal_risk", _("Renewal risk")
        PRAISE = "praise", _("Praise")
        OTHER = "other", _("Other")

    Visibility = Story.Visibility  # who may read it: one set of choices for stories and notes

    class Route(models.TextChoices):
        NONE = "", _("Not routed")
        OWNER = "owner", _("For the account owner")
        TEAM = "team", _("For a customer-facing team")

    class Status(models.TextChoices):
        NOT_ROUTED = "", _("Not routed")
        OPEN = "open", pgettext_lazy("a routed note's status", "Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ANSWERED = "answered", pgettext_lazy("a routed note's status", "Answered")

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), related_name="notes", on_delete=models.CASCADE
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), related_name="+", on_delete=models.PROTECT
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    text = models.CharField(_("note"), max_length=500)
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("contact"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True
    )
    link = models.URLField(_("link"), max_length=500, blank=True)
    visibility = models.CharField(_("who may read it"), max_length=10, choices=Visibility.choices, default=Visibility.EVERYONE)
    audience = models.ManyToManyField(
        "portal.Team", verbose_name=_("teams who may read it"), related_name="+", blank=True
    )
    route = models.CharField(_("for"), max_length=5, choices=Route.choices, blank=True, default="")
    route_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("routed to"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True
    )
    route_team = models.ForeignKey(
        "portal.Team", verbose_name=_("routed to the team"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, blank=True, default="")
    answer = models.CharField(_("answer"), max_length=500, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    # What tells two corrections apart (portal.lib.conflicts): only a correction moves `edited_at`, and
    # an answer settles the note, which refuses corrections anyway.
    EDITED_FIELDS = ("edited_at",)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("customer note")
        verbose_name_plural = _("customer notes")
        indexes = [
            # The timeline: a customer's notes, newest first, after a cursor.
            models.Index(fields=["customer", "-at", "-id"], name="note_timeline_idx"),
            # The home panel and the digest: notes still open for a person or a team.
            models.Index(fields=["route_user"], condition=Q(status="open"), name="note_open_user_idx"),
            models.Index(fields=["route_team"], condition=Q(status="open"), name="note_open_team_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(route="", status="") | ~Q(route="") & ~Q(status=""), name="note_routed_has_status"
            ),
            models.CheckConstraint(
                condition=~Q(route="team") | Q(route_team__isnull=False), name="note_team_route_has_team"
            ),
        ]

    @property
    def is_settled(self):
        """A routed note someone has acknowledged or answered: what they answered stays as they saw it."""
        return bool(self.route) and self.status != self.Status.OPEN

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"

    def get_absolute_url(self):
        return reverse("loops:note", kwargs={"pk": self.pk})

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def audience_team_ids(self):
        """For portal.permissions' "audience_member" (prefetched by the selectors)."""
        return [team.pk for team in self.audience.all()]

    def answered_on_time(self):
        """Acknowledged or answered within ANSWER_WITHIN_WORKING_DAYS working days of being routed."""
        if self.responded_at is None:
            return False
        zone = timezone.get_default_timezone()
        return working_days_between(timezone.localdate(self.at, zone), timezone.localdate(self.responded_at, zone)) <= ANSWER_WITHIN_WORKING_DAYS


class NoteNotice(models.Model):
    """One email telling one person a note is routed to them (or their team): claimed before sending,
    so a task run twice sends it once."""

    note = models.ForeignKey(Note, related_name="notices", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "user"], name="note_notice_once")]


WEEKLY_MAX = 40


class RhythmTargets(models.Model):
    """The company-wide 3-2-1 targets: personal emails, handwritten cards and calls per week. One row
    (pk 1), edited in the admin ("Contact rhythm targets"); until someone saves it, 3-2-1 applies."""

    # A personal touch a working hour is already more than one person keeps up: a larger number is a typo.
    emails = models.PositiveSmallIntegerField(_("personal emails a week"), default=3, validators=[MaxValueValidator(WEEKLY_MAX)])
    cards = models.PositiveSmallIntegerField(_("handwritten cards a week"), default=2, validators=[MaxValueValidator(WEEKLY_MAX)])
    calls = models.PositiveSmallIntegerField(_("calls a week"), default=1, validators=[MaxValueValidator(WEEKLY_MAX)])
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contact rhythm targets")
        verbose_name_plural = _("contact rhythm targets")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="rhythm_targets_single_row")]

    def __str__(self):
        return f"{self.emails}-{self.cards}-{self.calls}"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)


class Rhythm(models.Model):
    """A customer-facing owner who turned the weekly rhythm on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), related_name="rhythm", on_delete=models.CASCADE
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)

    class Meta:
        verbose_name = _("contact rhythm")
        verbose_name_plural = _("contact rhythms")

    def __str__(self):
        return str(self.user)


class Touch(models.Model):
    """A personal email, a handwritten card or a call to a customer, logged by its owner."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Personal email")
        CARD = "card", _("Handwritten card")
        CALL = "call", _("Call")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), related_name="touches", on_delete=models.CASCADE
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), related_name="touches", on_delete=models.CASCADE
    )
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("contact"), related_name="touches",
        on_delete=models.SET_NULL, null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("touch")
        verbose_name_plural = _("touches")
        indexes = [
            # The timeline: a customer's touches, newest first.
            models.Index(fields=["customer", "-at", "-id"], name="touch_timeline_idx"),
            # The week's progress (home, digest) and the least recently touched contacts.
            models.Index(fields=["owner", "at"], name="touch_owner_week_idx"),
            models.Index(fields=["contact", "at"], name="touch_contact_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.customer_id} {self.at:%Y-%m-%d}"
