"""Admins only: Django lets in is_staff people, which is the permission matrix's "admin.site" rule
(portal/permissions.py). State changes (publishing, deciding, seats) go through the services, which
check the matrix themselves; the admin edits text and fixes data."""

from django.contrib import admin

from . import search
from .models import Comment, Reaction, Read, Story, StoryEvent, Theme


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
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "customer", "author", "status", "visibility", "naming", "published_at"]
    list_filter = ["status", "visibility", "naming", "themes", "teams"]
    search_fields = ["title", "customer__name", "body"]
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

    def save_model(self, request, obj, form, change):
        from portal.lib.markdown import render_markdown

        # The admin edits text only; status changes go through the site's services.
        obj.body_html, obj.impact_html = render_markdown(obj.body), render_markdown(obj.impact)
        super().save_model(request, obj, form, change)
        search.index(Story.objects.filter(pk=obj.pk))  # what the admin changed is what search finds


@admin.register(Reaction)
class ReactionAdmin(admin.ModelAdmin):
    list_display = ["story", "user", "kind", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["story", "user"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["story", "author", "created_at"]
    raw_id_fields = ["story", "author"]
    search_fields = ["body"]

    def save_model(self, request, obj, form, change):
        from portal.lib.markdown import render_markdown

        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)


@admin.register(Read)
class ReadAdmin(admin.ModelAdmin):
    list_display = ["story", "user", "read_at"]
    raw_id_fields = ["story", "user"]


@admin.register(StoryEvent)
class StoryEventAdmin(admin.ModelAdmin):
    list_display = ["story", "action", "actor", "at"]
    list_filter = ["action"]
    raw_id_fields = ["story", "actor"]
