"""Admins only: Django lets in is_staff people, which is the permission matrix's "admin.site" rule
(portal/permissions.py). State changes (publishing, deciding, seats) go through the services, which
check the matrix themselves; the admin edits text and fixes data."""

from functools import cached_property

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Func, Q, TextField, Value
from django.utils.text import smart_split, unescape_string_literal

from customers.models import Customer

from . import search
from .models import Comment, Reaction, Read, Story, StoryEvent, Theme


class PageByIds(Paginator):
    """Django's Paginator slices the changelist's queryset, so page p is one query with OFFSET
    (p - 1) × 100 over the whole join: PostgreSQL joins every row it skips (the reads' page 9,000 joined
    899,900 reads to their stories and people: 3–7 s). This one finds the page's ids first, from the
    ordering's index alone (`-id`: the primary key, 80 ms at that depth), then loads those rows with their
    joins; and it counts ids, not the distinct rows a filter on themes or teams would compare whole."""

    @cached_property
    def count(self):
        return self.object_list.values("pk").count()

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


class PickerPages(PageByIds):
    """The pages of a picker (the admin's autocomplete, e.g. the impact checks' stories): it shows 20 and
    asks only whether there are more, so it counts no further than the first COUNT_UP_TO. A one- or
    two-letter term (no trigram for the index to look up) matches most titles, and counting them all
    folded every title: 0.4 s a keystroke."""

    COUNT_UP_TO = 1000

    @cached_property
    def count(self):
        return self.object_list.values("pk")[: self.COUNT_UP_TO].count()


class ListedColumnsOnly:
    """A changelist's page loads only `list_columns` (and list_select_related's joins), not every column
    of every joined row: a story is wide (body, body_html, excerpt, impact, search vector), and the
    lists of reads, reactions, comments and events show only its title. The change form and actions
    still get whole rows. Ordered by `-id`, which the primary key serves; `show_full_result_count` off,
    so a search or a filter costs one count, not two."""

    list_columns = ()
    ordering = ["-id"]
    paginator = PageByIds
    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        columns = self.list_columns

        class ListedColumnsChangeList(ChangeList):
            def get_results(self, request):
                self.queryset = self.queryset.only(*columns)
                super().get_results(request)

        return ListedColumnsChangeList


class Folded(Func):
    """`lifeline_fold(text)` (migration 0011, PostgreSQL): lower case, without accents or vowel marks.
    The story title's trigram index (story_title_trgm) is on lifeline_fold(title), so a LIKE on that
    expression can use it; Django's icontains (UPPER(title) LIKE …) cannot."""

    function = "lifeline_fold"
    output_field = TextField()


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class StoryEventInline(admin.TabularInline):
    model = StoryEvent
    extra = 0
    readonly_fields = ["actor", "action", "at"]
    can_delete = False


@admin.register(Story)
class StoryAdmin(ListedColumnsOnly, admin.ModelAdmin):
    list_display = ["title", "customer", "author", "status", "visibility", "naming", "published_at"]
    list_columns = [
        "title", "status", "visibility", "naming", "published_at", "customer__name", "author__name",
        "author__email",
    ]
    list_filter = ["status", "visibility", "naming", "themes", "teams"]
    # Title and customer only: the body is the site's search (stories.search), and a LIKE over 100,000
    # bodies took 1.5 s for every search here and every keystroke of the impact checks' story picker.
    search_fields = ["title", "customer__name"]
    list_select_related = ["customer", "author"]
    raw_id_fields = ["customer", "author"]
    filter_horizontal = ["themes", "teams", "audience"]
    # Naming and consent change through the site's form (its services check a customer's wish not to
    # be named and record who recorded a consent); the admin shows them.
    readonly_fields = [
        "created_at", "updated_at", "published_at", "status", "naming", "anonymised_as", "consent_method",
        "consent_note", "consent_recorded_by", "consent_recorded_at",
    ]
    inlines = [StoryEventInline]

    def get_readonly_fields(self, request, obj=None):
        # A story's customer changes through the site's form: its services check the customer's wish
        # not to be named and move the story's reads with it (Read.customer).
        return [*self.readonly_fields, "customer"] if obj is not None else self.readonly_fields

    def get_search_results(self, request, queryset, search_term):
        """As Django's (every word, in the title or the customer's name), matched on PostgreSQL through
        lifeline_fold, so that the title's trigram index serves it and accents are ignored as on the
        site. SQLite (the embedded default) keeps Django's icontains."""
        if connections[queryset.db].vendor != "postgresql":
            return super().get_search_results(request, queryset, search_term)
        queryset = queryset.alias(folded_title=Folded("title"))
        customers = Customer.objects.alias(folded_name=Folded("name"))
        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            term = Folded(Value(bit))
            # The customers' ids as a list, not a subquery: "customer_id IN (…)" ORed with the title's
            # LIKE lets PostgreSQL combine both indexes; a subquery there made it read every story.
            matching = customers.filter(folded_name__contains=term).order_by()
            customer_ids = list(matching.values_list("pk", flat=True))
            queryset = queryset.filter(Q(folded_title__contains=term) | Q(customer__in=customer_ids))
        return queryset, False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        if request.resolver_match and request.resolver_match.view_name == "admin:autocomplete":
            return PickerPages(queryset, per_page, orphans, allow_empty_first_page)
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)

    def save_model(self, request, obj, form, change):
        from portal.lib.markdown import render_markdown

        # The admin edits text only; status changes go through the site's services.
        obj.body_html, obj.impact_html = render_markdown(obj.body), render_markdown(obj.impact)
        super().save_model(request, obj, form, change)
        search.index(Story.objects.filter(pk=obj.pk))  # what the admin changed is what search finds


@admin.register(Reaction)
class ReactionAdmin(ListedColumnsOnly, admin.ModelAdmin):
    list_display = ["story", "user", "kind", "created_at"]
    list_columns = ["kind", "created_at", "story__title", "user__name", "user__email"]
    list_select_related = ["story", "user"]
    list_filter = ["kind"]
    raw_id_fields = ["story", "user"]


@admin.register(Comment)
class CommentAdmin(ListedColumnsOnly, admin.ModelAdmin):
    list_display = ["story", "author", "created_at"]
    # body: its __str__, which each row's checkbox label shows
    list_columns = ["body", "created_at", "story__title", "author__name", "author__email"]
    list_select_related = ["story", "author"]
    raw_id_fields = ["story", "author"]
    search_fields = ["body"]

    def save_model(self, request, obj, form, change):
        from portal.lib.markdown import render_markdown

        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)


@admin.register(Read)
class ReadAdmin(ListedColumnsOnly, admin.ModelAdmin):
    list_display = ["story", "user", "read_at"]
    list_columns = ["read_at", "story__title", "user__name", "user__email"]
    list_select_related = ["story", "user"]
    raw_id_fields = ["story", "user"]
    # The story's customer, kept beside the read by the services (Read.customer): set from the story.
    readonly_fields = ["customer"]

    def save_model(self, request, obj, form, change):
        obj.customer_id = obj.story.customer_id
        super().save_model(request, obj, form, change)


@admin.register(StoryEvent)
class StoryEventAdmin(ListedColumnsOnly, admin.ModelAdmin):
    list_display = ["story", "action", "actor", "at"]
    list_columns = ["action", "at", "story__title", "actor__name", "actor__email"]
    list_select_related = ["story", "actor"]  # actor is nullable: Django's default joins only non-null ones
    list_filter = ["action"]
    raw_id_fields = ["story", "actor"]
