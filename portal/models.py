import datetime
import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz or tz == "UTC"]


def new_feed_token():
    """256 random bits, URL-safe: the only key to a person's private reading feeds."""
    return secrets.token_urlsafe(32)


class Team(models.Model):
    class Kind(models.TextChoices):
        BACK_OFFICE = "back_office", _("Back office")
        CUSTOMER_FACING = "customer_facing", _("Customer-facing")

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BACK_OFFICE)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("name", email.split("@")[0])
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, email):
        # The sign-in form does not enforce the field's length; a 100 kB "email" is no one (and too
        # long a pattern for SQLite's LIKE).
        if email is None or len(email) > self.model._meta.get_field("email").max_length:
            raise self.model.DoesNotExist
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A colleague. Signs in with their email; `is_staff` marks an admin of the portal."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        STAFF = "staff", _("Staff")
        HOST = "host", _("Customer-facing host")

    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email address"), unique=True)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), related_name="members", on_delete=models.SET_NULL, null=True, blank=True
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    is_staff = models.BooleanField(
        _("admin"), default=False, help_text=_("Admins manage people, teams, customers and settings.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The secret in the addresses of the person's Atom feeds (stories.feeds): whoever has it reads
    # what the person may read, so it is never shown to anyone else (not in the admin either), it
    # works only while the person is active, and resetting it (stories.services.feed_token_reset)
    # ends the old addresses at once. On the row itself, so pages that offer the feed (the feed, a
    # customer, a theme) read it with the signed-in person and need no query of their own. The
    # calendar feed keeps its own key (meetings.CalendarFeed): calendars get shared with assistants
    # and family, stories should not travel with them.
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        # The whole name: "first word" is the family name in Vietnamese, Hungarian and more.
        return self.name or self.email

    @property
    def is_admin(self):
        return self.is_active and self.is_staff

    @property
    def is_leader(self):
        return self.role == self.Role.LEADER

    @property
    def is_host(self):
        return self.role == self.Role.HOST


class PendingTask(models.Model):
    """Work that failed after the write it follows had committed (an email, mostly), kept to run again
    (portal.lib.tasks). The write stands; the person was answered as usual."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("failed first"), default=timezone.now)
    attempted_at = models.DateTimeField(_("last attempt"), default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("task to retry")
        verbose_name_plural = _("tasks to retry")

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"


class ImportUpload(models.Model):
    """What every CSV import upload keeps (customers, complaints): the file itself (at most
    LIFELINE_IMPORT_MAX_BYTES, so the worker needs no disk shared with the web server) and how its
    import went, updated as a Celery task checks and saves it (all or nothing). `portal.lib.imports`
    runs it; each concrete upload adds the counts of what it saved and `get_absolute_url`."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        CHECKING = "checking", _("Checking the rows")
        SAVING = "saving", _("Saving")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    content = models.BinaryField(editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    problems_found = models.PositiveIntegerField(_("problems found"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True, help_text=_("Each bad row: line and message."))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True,
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The last sign of life of the worker running it: an upload checking or saving with no progress for
    # STALE_AFTER lost its worker (the save is all or nothing, so starting again is safe).
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True, editable=False)

    STALE_AFTER = datetime.timedelta(minutes=10)

    class Meta:
        abstract = True
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.file_name or str(self.pk)

    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def problem_list(self):
        """The stored problems as RowErrors, which read "line N: …" in the viewer's language."""
        from portal.lib.csvimport import RowError

        return [RowError(problem["line"], problem["message"]) for problem in self.problems]
