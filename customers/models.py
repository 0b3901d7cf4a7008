
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.dates import validate_history_date
from portal.models import ImportUpload


class Customer(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        AT_RISK = "at_risk", _("At risk")
        FORMER = "former", _("Former")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True, allow_unicode=True)
    external_id = models.CharField(
        _("CRM id"), max_length=64, unique=True, null=True, blank=True,
        help_text=_("The customer's id in the CRM export; imports update the customer with this id."),
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    employees = models.PositiveIntegerField(
        _("people employed"), null=True, blank=True,
        help_text=_("About how many people work there: describes the customer in anonymised stories."),
    )
    do_not_name = models.BooleanField(
        _("do not name us"), default=False, db_default=False,  # the database's: for rows written in SQL
        help_text=_(
            "The customer asked not to be named. New stories about them are anonymised, and one can be "
            "published under their name only once someone records their consent."
        ),
    )
    account_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account owner"), related_name="owned_customers",
        on_delete=models.SET_NULL, null=True, blank=True,
    )
    who_they_are = models.TextField(_("who they are"), blank=True)
    what_they_do = models.TextField(_("what they do"), blank=True)
    daily_challenges = models.TextField(_("their daily challenges"), blank=True)
    how_we_help = models.TextField(_("how we help them"), blank=True, help_text=_("Markdown."))
    how_we_help_html = models.TextField(editable=False, blank=True)
    customer_since = models.DateField(_("customer since"), null=True, blank=True, validators=[validate_history_date])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    last_activity_at = models.DateTimeField(
        _("last activity"), default=timezone.now,
        help_text=_("When a story, decision or meeting last touched this customer."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            # The directory sorted by most recent activity.
            models.Index(fields=["-last_activity_at", "id"], name="customer_activity_idx"),
            # The directory sorted by name (the default), and the autocomplete.
            models.Index(fields=["name", "id"], name="customer_name_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from portal.lib.markdown import render_markdown

        self.how_we_help_html = render_markdown(self.how_we_help)
        if kwargs.get("update_fields") is not None and "how_we_help" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "how_we_help_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("customers:detail", kwargs={"slug": self.slug})

    def anonymous_description(self):
        """How an anonymised story names this customer, from its profile: "a 40-person logistics company
        in the Middle East". In the active language; the story keeps (and its author may edit) the text."""
        from django.utils.translation import get_language, gettext

        industry = self.industry.strip()
        if (get_language() or "en").startswith("en"):  # "a logistics business"; in another language, as written
            industry = industry.lower()
        parts = {"employees": self.employees, "industry": industry, "region": self.region.strip()}
        templates = {
            (True, True, True): gettext("a %(employees)s-person %(industry)s business in %(region)s"),
            (True, True, False): gettext("a %(employees)s-person %(industry)s business"),
            (True, False, True): gettext("a %(employees)s-person business in %(region)s"),
            (True, False, False): gettext("a %(employees)s-person business"),
            (False, True, True): gettext("a %(industry)s business in %(region)s"),
            (False, True, False): gettext("a %(industry)s business"),
            (False, False, True): gettext("a business in %(region)s"),
            (False, False, False): gettext("a customer of ours"),
        }
        return templates[tuple(bool(value) for value in parts.values())] % parts

    def can_edit_contacts(self, user):
        from portal.permissions import can

        return can(user, "contact.edit", self)


class Contact(models.Model):
    """A person at the customer. The FORD notes are what makes them a person to us."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), related_name="contacts", on_delete=models.CASCADE
    )
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=150, blank=True)
    is_key = models.BooleanField(_("key contact"), default=True)
    family = models.TextField(_("family"), blank=True)
    occupation = models.TextField(_("occupation"), blank=True)
    recreation = models.TextField(_("recreation"), blank=True)
    dreams = models.TextField(_("dreams"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True
    )

    # What the contact form edits, so what two people editing at once could overwrite (portal.lib.conflicts).
    EDITED_FIELDS = ("name", "role", "is_key", "family", "occupation", "recreation", "dreams")

    class Meta:
        ordering = ["-is_key", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.name

    def has_ford_notes(self):
        return any([self.family, self.occupation, self.recreation, self.dreams])


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), related_name="customer_follows", on_delete=models.CASCADE
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), related_name="follows", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(_("followed at"), default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["user", "customer"], name="follow_once")]

    def __str__(self):
        return f"{self.user} → {self.customer}"


class ContactAudit(models.Model):
    """Append-only record of who saw or changed a contact's FORD notes, and when."""

    class Action(models.TextChoices):
        VIEWED = "viewed", _("Viewed")
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        DELETED = "deleted", _("Deleted")
        ERASED = "erased", _("Erased")

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), related_name="audit_entries",
        on_delete=models.SET_NULL, null=True, blank=True
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), related_name="+", on_delete=models.CASCADE
    )
    contact_name = models.CharField(_("contact"), max_length=150)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), related_name="+", on_delete=models.SET_NULL, null=True
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("contact audit entry")
        verbose_name_plural = _("contact audit log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.contact_name}"


class CustomerImport(ImportUpload):
    """One uploaded CRM export and how its import went (portal.models.ImportUpload, run by
    portal.lib.imports)."""

    created = models.PositiveIntegerField(_("customers added"), default=0)
    updated = models.PositiveIntegerField(_("customers updated"), default=0)

    class Meta(ImportUpload.Meta):
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")

    def get_absolute_url(self):
        return reverse("customers:import_status", kwargs={"pk": self.pk})

    def result_facts(self):
        """What an import saved, as (label, count) for the upload page."""
        return [(_("Customers added"), self.created), (_("Customers updated"), self.updated)]
