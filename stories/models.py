from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.functional import cached_property
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.dates import shown
from portal.permissions import can

BODY_MAX_CHARS = 100_000
COMMENT_MAX_CHARS = 10_000


def can_publish(user):
    """Leaders and admins publish stories (and review what hosts submit)."""
    return can(user, "story.publish")


def can_write_stories(user):
    """Leaders write stories; customer-facing hosts submit them from the field."""
    return can(user, "story.write")


class Theme(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.name


class Story(models.Model):
    """A story about one named customer. Who may read it (`visibility`) and how it names the customer
    (`naming`) are enforced by one funnel, stories.selectors.readable_by(user) / `is_visible_to(user)`,
    and every page shows the customer as `customer_label` (the description, for an anonymised story)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        PUBLISHED = "published", _("Published")

    class Visibility(models.TextChoices):
        EVERYONE = "everyone", _("Everyone in the company")
        LEADERS = "leaders", _("Leaders only")
        TEAMS = "teams", _("Only the teams chosen")

    class Naming(models.TextChoices):
        CONSENTED = "consented", _("Named, with the customer's consent")
        INTERNAL = "internal", _("Named inside the company only")
        ANONYMISED = "anonymised", _("Anonymised")

    class ConsentMethod(models.TextChoices):
        EMAIL = "email", _("By email")
        CALL = "call", _("On a call")
        CONTRACT = "contract", _("A clause in their contract")

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), related_name="stories", on_delete=models.PROTECT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), related_name="stories", on_delete=models.PROTECT
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, allow_unicode=True)
    body = models.TextField(_("the story"), help_text=_("Markdown."))
    body_html = models.TextField(editable=False, blank=True)
    # The opening words of the body as plain text, for cards and panels (portal.lib.markdown.plain_excerpt).
    excerpt = models.TextField(editable=False, blank=True)
    bought = models.TextField(_("what they bought"), blank=True)
    impact = models.TextField(_("how it changed their business or life"), blank=True, help_text=_("Markdown."))
    impact_html = models.TextField(editable=False, blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="stories", blank=True)
    teams = models.ManyToManyField(
        "portal.Team", verbose_name=_("teams it matters most to"), related_name="stories", blank=True
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(
        _("who may read it"), max_length=10, choices=Visibility.choices, default=Visibility.EVERYONE,
        db_default=Visibility.EVERYONE,
    )
    audience = models.ManyToManyField(
        "portal.Team", verbose_name=_("teams who may read it"), related_name="restricted_stories", blank=True,
        help_text=_("Only when it is shown to chosen teams; leaders and admins read every story."),
    )
    # The database defaults serve rows written in SQL (bench/generate.py): company-wide, named internally.
    naming = models.CharField(
        _("naming"), max_length=10, choices=Naming.choices, default=Naming.INTERNAL, db_default=Naming.INTERNAL
    )
    # What an anonymised story calls its customer, everywhere: generated from the customer's profile
    # (Customer.anonymous_description) when left empty, editable.
    anonymised_as = models.CharField(_("the customer, anonymised"), max_length=200, blank=True, default="", db_default="")
    consent_method = models.CharField(
        _("how they agreed"), max_length=10, choices=ConsentMethod.choices, blank=True, default="", db_default=""
    )
    consent_note = models.CharField(_("about their consent"), max_length=500, blank=True, default="", db_default="")
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("consent recorded by"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True, editable=False,
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # The language it is written in: chooses how its words are matched (stories.search). The author's
    # language unless they say otherwise.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # Weighted tsvector (title A, customer and author names B, body C, the rest D) in the story's
    # language, kept up to date by the services (stories.search.index). Used on PostgreSQL only; on
    # SQLite the column exists and stays empty (FTS5's stories_search table does its work).
    search_vector = SearchVectorField(null=True, editable=False)
    # The ids of the stories whose titles read most like this one's (up to stories.related.NEIGHBOURS),
    # found when the story is saved (stories.related.refresh): "Stories like this" reads them, and the
    # stories that list this one, instead of searching every title on every page. Null until then.
    text_neighbour_ids = models.JSONField(null=True, blank=True, editable=False)
    # Kept by the services in the same transaction as the rows they count (an F() update, which leaves
    # updated_at and so every cached fragment of the story alone): pages read them with the story.
    reaction_count = models.PositiveIntegerField(default=0, editable=False)
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    read_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        indexes = [
            # The feed: published stories newest first, keyset-paginated on (published_at, id); and
            # the count of stories submitted for review (selectors.submitted_count).
            models.Index(fields=["status", "-published_at", "-id"], name="story_feed_idx"),
            # The customer page's stories section and the feed's customer filter.
            models.Index(fields=["customer", "status", "-published_at"], name="story_customer_idx"),
            # The scorecard's "customers the team read about": reads in a quarter joined to their stories'
            # customers answer from this index alone (the table itself is wide with bodies and vectors).
            models.Index(fields=["id", "customer"], name="story_id_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="story_published_has_date",
            ),
            # Named with consent means someone recorded how the customer agreed.
            models.CheckConstraint(
                condition=~models.Q(naming="consented") | ~models.Q(consent_method=""),
                name="story_consent_has_method",
            ),
            # An anonymised story always has a description to show in the customer's place.
            models.CheckConstraint(
                condition=~models.Q(naming="anonymised") | ~models.Q(anonymised_as=""),
                name="story_anonymised_has_description",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("stories:detail", kwargs={"pk": self.pk, "slug": self.slug})

    def get_present_url(self):
        return reverse("stories:present", kwargs={"pk": self.pk, "slug": self.slug})

    # What an edit changes, so what two people editing at once could overwrite (portal.lib.conflicts).
    EDITED_LISTS = ("themes", "teams", "audience")
    EDITED_FIELDS = ("customer_id", "title", "body", "bought", "impact", "anonymised_as", *EDITED_LISTS)

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_anonymised(self):
        return self.naming == self.Naming.ANONYMISED

    @property
    def is_restricted(self):
        return self.visibility != self.Visibility.EVERYONE

    @property
    def customer_label(self):
        """The customer as every reading surface shows it (feed, search, pages, panels, digest, Atom,
        presentation): its name, or for an anonymised story the description, for every reader alike."""
        return self.anonymised_as if self.is_anonymised else self.customer.name

    def customer_label_for(self, user):
        """The customer's name for those who may edit the story (the form, the manage box, the review
        queue: they must know whom it is about), else `customer_label`."""
        if self.is_anonymised and not self.can_edit(user):
            return self.anonymised_as
        return self.customer.name

    @cached_property
    def audience_team_ids(self):
        """The ids of the teams a story shown to chosen teams is for (a query unless set by a selector:
        selectors.story_page_for_reader sets only the reader's own team, when it is one of them)."""
        if self.visibility != self.Visibility.TEAMS:
            return frozenset()
        return frozenset(self.audience.values_list("pk", flat=True))

    def is_visible_to(self, user):
        """The row form of selectors.readable_by(user): the same rule, for one story."""
        if not self.is_published:
            return can(user, "story.read_draft", self) and self.is_readable_restricted(user)
        return can(user, "story.view") and self.is_readable_restricted(user)

    def is_readable_restricted(self, user):
        """Past who may read it at all: leaders only, or chosen teams (portal.permissions
        "story.read_restricted")."""
        return not self.is_restricted or can(user, "story.read_restricted", self)

    def can_edit(self, user):
        """Leaders and admins edit any story; a host edits their own until it is published."""
        return can(user, "story.edit", self)


class StoryEvent(models.Model):
    """Append-only history of a story's status changes."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        EDITED = "edited", _("edited")
        SUBMITTED = "submitted", _("submitted for review")
        PUBLISHED = "published", _("published")
        UNPUBLISHED = "unpublished", _("unpublished")
        CONSENT = "consent", _("recorded the customer's consent")

    story = models.ForeignKey(Story, verbose_name=_("story"), related_name="events", on_delete=models.CASCADE)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), related_name="+", on_delete=models.SET_NULL, null=True
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("story event")
        verbose_name_plural = _("story events")

    def __str__(self):
        return f"{self.get_action_display()} · {shown(self.at, 'day_time')}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        MOVED = "moved", _("This moved me")
        CHANGES_WORK = "changes_work", _("Changes how I work")
        GREAT_NEWS = "great_news", _("Great news")
        WORTH_SHARING = "worth_sharing", _("Worth sharing")

    story = models.ForeignKey(
        Story, verbose_name=_("story"), related_name="reactions", on_delete=models.CASCADE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), related_name="story_reactions", on_delete=models.CASCADE
    )
    kind = models.CharField(_("reaction"), max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [models.UniqueConstraint(fields=["story", "user", "kind"], name="reaction_once_per_kind")]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()}"


class Comment(models.Model):
    story = models.ForeignKey(
        Story, verbose_name=_("story"), related_name="comments", on_delete=models.CASCADE
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), related_name="story_comments", on_delete=models.CASCADE
    )
    body = models.TextField(_("comment"), help_text=_("Markdown."))
    body_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            # The story page lists a story's comments oldest first.
            models.Index(fields=["story", "created_at"], name="comment_story_idx"),
        ]

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"

    @property
    def is_edited(self):
        """Saved again after it was written (to the second: the first save sets both)."""
        return int(self.updated_at.timestamp()) != int(self.created_at.timestamp())

    def can_edit(self, user):
        return can(user, "comment.edit", self)

    def can_delete(self, user):
        return can(user, "comment.delete", self)


class Read(models.Model):
    """Someone opened the story. One row per person and story."""

    story = models.ForeignKey(Story, verbose_name=_("story"), related_name="reads", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), related_name="story_reads", on_delete=models.CASCADE
    )
    read_at = models.DateTimeField(_("read at"), default=timezone.now)
    # The story's customer, kept beside the read so that the scorecard's "customers touched" counts a
    # quarter's reads from read_at_idx alone, without joining every story (100,000 stories: 120 → 45 ms).
    # stories.services moves it with the story's customer. DO_NOTHING: a customer with stories cannot be
    # deleted (Story.customer is PROTECT) and one without has no reads, so the database constraint
    # suffices and deleting a customer never scans the reads.
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), related_name="+",
        on_delete=models.DO_NOTHING, db_index=False
    )

    class Meta:
        verbose_name = _("read")
        verbose_name_plural = _("reads")
        constraints = [models.UniqueConstraint(fields=["story", "user"], name="read_once")]
        indexes = [
            # "Stories this person (or their team) has not read": home panel, give-me-one.
            models.Index(fields=["user", "story"], name="read_user_idx"),
            # The scorecard: reads per team and the named customers they touch, in a quarter's
            # read_at range (insights.selectors.scorecard); user, story and customer ride along, index-only.
            models.Index(fields=["read_at"], include=["user", "story", "customer"], name="read_at_idx"),
        ]

    def __str__(self):
        return _("%(person)s read it %(when)s") % {"person": self.user, "when": shown(self.read_at, "day_time")}
