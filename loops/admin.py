from django.contrib import admin

from .models import Note, Rhythm, RhythmTargets, Touch


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["at", "customer", "kind", "author", "route", "status"]
    list_filter = ["kind", "status", "route", "visibility"]
    search_fields = ["text", "customer__name"]
    raw_id_fields = ["customer", "author", "contact", "route_user", "route_team", "responded_by"]
    list_select_related = ["customer", "author"]


@admin.register(RhythmTargets)
class RhythmTargetsAdmin(admin.ModelAdmin):
    """The company-wide weekly targets: one row."""

    list_display = ["emails", "cards", "calls", "updated_at"]

    def has_add_permission(self, request):
        return not RhythmTargets.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rhythm)
class RhythmAdmin(admin.ModelAdmin):
    list_display = ["user", "started_at"]
    raw_id_fields = ["user"]


@admin.register(Touch)
class TouchAdmin(admin.ModelAdmin):
    list_display = ["at", "owner", "customer", "contact", "kind"]
    list_filter = ["kind"]
    raw_id_fields = ["owner", "customer", "contact"]
    list_select_related = ["owner", "customer", "contact"]
