"""Admins only: Django lets in is_staff people, which is the permission matrix's "admin.site" rule
(portal/permissions.py). State changes (publishing, deciding, seats) go through the services, which
check the matrix themselves; the admin edits text and fixes data."""

from django.contrib import admin

from .models import CalendarFeed, Debrief, DebriefReaction, Meeting, Seat


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 0
    fields = ["user", "status", "created_at"]
    raw_id_fields = ["user"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "customer", "kind", "host", "starts_at", "seats", "status", "sequence"]
    list_filter = ["status", "kind"]
    list_select_related = ["customer", "host"]
    search_fields = ["title", "customer__name"]
    raw_id_fields = ["customer", "host"]
    date_hierarchy = "starts_at"
    inlines = [SeatInline]


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["meeting", "user", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["meeting", "user"]
    raw_id_fields = ["meeting", "user"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    exclude = ["token"]


@admin.register(Debrief)
class DebriefAdmin(admin.ModelAdmin):
    list_display = ["seat", "created_at", "story_id"]
    list_select_related = ["seat__user", "seat__meeting"]
    raw_id_fields = ["seat"]


@admin.register(DebriefReaction)
class DebriefReactionAdmin(admin.ModelAdmin):
    list_display = ["debrief", "user", "created_at"]
    raw_id_fields = ["debrief", "user"]
