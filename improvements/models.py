"""Complaint records (imported from the support desk), improvement ideas opened from a pattern in them,
the people and teams who join an idea, its pilot and what the pilot did."""

import hashlib
import json
import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.lib.dates import shown, validate_date_range
from portal.models import ImportUpload

MONEY = {"max_digits": 12, "decimal_places": 2}


def complaint_fingerprint(*, date, category, text, cost):
    """What makes two complaints of one customer the same record, as a sha256 hex digest: the date, the
    category and the text with their whitespace runs made one space and the ends trimmed (Unicode NFC),
    and the cost to the cent. Letter case counts, as it does when the patterns page groups categories."""
    parts = [
        date.isoformat(), " ".join(category.split()), " ".join(text.split()), "" if cost is None else f"{cost:.2f}",
    ]
    return hashlib.sha256(unicodedata.normalize("NFC", json.dumps(parts, ensure_ascii=False)).encode()).hexdigest()


class Complaint(models.Model):
    """One support or complaint record about a customer, as the CSV import brought it.

    Importing is idempotent: a row already stored is not stored again, so a file uploaded twice, or an
    export that overlaps an earlier one (last quarter, then the whole year), adds only what is new.
    - A row with a `reference` (the support desk's ticket id) is the same record as the customer's
      complaint with that reference.
    - A row without one is the same record as a complaint of that customer with the same content
      (`fingerprint`: date, category, text, cost). Identical rows within one file are all kept (the
      source holds them all); each stored row answers for one row of a later file, so a file with two
      identical rows adds the second copy only once, however often it is imported. `occurrence` numbers
      a customer's identical complaints 1, 2, … so the database refuses a copy stored twice.
    - A row with a reference also matches a complaint with the same content that was imported without
      one (an older export without the column); that complaint takes the reference.
    The fingerprint is the row's as imported (an edit in the admin keeps it), and complaints not made by
    the import have none and match nothing."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), related_name="complaints", on_delete=models.CASCADE
    )
    date = models.DateField(_("date"), validators=[validate_date_range])
    category = models.CharField(_("category"), max_length=100)
    text = models.TextField(_("text"))
    cost = models.DecimalField(_("cost"), null=True, blank=True, **MONEY)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("The support desk's ticket id, when the file had one.")
    )
    fingerprint = models.CharField(max_length=64, null=True, blank=True, editable=False)
    occurrence = models.PositiveIntegerField(default=1, editable=False)
    upload = models.ForeignKey(
        "improvements.ComplaintImport", verbose_name=_("complaint import"), related_name="complaints",
        on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            # The patterns page: counts by category and month over seven months (selectors.patterns).
            models.Index(fields=["date", "category"], name="complaint_date_category_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0), name="complaint_cost_not_negative"),
            # Its index serves the import's look-up of a file's references (importer._stored).
            models.UniqueConstraint(
                fields=["customer", "reference"], condition=~Q(reference=""), name="complaint_reference_once_per_customer"
            ),
            # The invariant only: the import finds stored content by date (complaint_date_category_idx).
            models.UniqueConstraint(
                fields=["customer", "fingerprint", "occurrence"], name="complaint_content_once_per_customer"
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.category}"


class ComplaintImport(ImportUpload):
    """One uploaded file of complaint records (portal.models.ImportUpload, run by portal.lib.imports)."""

    created = models.PositiveIntegerField(_("complaints added"), default=0)
    skipped = models.PositiveIntegerField(_("already there, skipped"), default=0)

    class Meta(ImportUpload.Meta):
        verbose_name = _("complaint import")
        verbose_name_plural = _("complaint imports")

    def get_absolute_url(self):
        return reverse("improvements:import_status", kwargs={"pk": self.pk})

    def result_facts(self):
        """What an import saved, as (label, count) for the upload page."""
        return [(_("Complaints added"), self.created), (_("Already there, skipped"), self.skipped)]


class Idea(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PILOTING = "piloting", _("Piloting")
        ADOPTED = "adopted", _("Adopted")
        DROPPED = "dropped", _("Dropped")

    # The lifecycle; anything else is refused by idea_transition().
    TRANSITIONS = {
        Status.OPEN: {Status.PILOTING, Status.DROPPED},
        Status.PILOTING: {Status.ADOPTED, Status.DROPPED},
        Status.ADOPTED: set(),
        Status.DROPPED: set(),
    }

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(
        _("complaint category"), max_length=100, blank=True, help_text=_("The complaint pattern it answers.")
    )
    problem = models.TextField(_("problem"), help_text=_("What customers run into. Markdown."))
    problem_html = models.TextField(editable=False, blank=True)
    proposal = models.TextField(_("proposal"), help_text=_("What we could change. Markdown."))
    proposal_html = models.TextField(editable=False, blank=True)
    customers = models.ManyToManyField(
        "customers.Customer", verbose_name=_("affected customers"), related_name="improvement_ideas", blank=True
    )
    estimated_cost = models.DecimalField(_("estimated cost"), null=True, blank=True, **MONEY)
    estimated_benefit = models.DecimalField(
        _("estimated benefit"), null=True, blank=True, help_text=_("A year's saving or value."), **MONEY
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), related_name="+", on_delete=models.PROTECT
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("adopted or dropped"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("improvement idea")
        verbose_name_plural = _("improvement ideas")
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_cost__isnull=True) | Q(estimated_cost__gte=0), name="idea_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(estimated_benefit__isnull=True) | Q(estimated_benefit__gte=0),
                name="idea_benefit_not_negative",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        from portal.lib.markdown import render_markdown

        self.problem_html = render_markdown(self.problem)
        self.proposal_html = render_markdown(self.proposal)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("improvements:idea", kwargs={"pk": self.pk})

    @property
    def pilot_owner_id(self):
        """The pilot's owner (the "pilot_owner" relation in portal.permissions); selectors load the pilot."""
        pilot = getattr(self, "pilot", None) if self.status != self.Status.OPEN else None
        return pilot.owner_id if pilot else None

    # What an edit changes, so what two people editing at once could overwrite (portal.lib.conflicts).
    EDITED_FIELDS = ("title", "category", "problem", "proposal", "estimated_cost", "estimated_benefit", "customers")

    def may_become(self, status):
        return status in self.TRANSITIONS[self.Status(self.status)]


