"""Admins only: Django lets in is_staff people, which is the permission matrix's "admin.site" rule
(portal/permissions.py). State changes (publishing, deciding, seats) go through the services, which
check the matrix themselves; the admin edits text and fixes data."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .forms import ShownBriefingMixin
from .models import CalendarFeed, Debrief, DebriefReaction, Meeting, Seat
from .services import seats_recount


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 0
    fields = ["user", "status", "offer_expires_at", "attendance", "created_at"]
    raw_id_fields = ["user"]


class MeetingAdminForm(ShownBriefingMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_briefing()

    def clean(self):
        """Who attends from the customer: only that customer's people (as on the host's form)."""
        cleaned = super().clean()
        customer, contacts = cleaned.get("customer"), cleaned.get("customer_contacts")
        if customer is not None and contacts is not None and contacts.exclude(customer=customer).exists():
            self.add_error("customer_contacts", _("Pick only people who work at %(customer)s.") % {"customer": customer.name})
        return cleaned


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    form = MeetingAdminForm
    list_display = ["title", "customer", "kind", "host", "starts_at", "seats", "offer_hours", "status", "sequence",
                    "attendance_marked_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["customer", "host"]
    search_fields = ["title", "customer__name"]
    raw_id_fields = ["customer", "host", "customer_contacts"]  # a customer's people, not every contact in a list
    date_hierarchy = "starts_at"
    inlines = [SeatInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        seats_recount(form.instance.pk)  # the seats inline may have changed who has a seat


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["meeting", "user", "status", "offer_expires_at", "attendance", "created_at"]
    list_filter = ["status", "attendance"]
    list_select_related = ["meeting", "user"]
    raw_id_fields = ["meeting", "user"]

    # A seat fixed here changes its meeting's seats taken (and, moved, its former meeting's).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for meeting_id in {obj.meeting_id, form.initial.get("meeting")} - {None}:
            seats_recount(meeting_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        seats_recount(obj.meeting_id)

    def delete_queryset(self, request, queryset):
        meeting_ids = set(queryset.values_list("meeting_id", flat=True))
        super().delete_queryset(request, queryset)
        for meeting_id in meeting_ids:
            seats_recount(meeting_id)


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
