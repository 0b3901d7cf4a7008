"""Admins only: Django lets in is_staff people, which is the permission matrix's "admin.site" rule
(portal/permissions.py). State changes (publishing, deciding, seats) go through the services, which
check the matrix themselves; the admin edits text and fixes data."""

from django.contrib import admin

from .models import Decision, DecisionEvent, ImpactCheck, ImpactReview, ReviewRequest


class ReviewRequestInline(admin.TabularInline):
    model = ReviewRequest
    extra = 0
    fields = ["reviewer", "via_team", "due_date", "created_at", "reviewed_at", "emailed_at"]
    readonly_fields = ["created_at", "reviewed_at", "emailed_at"]
    autocomplete_fields = ["reviewer"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "owner", "status", "decide_by", "created_at"]
    list_filter = ["status", "team"]
    list_select_related = ["team", "owner"]
    search_fields = ["title", "context", "proposal"]
    autocomplete_fields = ["owner", "customers"]
    readonly_fields = ["created_at", "updated_at", "decided_at"]
    inlines = [ReviewRequestInline]


@admin.register(ReviewRequest)
class ReviewRequestAdmin(admin.ModelAdmin):
    list_display = ["decision", "reviewer", "via_team", "due_date", "reviewed_at", "emailed_at"]
    list_filter = ["via_team"]
    list_select_related = ["decision", "reviewer", "via_team"]
    search_fields = ["decision__title", "reviewer__name", "reviewer__email"]
    autocomplete_fields = ["decision", "reviewer"]


@admin.register(ImpactReview)
class ImpactReviewAdmin(admin.ModelAdmin):
    list_display = ["decision", "author", "direction", "severity", "created_at", "updated_at"]
    list_filter = ["direction", "severity"]
    list_select_related = ["decision", "author"]
    search_fields = ["decision__title", "author__name", "answer"]
    autocomplete_fields = ["decision", "author", "customers"]


@admin.register(DecisionEvent)
class DecisionEventAdmin(admin.ModelAdmin):
    """History is append-only: readable here, never edited."""

    list_display = ["at", "decision", "actor", "kind"]
    list_filter = ["kind"]
    list_select_related = ["decision", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImpactCheck)
class ImpactCheckAdmin(admin.ModelAdmin):
    """Impact checks are recorded on the site (decisions.services.impact_check_record); here they are read."""

    list_display = ["decision", "due_on", "result", "recorded_by", "recorded_at", "on_time"]
    list_filter = ["result", "on_time"]
    list_select_related = ["decision", "recorded_by"]
    search_fields = ["decision__title", "note"]
    readonly_fields = ["decision", "decided_by", "decided_at", "recorded_by", "recorded_at", "on_time", "evidence"]
    autocomplete_fields = ["stories"]