class IdeaMember(models.Model):
    """A person, or a whole team, who joined an idea to help."""

    idea = models.ForeignKey(Idea, related_name="members", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE, null=True, blank=True)
    team = models.ForeignKey("portal.Team", related_name="+", on_delete=models.CASCADE, null=True, blank=True)
    joined_by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("idea member")
        verbose_name_plural = _("idea members")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True) | Q(user__isnull=True, team__isnull=False),
                name="idea_member_person_or_team",
            ),
            models.UniqueConstraint(fields=["idea", "user"], name="idea_member_once_per_person"),
            models.UniqueConstraint(fields=["idea", "team"], name="idea_member_once_per_team"),
        ]
        indexes = [
            # The digest: the ideas a batch of people (or their teams) joined.
            models.Index(fields=["user", "idea"], name="idea_member_user_idx"),
        ]

    def __str__(self):
        return str(self.user or self.team)


class Pilot(models.Model):
    """An idea tried out: who owns it, when, what is measured, and (once recorded) what it did."""

    class Effect(models.TextChoices):
        FEWER = "fewer", _("Fewer complaints")
        SAME = "same", _("No clear change")
        MORE = "more", _("More complaints")

    idea = models.OneToOneField(
        Idea, verbose_name=_("improvement idea"), related_name="pilot", on_delete=models.CASCADE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("pilot", "owner"), related_name="+", on_delete=models.PROTECT
    )
    starts_on = models.DateField(_("starts"), validators=[validate_date_range])
    ends_on = models.DateField(_("ends"), validators=[validate_date_range])
    measure = models.CharField(_("measure"), max_length=300, help_text=_("How we will know it worked."))
    actual_cost = models.DecimalField(_("cost"), null=True, blank=True, **MONEY)
    saving = models.DecimalField(_("saving"), null=True, blank=True, **MONEY)
    effect = models.CharField(_("effect on the pattern"), max_length=10, choices=Effect.choices, blank=True)
    result = models.TextField(_("result"), blank=True)
    # The pattern's complaints during the pilot and in as many days just before it, kept when the result is recorded.
    complaints_before = models.PositiveIntegerField(_("complaints before"), null=True, blank=True)
    complaints_during = models.PositiveIntegerField(_("complaints during"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("result recorded"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="pilot_ends_after_start"),
            models.CheckConstraint(condition=Q(actual_cost__isnull=True) | Q(actual_cost__gte=0), name="pilot_cost_not_negative"),
        ]

    def __str__(self):
        return str(self.idea)

    def started_by(self, moment=None):
        """Its result can be recorded (and the idea adopted) from the day it starts, in the reader's time zone."""
        return timezone.localdate(moment or timezone.now()) >= self.starts_on

    @property
    def has_started(self):
        return self.started_by()


class IdeaEvent(models.Model):
    """Append-only history of an idea: who did what, when."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("opened the idea")
        EDITED = "edited", _("edited the idea")
        JOINED = "joined", _("joined")
        LEFT = "left", _("left")
        TEAM_JOINED = "team_joined", _("added a team")
        TEAM_LEFT = "team_left", _("removed a team")
        PILOTING = "piloting", _("started a pilot")
        RESULT = "result", _("recorded the pilot's result")
        ADOPTED = "adopted", _("adopted it")
        DROPPED = "dropped", _("dropped it")

    STATE_CHANGES = (Kind.PILOTING, Kind.RESULT, Kind.ADOPTED, Kind.DROPPED)

    idea = models.ForeignKey(
        Idea, verbose_name=_("improvement idea"), related_name="events", on_delete=models.CASCADE
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), related_name="+", on_delete=models.SET_NULL, null=True
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("idea event")
        verbose_name_plural = _("idea history")
        indexes = [
            # The digest: state changes since a date.
            models.Index(fields=["at", "kind"], name="idea_event_at_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {shown(self.at, 'day_time')}"

    @property
    def shown_detail(self):
        return shown_event_detail(self.kind, self.detail)


def shown_event_detail(kind, detail):
    """An event's detail as the reader's language says it: a pilot's result is kept as its effect's code
    ("fewer") and named at display ("Fewer complaints", "شكاوى أقل"); other details are what people wrote."""
    if kind == IdeaEvent.Kind.RESULT and detail in Pilot.Effect.values:
        return Pilot.Effect(detail).label
    return detail
