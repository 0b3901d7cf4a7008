import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.dates import validate_date_range
from portal.lib.text import shown_default
from portal.permissions import can

DEFAULT_BRIEFING = _("Your only job is to listen.")


class Meeting(models.Model):
    """A customer meeting that back-office colleagues may sign up to listen in on."""

    class Kind(models.TextChoices):
        ANNUAL_REVIEW = "annual_review", _("Annual business review")
        QUARTERLY_REVIEW = "quarterly_review", _("Quarterly review")
        ONBOARDING = "onboarding", _("Onboarding")
        SUPPORT_CALL = "support_call", _("Support call listen-in")
        SITE_VISIT = "site_visit", _("Site visit")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), related_name="meetings", on_delete=models.PROTECT
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("host"), related_name="hosted_meetings", on_delete=models.PROTECT
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ANNUAL_REVIEW)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"), validators=[validate_date_range])
    ends_at = models.DateTimeField(_("ends"), validators=[validate_date_range])
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("An address or a room."))
    video_url = models.URLField(_("video link"), blank=True, help_text=_("An https:// link to the video call."))
    seats = models.PositiveSmallIntegerField(_("listener seats"), default=2)
    # How long a seat that frees up is held for the first person on the waitlist (services._promote).
    offer_hours = models.PositiveSmallIntegerField(
        _("hold a freed seat for (hours)"), default=24,
        help_text=_("When a seat frees up, the first person on the waitlist has this long to accept it."),
    )
    signup_closes_at = models.DateTimeField(_("sign-up closes"), validators=[validate_date_range])
    briefing = models.TextField(_("briefing for listeners"), default=DEFAULT_BRIEFING)
    # Who attends from the customer: the host picks them from the customer's contacts (only that
    # customer's: services.meeting_create/meeting_update check it). The listener brief shows them with
    # their FORD notes; with none picked it shows the customer's key contacts instead.
    customer_contacts = models.ManyToManyField(
        "customers.Contact", verbose_name=_("attending from the customer"), related_name="meetings_attended",
        blank=True,
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    # iCalendar SEQUENCE: bumped on every change, so calendars replace the older version.
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    # Seats held (confirmed, or offered to someone from the waitlist), kept by the seat services under the
    # meeting's lock (services.seats_recount) with an update(), which leaves `updated_at` and so the
    # meeting's cached card alone: a sign-up changes the seats left on every page without re-rendering anything.
    seats_taken = models.PositiveSmallIntegerField(default=0, editable=False)
    debriefs_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the host (or an admin) marks who attended; until then confirmed seats count provisionally.
    attendance_marked_at = models.DateTimeField(_("attendance marked"), null=True, blank=True, editable=False)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # What the meeting form edits, so what a host and an admin editing at once could overwrite
    # (portal.lib.conflicts); the customer by its id, which needs no query.
    EDITED_FIELDS = ("customer_id", "kind", "title", "starts_at", "ends_at", "place", "video_url", "seats",
                     "signup_closes_at", "briefing", "offer_hours")

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="meeting_has_seats"),
            models.CheckConstraint(condition=Q(offer_hours__gte=1), name="meeting_offer_hours_positive"),
            models.CheckConstraint(
                condition=Q(signup_closes_at__lte=F("starts_at")), name="meeting_signup_closes_before_start"
            ),
        ]
        indexes = [
            # The meetings list: scheduled meetings that have not ended, by start.
            models.Index(fields=["status", "ends_at", "starts_at"], name="meeting_upcoming_idx"),
            # The meetings list's walk in start order (selectors.MeetingList), stopping at a page.
            models.Index(fields=["status", "starts_at", "id"], name="meeting_start_idx"),
            # The customer page: a customer's meetings by start.
            models.Index(fields=["customer", "starts_at"], name="meeting_customer_idx"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The meeting must end after it starts.")
        if self.starts_at and self.signup_closes_at and self.signup_closes_at > self.starts_at:
            errors["signup_closes_at"] = _("Sign-up must close before the meeting starts.")
        if self.seats is not None and self.seats < 1:
            errors["seats"] = _("A meeting needs at least one listener seat.")
        if self.offer_hours is not None and self.offer_hours < 1:
            errors["offer_hours"] = _("Hold a freed seat for at least one hour.")
        if self.video_url and not self.video_url.lower().startswith("https://"):
            errors["video_url"] = _("Use a secure link that starts with https://.")
        if not self.place and not self.video_url:
            errors["place"] = _("Give a place or a video link, so listeners know where to go.")
        if errors:
            raise ValidationError(errors)

    @property
    def briefing_shown(self):
        """The briefing as each reader reads it: the host's own words, or, where the host left the default
        as it was, the default in the reader's language."""
        return shown_default(self.briefing, DEFAULT_BRIEFING)  # a new meeting stores it in its host's language

    def get_absolute_url(self):
        return reverse("meetings:detail", kwargs={"pk": self.pk})

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    def is_past(self, now=None):
        return self.ends_at <= (now or timezone.now())

    def signup_open(self, now=None):
        now = now or timezone.now()
        return not self.is_cancelled and now < self.signup_closes_at and now < self.starts_at

    def can_edit(self, user):
        return can(user, "meeting.manage", self)

    def seats_left(self):
        return max(self.seats - self.seats_taken, 0)

    def can_mark_attendance(self, now=None):
        """Attendance is marked once the meeting has taken place (and it was not cancelled)."""
        return not self.is_cancelled and self.is_past(now)

    def ical_uid(self):
        return f"meeting-{self.pk}@lifeline"


class Seat(models.Model):
    """One person's place at a meeting: a listener seat, a seat offered and held for them, or a place on
    the waitlist.

    One row per (meeting, user): signing up again reuses the row, so a double click cannot
    take two places. Waitlist order is `created_at`, reset when someone signs up again.

    When a seat frees up, the first person waiting gets an offer: the seat is held for them (it counts
    in `Meeting.seats_taken`) until `offer_expires_at`; they accept (confirmed), decline, or let it lapse,
    and then the next person waiting gets it."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        OFFERED = "offered", _("Offered a seat")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")
        REMOVED = "removed", _("Removed by the host")
        DECLINED = "declined", _("Declined the offered seat")
        LAPSED = "lapsed", _("Let the offered seat lapse")

    class Attendance(models.TextChoices):
        UNMARKED = "", _("Not marked yet")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not attend")

    ACTIVE = (Status.CONFIRMED, Status.OFFERED, Status.WAITLISTED)
    # Statuses that hold one of the meeting's seats (what `Meeting.seats_taken` counts).
    HOLDING = (Status.CONFIRMED, Status.OFFERED)

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), related_name="seat_set", on_delete=models.CASCADE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), related_name="meeting_seats", on_delete=models.CASCADE
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The state last emailed ("meeting status:seat status:sequence"), so an email task sends once.
    notified = models.CharField(max_length=60, blank=True, editable=False)
    # While `status` is OFFERED: when the held seat goes to the next person waiting.
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    # Marked by the host after the meeting; seen only by the host, admins and the person.
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="seat_once_per_meeting"),
            # An offer always has a deadline, and only an offer has one.
            models.CheckConstraint(
                condition=Q(status="offered", offer_expires_at__isnull=False)
                | (~Q(status="offered") & Q(offer_expires_at__isnull=True)),
                name="seat_offer_has_deadline",
            ),
        ]
        indexes = [
            # Counting a meeting's confirmed seats and walking its waitlist in order.
            models.Index(fields=["meeting", "status", "created_at"], name="seat_meeting_status_idx"),
            # "My customer meetings" and the quotas: a person's seats by status.
            models.Index(fields=["user", "status"], name="seat_user_status_idx"),
            # The periodic expiry of offers: offered seats by deadline (services.offers_expire).
            models.Index(fields=["offer_expires_at"], condition=Q(status="offered"), name="seat_offer_expiry_idx"),
        ]

    def __str__(self):
        return _("%(person)s at %(meeting)s (%(status)s)") % {
            "person": self.user, "meeting": self.meeting, "status": self.get_status_display()}

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    def offer_live(self, now=None):
        """An offer the person can still accept."""
        return self.status == self.Status.OFFERED and self.offer_expires_at > (now or timezone.now())

    @property
    def is_no_show(self):
        return self.attendance == self.Attendance.NO_SHOW


class CalendarFeed(models.Model):
    """A person's private calendar feed: the secret token is the only key."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), related_name="meeting_feed", on_delete=models.CASCADE
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"{self.user}"

    @staticmethod
    def new_token():
        return secrets.token_urlsafe(32)

    def get_absolute_url(self):
        return reverse("meetings:calendar_feed", kwargs={"token": self.token})


class Debrief(models.Model):
    """What a listener learned, written for their own team."""

    seat = models.OneToOneField(
        Seat, verbose_name=_("seat"), related_name="debrief", on_delete=models.CASCADE
    )
    goals_and_needs = models.TextField(_("What did you learn about the customer's goals and needs?"))
    surprises = models.TextField(_("What surprised you?"), blank=True)
    do_differently = models.TextField(_("What should your team do differently?"), blank=True)
    story_id = models.PositiveIntegerField(_("story"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("debrief")
        verbose_name_plural = _("debriefs")

    def __str__(self):
        return _("%(person)s on %(meeting)s") % {"person": self.seat.user, "meeting": self.seat.meeting}


class DebriefReaction(models.Model):
    """A colleague found a debrief helpful."""

    debrief = models.ForeignKey(
        Debrief, verbose_name=_("debrief"), related_name="reactions", on_delete=models.CASCADE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), related_name="debrief_reactions", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("debrief reaction")
        verbose_name_plural = _("debrief reactions")
        constraints = [models.UniqueConstraint(fields=["debrief", "user"], name="debrief_reaction_once")]

    def __str__(self):
        return f"{self.user} ♥ {self.debrief_id}"
