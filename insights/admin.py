from django.contrib import admin

from .models import PulseDelivery, PulseFigure, PulseIssue


@admin.register(PulseFigure)
class PulseFigureAdmin(admin.ModelAdmin):
    list_display = ["month", "customer", "products_returned", "customers_credited", "legal_threats", "customers_saved",
                    "recorded_by", "updated_at"]
    list_filter = ["month"]
    autocomplete_fields = ["customer"]
    raw_id_fields = ["recorded_by"]
    search_fields = ["customer__name"]


@admin.register(PulseIssue)
class PulseIssueAdmin(admin.ModelAdmin):
    list_display = ["month", "published_at", "published_by"]
    raw_id_fields = ["published_by"]


@admin.register(PulseDelivery)
class PulseDeliveryAdmin(admin.ModelAdmin):
    list_display = ["issue", "user", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "issue"]
    raw_id_fields = ["user"]
    search_fields = ["user__email", "user__name"]
