import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib import announcements

from . import crypto


class Kind(models.TextChoices):
    """What a channel may be told about (portal.lib.announcements), and the admin's test message."""

    STORY_PUBLISHED = announcements.STORY_PUBLISHED, _("A story is published")
    DECISION_IN_REVIEW = announcements.DECISION_IN_REVIEW, _("A decision awaits customer impact reviews")
    DECISION_DECIDED = announcements.DECISION_DECIDED, _("A decision is decided")
    MEETING_OPENED = announcements.MEETING_OPENED, _("A customer meeting opens with free listener seats")
    TEST = "test", _("Test message")


# kind -> the Channel field that switches it on
KIND_FIELDS = {
    Kind.STORY_PUBLISHED: "post_stories",
    Kind.DECISION_IN_REVIEW: "post_reviews",
    Kind.DECISION_DECIDED: "post_decided",
    Kind.MEETING_OPENED: "post_meetings",
}


def mask(url):
    """What an admin sees of a webhook address: the host and the last four characters
    (`https://hooks.slack.com/…/Xb7Q`), enough to tell two apart, too little to post with."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…/{url.rstrip('/')[-4:]}"


class Channel(models.Model):
    """A Slack or Microsoft Teams channel that new stories, decisions and meetings are posted to,
    through the incoming-webhook address its admin pasted here (kept encrypted: webhooks/crypto.py)."""

    class Service(models.TextChoices):
        SLACK = "slack", _("Slack")
        TEAMS = "teams", _("Microsoft Teams")

    name = models.CharField(_("name"), max_length=100, help_text=_("For you: which channel, in which workspace."))
    service = models.CharField(_("service"), max_length=8, choices=Service.choices, default=Service.SLACK)
    url_encrypted = models.TextField(editable=False)
    url_hint = models.CharField(_("webhook address"), max_length=120, editable=False)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE,
        help_text=_("The language of the messages."),
    )
    post_stories = models.BooleanField(_("published stories"), default=True)
    post_reviews = models.BooleanField(_("decisions awaiting customer impact reviews"), default=True)
    post_decided = models.BooleanField(_("decisions decided"), default=True)
    post_meetings = models.BooleanField(_("customer meetings with free listener seats"), default=True)
    customers = models.ManyToManyField(
        "customers.Customer", verbose_name=_("only these customers"), related_name="+", blank=True,
        help_text=_("Leave empty for every customer."),
    )
    themes = models.ManyToManyField(
        "stories.Theme", verbose_name=_("only stories on these themes"), related_name="+", blank=True,
        help_text=_("Leave empty for every theme. Decisions and meetings have no themes: this filters stories only."),
    )
    teams = models.ManyToManyField(
        "portal.Team", verbose_name=_("only these teams"), related_name="+", blank=True,
        help_text=_(
            "Leave empty for every team. A story matches the teams it matters most to, a decision its owning team; "
            "meetings are open to every team and are not filtered by it."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    failures = models.PositiveSmallIntegerField(
        _("failures in a row"), default=0, editable=False,
        help_text=_("Messages the service refused in a row; the channel is disabled when it reaches the limit."),
    )
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    disabled_reason = models.TextField(_("why it was disabled"), blank=True, editable=False)
    disabled_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), related_name="+", on_delete=models.SET_NULL,
        null=True, blank=True, editable=False,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("Slack or Teams channel")
        verbose_name_plural = _("Slack and Teams channels")
        # No index beyond the primary key: a company has a handful of channels, read whole.

    def __str__(self):
        return self.name

    def set_webhook_url(self, url):
        self.url_encrypted = crypto.encrypt(url)
        self.url_hint = mask(url)

    def webhook_url(self):
        """The address, decrypted; crypto.InvalidToken when the keys that encrypted it are gone."""
        return crypto.decrypt(self.url_encrypted)

    def wants(self, kind):
        return kind == Kind.TEST or bool(getattr(self, KIND_FIELDS[Kind(kind)]))


class Delivery(models.Model):
    """One item posted (or to be posted) to one channel. Unique per (channel, kind, item), and claimed
    with a compare-and-swap before posting, so a task that runs twice posts once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent")
        FAILED = "failed", _("Failed")

    # A row left 'sending' longer than this belongs to a worker that died mid-post. It is NOT posted
    # again by itself: neither Slack nor Teams drops a repeated message, so the post may already be in the
    # channel. The admin shows it as stuck, and "Send again" is the admin's call.
    STALE_AFTER = datetime.timedelta(minutes=15)

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), related_name="deliveries", on_delete=models.CASCADE
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(
        _("item"), null=True, blank=True, help_text=_("The story, decision or meeting; empty for a test message.")
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True,
        help_text=_("Who asked for a test message."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Slack or Teams message")
        verbose_name_plural = _("Slack and Teams messages")
        constraints = [
            # Test messages (no item) may be sent any number of times: NULLs are distinct in both databases.
            models.UniqueConstraint(fields=["channel", "kind", "object_id"], name="webhook_delivery_once"),
        ]
        indexes = [
            # services.deliveries_plan reads back the rows just made for one item.
            models.Index(fields=["kind", "object_id"], name="webhook_delivery_item_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id or ''} → {self.channel_id} ({self.status})"

    def is_stuck(self, now=None):
        now = now or timezone.now()
        return self.status == self.Status.SENDING and (
            self.claimed_at is None or self.claimed_at < now - self.STALE_AFTER
        )
