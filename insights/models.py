from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The monthly customer-experience figures, in the order pages, emails and CSV files show them.
PULSE_FIELDS = ["products_returned", "customers_credited", "legal_threats", "customers_saved"]


class PulseFigure(models.Model):
    """One month's customer-experience figures, for one customer or (customer empty) for those not
    tied to one customer. A month's totals add every row of that month."""

    month = models.DateField(_("month"), help_text=_("The first day of the month the figures are for."))
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), related_name="pulse_figures",
        on_delete=models.CASCADE, null=True, blank=True,
    )
    products_returned = models.PositiveIntegerField(_("products returned"), default=0)
    customers_credited = models.PositiveIntegerField(_("customers credited"), default=0)
    legal_threats = models.PositiveIntegerField(_("legal threats"), default=0)
    customers_saved = models.PositiveIntegerField(_("customers saved from leaving"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-month", "customer__name", "id"]
        verbose_name = _("pulse figure")
        verbose_name_plural = _("pulse figures")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "customer"], condition=Q(customer__isnull=False), name="pulse_once_per_customer"
            ),
            models.UniqueConstraint(fields=["month"], condition=Q(customer__isnull=True), name="pulse_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="pulse_month_first_day"),
        ]
        indexes = [
            # The pulse page: months in a window, summed.
            models.Index(fields=["month"], name="pulse_month_idx"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.customer or '-'}"


class PulseIssue(models.Model):
    """A month's pulse, published to everyone by email once."""

    month = models.DateField(_("month"), unique=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = _("published pulse")
        verbose_name_plural = _("published pulses")

    def __str__(self):
        return f"{self.month:%Y-%m}"


class PulseDelivery(models.Model):
    """One pulse email for one person: claimed before sending, so a retried task never sends twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    issue = models.ForeignKey(
        PulseIssue, verbose_name=_("published pulse"), related_name="deliveries", on_delete=models.CASCADE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), related_name="pulse_deliveries", on_delete=models.CASCADE
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-issue__month", "user_id"]
        verbose_name = _("pulse delivery")
        verbose_name_plural = _("pulse deliveries")
        constraints = [models.UniqueConstraint(fields=["issue", "user"], name="pulse_delivery_once")]
        indexes = [
            # The sender's "still to send for this issue" query.
            models.Index(fields=["issue", "status"], name="pulse_delivery_status_idx"),
        ]

    def __str__(self):
        return f"{self.issue} → {self.user_id} ({self.status})"
