from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib import deliveries


class Kind(models.TextChoices):
    """Every kind of email a person can turn off on its own."""

    DIGEST = "digest", _("Weekly digest")
    MEETING_TOMORROW = "meeting_tomorrow", _("Reminder: a customer meeting tomorrow")
    DEBRIEF_DUE = "debrief_due", _("Reminder: a debrief you owe")
    REVIEW_DUE = "review_due", _("Reminder: an impact review due soon")
    REVIEW_REQUESTED = "review_requested", _("Someone asks for your impact review")
    WAITLIST_PROMOTED = "waitlist_promoted", _("You moved up from a waitlist")
    PULSE = "pulse", _("Monthly customer pulse")
    IMPACT_CHECK_DUE = "impact_check_due", _("Reminder: record what a decision did for customers")
    NOTE_ROUTED = "note_routed", _("A customer note routed to you or your team")
    EMPLOYEE_PULSE = "employee_pulse", _("Invitations to the quarterly employee pulse")


# kind -> the NotificationPreferences field that switches it on or off
KIND_FIELDS = {
    Kind.DIGEST: "digest_enabled",
    Kind.MEETING_TOMORROW: "meeting_tomorrow",
    Kind.DEBRIEF_DUE: "debrief_due",
    Kind.REVIEW_DUE: "review_due",
    Kind.REVIEW_REQUESTED: "review_requested",
    Kind.WAITLIST_PROMOTED: "waitlist_promoted",
    Kind.PULSE: "pulse",
    Kind.IMPACT_CHECK_DUE: "impact_check_due",
    Kind.NOTE_ROUTED: "note_routed",
    Kind.EMPLOYEE_PULSE: "employee_pulse",
}

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
DEFAULT_WEEKDAY, DEFAULT_HOUR = 0, 8


class NotificationPreferences(models.Model):
    """What email someone wants. Created lazily: a person without a row has the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), related_name="notification_preferences",
        on_delete=models.CASCADE
    )
    digest_enabled = models.BooleanField(_("weekly digest"), default=True)
    digest_weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS, default=DEFAULT_WEEKDAY)
    digest_hour = models.PositiveSmallIntegerField(_("hour"), default=DEFAULT_HOUR)
    muted_sections = models.JSONField(
        _("sections left out of the digest"),
        default=list,
        blank=True,
        help_text=_("Keys from digests.sections; an empty list means every section."),
    )
    meeting_tomorrow = models.BooleanField(_("a customer meeting tomorrow"), default=True)
    debrief_due = models.BooleanField(_("a debrief I owe"), default=True)
    review_due = models.BooleanField(_("an impact review due soon"), default=True)
    review_requested = models.BooleanField(_("someone asks for my impact review"), default=True)
    waitlist_promoted = models.BooleanField(_("I move up from a waitlist"), default=True)
    pulse = models.BooleanField(_("the monthly customer pulse"), default=True)
    impact_check_due = models.BooleanField(_("a decision's impact check is due"), default=True)
    note_routed = models.BooleanField(_("a customer note is routed to me or my team"), default=True)
    employee_pulse = models.BooleanField(_("the quarterly employee pulse opens"), default=True)
    # Bumped whenever a kind is switched back on, so an unsubscribe link issued before that
    # cannot silently switch it off again.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(condition=Q(digest_weekday__lte=6), name="prefs_weekday_0_6"),
            models.CheckConstraint(condition=Q(digest_hour__lte=23), name="prefs_hour_0_23"),
        ]

    def __str__(self):
        return f"{self.user}"

    def wants(self, kind):
        return bool(getattr(self, KIND_FIELDS[Kind(kind)]))

    def wants_section(self, key):
        return key not in (self.muted_sections or [])


class Delivery(models.Model):
    """One email of one kind for one person and one period. Claimed before sending, so a
    duplicated or retried task never sends it twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Nothing to send")
        FAILED = "failed", _("Failed")

    DONE = (Status.SENT, Status.SKIPPED, Status.FAILED)
    STALE_AFTER = deliveries.STALE_AFTER  # portal.lib.deliveries says why 15 minutes

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), related_name="deliveries", on_delete=models.CASCADE
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    period = models.CharField(
        _("period"), max_length=40, help_text=_("ISO week for the digest, the object for a reminder.")
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim = models.CharField(
        max_length=32, blank=True, editable=False, help_text=_("Who claimed it last (a token).")
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["user", "kind", "period"], name="delivery_once")]
        # "Since their last digest" (a batch's people's latest sent digest) uses the unique index,
        # which starts with the user. Status and times are left out of every index on purpose, so
        # marking a row sent is a cheap in-place (HOT) update on PostgreSQL.
        indexes = [
            # The due-users selector: this period's deliveries of one kind.
            models.Index(fields=["kind", "period"], name="delivery_kind_period_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.period} → {self.user_id} ({self.status})"

    def is_stale(self, now=None):
        now = now or timezone.now()
        return self.status == self.Status.SENDING and (
            self.claimed_at is None or self.claimed_at < now - self.STALE_AFTER
        )
