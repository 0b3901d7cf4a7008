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
    autocomplete_fields = ["reviewer", "via_team"]

    def get_queryset(self, request):
        # Each row is titled by its __str__ (reviewer → decision): joined, not two queries a row.
        return super().get_queryset(request).select_related("reviewer", "decision")


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "owner", "status", "decide_by", "created_at"]
    list_filter = ["status", "team"]
    list_select_related = ["team", "owner"]
    search_fields = ["title", "context", "proposal"]
    autocomplete_fields = ["owner", "customers"]
    # Who created it is the record's, not a choice among every person (a <select> of 10,000: 900 KB).
    readonly_fields = ["created_by", "created_at", "updated_at", "decided_at"]
    inlines = [ReviewRequestInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReviewRequest)
class ReviewRequestAdmin(admin.ModelAdmin):
    list_display = ["decision", "reviewer", "via_team", "due_date", "reviewed_at", "emailed_at"]
    list_filter = ["via_team"]
    list_select_related = ["decision", "reviewer", "via_team"]
    search_fields = ["decision__title", "reviewer__name", "reviewer__email"]
    autocomplete_fields = ["decision", "reviewer", "via_team"]
    readonly_fields = ["requested_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.requested_by = request.user
        super().save_model(request, obj, form, change)


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
