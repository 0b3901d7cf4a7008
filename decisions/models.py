import datetime
import functools
from collections import Counter

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import get_language, ngettext

from portal.lib.dates import shown, validate_date_range
from portal.lib.markdown import render_markdown
from portal.lib.text import join_list
from portal.permissions import can


class Decision(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        DECIDED = "decided", _("Decided")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Handling(models.TextChoices):
        MITIGATED = "mitigated", _("Mitigated: we changed the decision to reduce the harm")
        ACCEPTED = "accepted", _("Accepted: we go ahead knowingly, for the reasons given")

    # The lifecycle. Anything not listed here is refused by decision_transition().
    TRANSITIONS = {
        Status.DRAFT: {Status.IN_REVIEW, Status.WITHDRAWN},
        Status.IN_REVIEW: {Status.DECIDED, Status.REJECTED, Status.WITHDRAWN},
        Status.DECIDED: {Status.IN_REVIEW},  # reopened for revisiting
        Status.REJECTED: set(),
        Status.WITHDRAWN: set(),
    }
    OPEN_STATUSES = (Status.DRAFT, Status.IN_REVIEW)
    CLOSED_STATUSES = (Status.DECIDED, Status.REJECTED, Status.WITHDRAWN)

    title = models.CharField(_("title"), max_length=200)
    team = models.ForeignKey(
        "portal.Team", verbose_name=_("owning team"), related_name="decisions", on_delete=models.PROTECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), related_name="owned_decisions", on_delete=models.PROTECT
    )
    context = models.TextField(_("context"), help_text=_("What is going on, and why a decision is needed."))
    proposal = models.TextField(_("proposal"), help_text=_("What you propose to do. Markdown."))
    proposal_html = models.TextField(editable=False, blank=True)
    decide_by = models.DateField(
        _("decide by"), help_text=_("The date it must be decided by."), validators=[validate_date_range]
    )
    customers = models.ManyToManyField(
        "customers.Customer", verbose_name=_("customers it may touch"), related_name="decisions", blank=True
    )
    links = models.TextField(_("links"), blank=True, help_text=_("One web address (http or https) per line."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    outcome = models.TextField(_("what was decided"), blank=True, help_text=_("Markdown."))
    outcome_html = models.TextField(editable=False, blank=True)
    impact_handling = models.CharField(
        _("how the customer impact was handled"), max_length=10, choices=Handling.choices, blank=True
    )
    impact_response = models.TextField(
        _("answer to the customer impact"),
        blank=True,
        help_text=_("How the outcome answers the reviews: the mitigation, or why the harm is accepted. Markdown."),
    )
    impact_response_html = models.TextField(editable=False, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [
            # The decision log, newest first, optionally filtered by status.
            models.Index(fields=["status", "-created_at", "-id"], name="decision_status_created_idx"),
            # The decision log filtered by team.
            models.Index(fields=["team", "-created_at", "-id"], name="decision_team_created_idx"),
            # The unfiltered decision log (selectors.decision_list), newest first: an index scan that stops
            # after one page instead of sorting every decision (36 ms -> 0.4 ms at 20,000; bench/README.md).
            models.Index(fields=["-created_at", "-id"], name="decision_created_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.proposal_html = render_markdown(self.proposal)
        self.outcome_html = render_markdown(self.outcome)
        self.impact_response_html = render_markdown(self.impact_response)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {f"{name}_html" for name in ("proposal", "outcome", "impact_response") if name in update_fields}
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("decisions:detail", kwargs={"pk": self.pk})

    def can_edit(self, user):
        """Owner, the owning team's leaders and admins edit and move the decision along."""
        return can(user, "decision.manage", self)

    # What an edit changes, so what two people editing at once could overwrite (portal.lib.conflicts).
    EDITED_FIELDS = ("title", "team_id", "owner_id", "context", "proposal", "decide_by", "links", "customers")

    def is_open(self):
        return self.status in self.OPEN_STATUSES

    def accepts_reviews(self):
        return self.is_open()

    def allowed_transitions(self):
        return sorted(self.TRANSITIONS[self.Status(self.status)])

    def link_list(self):
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    def review_tally(self):
        """How many reviews say each (direction, severity): selectors.log_rows() sets it from one grouped
        query; otherwise it is counted from the prefetched reviews (no query of its own)."""
        tally = self.__dict__.get("_review_tally")
        if tally is None:
            tally = Counter((r.direction, r.severity) for r in self.reviews.all())
        return tally

    def impact_summary(self):
        """"2 reviews: 1 hurts (high), 1 neutral"."""
        return _impact_summary(get_language(), frozenset(self.review_tally().items()))

    def has_serious_harm(self):
        """Does any review say it hurts customers with high severity?"""
        return bool(self.review_tally().get((ImpactReview.Direction.HURTS, ImpactReview.Severity.HIGH)))


@functools.lru_cache(maxsize=2048)
def _impact_summary(language, tally):
    """Decision.impact_summary(): a pure function of the active language and the tally, so a log page
    of 25 decisions translates each distinct summary once, not 25 times over."""
    if not tally:
        return _("No impact reviews yet")
    order = {d: i for i, d in enumerate(ImpactReview.Direction.values)}
    sev_order = {s: i for i, s in enumerate(reversed(ImpactReview.Severity.values))}
    directions, severities = dict(ImpactReview.Direction.choices), dict(ImpactReview.Severity.choices)
    parts = []
    for (direction, severity), n in sorted(tally, key=lambda item: (order.get(item[0][0], 9), sev_order.get(item[0][1], 9))):
        label = directions[direction]
        if severity:
            parts.append(
                _("%(count)s %(direction)s (%(severity)s)")
                % {"count": n, "direction": label, "severity": severities[severity]}
            )
        else:
            parts.append(_("%(count)s %(direction)s") % {"count": n, "direction": label})
    total = sum(n for _key, n in tally)
    head = ngettext("%(count)s review", "%(count)s reviews", total) % {"count": total}
    return _("%(head)s: %(parts)s") % {"head": head, "parts": join_list(parts)}


class ReviewRequest(models.Model):
    """Someone asked to review a decision. One per (decision, person); `reviewed_at` is filled by their review."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), related_name="review_requests", on_delete=models.CASCADE
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), related_name="decision_review_requests",
        on_delete=models.CASCADE,
    )
    via_team = models.ForeignKey(
        "portal.Team", verbose_name=_("asked through team"), related_name="+", on_delete=models.SET_NULL,
        null=True, blank=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True
    )
    due_date = models.DateField(_("due date"), validators=[validate_date_range])
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        constraints = [models.UniqueConstraint(fields=["decision", "reviewer"], name="review_request_once")]
        indexes = [
            # "Awaiting my review": a person's open requests, soonest due first.
            models.Index(fields=["reviewer", "reviewed_at", "due_date"], name="review_request_awaiting_idx"),
        ]

    def __str__(self):
        return f"{self.reviewer} → {self.decision}"

    def is_overdue(self):
        return self.reviewed_at is None and self.due_date < timezone.localdate()


class ImpactReview(models.Model):
    """The answer to "How will this affect our customers?" from one reviewer."""

    class Direction(models.TextChoices):
        HURTS = "hurts", _("hurts")
        UNSURE = "unsure", _("unsure")
        NEUTRAL = "neutral", _("neutral")
        HELPS = "helps", _("helps")

    class Severity(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")

    class Affected(models.TextChoices):
        CUSTOMERS = "customers", _("Customers directly")
        CUSTOMER_FACING_STAFF = "customer_facing_staff", _("Customer-facing staff")
        SUPPLIERS = "suppliers", _("Suppliers and partners who serve customers")

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), related_name="reviews", on_delete=models.CASCADE
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), related_name="impact_reviews", on_delete=models.CASCADE
    )
    answer = models.TextField(_("How will this affect our customers?"), help_text=_("In your own words. Markdown."))
    answer_html = models.TextField(editable=False, blank=True)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, blank=True)
    affects_customers = models.BooleanField(_("affects customers directly"), default=False)
    affects_customer_facing_staff = models.BooleanField(_("affects customer-facing staff"), default=False)
    affects_suppliers = models.BooleanField(_("affects suppliers and partners"), default=False)
    customers = models.ManyToManyField(
        "customers.Customer", verbose_name=_("named customers"), related_name="impact_reviews", blank=True
    )
    mitigation = models.TextField(_("what would reduce the harm"), blank=True, help_text=_("Markdown."))
    mitigation_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("filed at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("impact review")
        verbose_name_plural = _("impact reviews")
        constraints = [
            models.UniqueConstraint(fields=["decision", "author"], name="impact_review_once_per_reviewer"),
            models.CheckConstraint(
                condition=~Q(direction="") | Q(severity=""), name="impact_review_severity_needs_direction"
            ),
        ]
        indexes = [
            # Decision log filter "impact: hurts (high)".
            models.Index(fields=["direction", "severity", "decision"], name="impact_review_filter_idx"),
        ]

    def __str__(self):
        return _("%(person)s on %(decision)s") % {"person": self.author, "decision": self.decision}

    def named_customer_list(self):
        """The customers this review names: as decisions.selectors loaded them for a whole page
        (`named_customers`), else with one query."""
        named = getattr(self, "named_customers", None)
        return list(self.customers.all()) if named is None else named

    def save(self, *args, **kwargs):
        self.answer_html = render_markdown(self.answer)
        self.mitigation_html = render_markdown(self.mitigation)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {f"{name}_html" for name in ("answer", "mitigation") if name in update_fields}
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)

    def affected(self):
        """The `Affected` values this review ticks."""
        return [
            value
            for value, flag in (
                (self.Affected.CUSTOMERS, self.affects_customers),
                (self.Affected.CUSTOMER_FACING_STAFF, self.affects_customer_facing_staff),
                (self.Affected.SUPPLIERS, self.affects_suppliers),
            )
            if flag
        ]

    def affected_labels(self):
        return [self.Affected(v).label for v in self.affected()]

    def is_serious_harm(self):
        return self.direction == self.Direction.HURTS and self.severity == self.Severity.HIGH


class DecisionEvent(models.Model):
    """Append-only history: who did what to a decision, and when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("recorded the decision")
        EDITED = "edited", _("edited the decision")
        STATUS = "status", _("changed the status")
        REVIEWS_REQUESTED = "reviews_requested", _("asked for reviews")
        REVIEW_FILED = "review_filed", _("filed an impact review")
        REVIEW_EDITED = "review_edited", _("edited their impact review")
        OUTCOME = "outcome", _("recorded the outcome")
        IMPACT_CHECKED = "impact_checked", _("recorded what actually happened for customers")
        REOPENED_AFTER_CHECK = "reopened_check", _("reopened it after the impact check")

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), related_name="events", on_delete=models.CASCADE
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), related_name="+", on_delete=models.SET_NULL, null=True
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("decision event")
        verbose_name_plural = _("decision history")

    def __str__(self):
        return f"{shown(self.at, 'day_time')} · {self.actor} · {self.get_kind_display()}"

    def status_labels(self):
        """(from, to) labels of a status change."""
        d = self.details or {}
        return tuple(
            Decision.Status(d.get(key)).label if d.get(key) in Decision.Status.values else "?" for key in ("from", "to")
        )

    def describe(self):
        """A short, translated line of detail for the history list."""
        d = self.details or {}
        if self.kind == self.Kind.STATUS:
            return _("%(from)s → %(to)s") % {
                "from": Decision.Status(d.get("from")).label if d.get("from") in Decision.Status.values else "?",
                "to": Decision.Status(d.get("to")).label if d.get("to") in Decision.Status.values else "?",
            }
        if self.kind in (self.Kind.REVIEW_FILED, self.Kind.REVIEW_EDITED) and d.get("direction"):
            direction = ImpactReview.Direction(d["direction"]).label
            if d.get("severity"):
                return _("%(direction)s (%(severity)s)") % {
                    "direction": direction, "severity": ImpactReview.Severity(d["severity"]).label
                }
            return direction
        if self.kind in (self.Kind.IMPACT_CHECKED, self.Kind.REOPENED_AFTER_CHECK) and d.get("result") in ImpactCheck.Result.values:
            return ImpactCheck.Result(d["result"]).label
        if self.kind == self.Kind.REVIEWS_REQUESTED:
            return ngettext("%(count)s person asked", "%(count)s people asked", d.get("count", 0)) % {
                "count": d.get("count", 0)
            }
        if self.kind == self.Kind.EDITED and d.get("fields"):
            names = {f.name: str(f.verbose_name) for f in Decision._meta.get_fields() if hasattr(f, "verbose_name")}
            return join_list(names.get(field, field) for field in d["fields"])
        return ""


class ImpactCheck(models.Model):
    """"Did the impact we predicted happen?": made when a decision is decided, due on `due_on`, and
    recorded once by the decider, a reviewer or an admin (portal.permissions "impact_check.record").

    A decision reopened before its check was recorded loses that open check; deciding it again makes a
    new one. `evidence` keeps the figures shown when the check was recorded (decisions.evidence), so the
    decision page shows what the recorder saw without asking other apps again."""

    class Result(models.TextChoices):
        BETTER = "better", _("Better than predicted")
        AS_PREDICTED = "as_predicted", _("As predicted")
        WORSE = "worse", _("Worse than predicted")
        UNKNOWN = "unknown", _("We cannot tell")

    # Results that say something about the prediction (the scorecard's "predictions held" counts these).
    KNOWN = (Result.BETTER, Result.AS_PREDICTED, Result.WORSE)
    DEFAULT_AFTER = datetime.timedelta(days=90)
    # A check recorded up to this long after its date still counts as on time on the scorecard.
    ON_TIME_GRACE = datetime.timedelta(days=14)

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), related_name="impact_checks", on_delete=models.CASCADE
    )
    due_on = models.DateField(_("check on"), validators=[validate_date_range])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), related_name="+", on_delete=models.SET_NULL,
        null=True, blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"))
    result = models.CharField(_("what happened for customers"), max_length=12, choices=Result.choices, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    stories = models.ManyToManyField(
        "stories.Story", verbose_name=_("stories that show it"), related_name="impact_checks", blank=True
    )
    evidence = models.JSONField(_("figures at the time"), default=dict, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), related_name="+", on_delete=models.SET_NULL,
        null=True, blank=True,
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    on_time = models.BooleanField(_("recorded on time"), null=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("impact check")
        verbose_name_plural = _("impact checks")
        constraints = [
            models.UniqueConstraint(
                fields=["decision"], condition=Q(recorded_at__isnull=True), name="impact_check_one_open"
            ),
            models.CheckConstraint(
                condition=(Q(recorded_at__isnull=True) & Q(result=""))
                | (Q(recorded_at__isnull=False) & ~Q(result="")),
                name="impact_check_result_when_recorded",
            ),
        ]
        indexes = [
            # The reminders, the home panel and the log's "check due": open checks by date.
            models.Index(fields=["due_on"], condition=Q(recorded_at__isnull=True), name="impact_check_open_due_idx"),
            # The log's "impact worse than predicted" and the scorecard's results per decision.
            models.Index(fields=["result", "decision"], name="impact_check_result_idx"),
        ]

    def __str__(self):
        return f"{self.decision} · {shown(self.due_on)}"

    def is_recorded(self):
        return self.recorded_at is not None

    def is_due(self, today=None):
        return not self.is_recorded() and self.due_on <= (today or timezone.localdate())

    def is_worse(self):
        return self.result == self.Result.WORSE

    def held(self):
        """Did the prediction hold? None when the result says nothing about it."""
        if self.result not in self.KNOWN:
            return None
        return self.result == self.Result.AS_PREDICTED
