from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Delivery, NotificationPreferences


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Every digest and reminder: what went out, what is stuck, what failed and why."""

    list_display = ["user", "kind", "period", "status", "attempts", "sent_at", "claimed_at", "short_error"]
    list_filter = ["status", "kind", "period"]
    search_fields = ["user__email", "user__name", "period"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "kind",
        "period",
        "attempts",
        "claimed_at",
        "sent_at",
        "last_error",
        "created_at",
    ]
    date_hierarchy = "created_at"
    actions = ["retry"]

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("Send again at the next run (failed or stuck deliveries)"))
    def retry(self, request, queryset):
        changed = queryset.filter(status__in=[Delivery.Status.FAILED, Delivery.Status.SENDING]).update(
            status=Delivery.Status.PENDING, claimed_at=None
        )
        self.message_user(request, gettext("%(count)s deliveries will be sent again.") % {"count": changed})


@admin.register(NotificationPreferences)
class NotificationPreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "digest_enabled", "digest_weekday", "digest_hour", "version", "updated_at"]
    list_filter = ["digest_enabled", "digest_weekday"]
    search_fields = ["user__email", "user__name"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["version"]
