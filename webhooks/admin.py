"""Slack and Teams channels are managed in the admin, where the portal's admins already manage people,
teams and customers; every action asks the permission matrix ("webhook.manage"). The webhook address is
write-only here: the form never shows it (only its masked hint), and it is kept encrypted."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.permissions import can

from . import services
from .models import KIND_FIELDS, Channel, Delivery, Kind


class ChannelForm(forms.ModelForm):
    webhook_url = forms.CharField(
        label=_("Incoming-webhook address"),
        required=False,
        max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "size": 80}),
        help_text=_(
            "From Slack (an incoming webhook of a Slack app) or Teams (a channel's incoming webhook or a "
            "Workflows webhook). Kept encrypted and never shown again; leave empty to keep the current one."
        ),
    )

    class Meta:
        model = Channel
        fields = [
            "name", "service", "webhook_url", "language", "enabled",
            *KIND_FIELDS.values(), "customers", "themes", "teams",
        ]

    def clean_webhook_url(self):
        url = self.cleaned_data["webhook_url"].strip()
        if not url and not self.instance.url_encrypted:
            raise ValidationError(_("Paste the channel's incoming-webhook address."))
        if url:
            services.validate_webhook_url(url)
        return url


class ManagedByMatrix:
    """Every permission of these admin pages is the matrix's "webhook.manage"."""

    def has_module_permission(self, request):
        return can(request.user, "webhook.manage")

    def has_view_permission(self, request, obj=None):
        return can(request.user, "webhook.manage")

    def has_add_permission(self, request):
        return can(request.user, "webhook.manage")

    def has_change_permission(self, request, obj=None):
        return can(request.user, "webhook.manage")

    def has_delete_permission(self, request, obj=None):
        return can(request.user, "webhook.manage")

    def has_manage_permission(self, request):
        return can(request.user, "webhook.manage")


@admin.register(Channel)
class ChannelAdmin(ManagedByMatrix, admin.ModelAdmin):
    form = ChannelForm
    list_display = ["name", "service", "url_hint", "language", "posts", "state", "failures"]
    list_filter = ["enabled", "service", "language"]
    search_fields = ["name"]
    autocomplete_fields = ["customers", "themes", "teams"]
    readonly_fields = ["url_hint", "state", "failures", "disabled_reason", "created_by", "created_at", "messages_link"]
    fieldsets = [
        (None, {"fields": ["name", "service", "webhook_url", "url_hint", "language", "enabled", "state"]}),
        (_("What to post"), {"fields": list(KIND_FIELDS.values())}),
        (_("Only about (leave empty for everything)"), {"fields": ["customers", "themes", "teams"]}),
        (_("Record"), {"fields": ["failures", "disabled_reason", "created_by", "created_at", "messages_link"]}),
    ]
    actions = ["send_test", "enable"]

    SHORT = {
        "post_stories": _("stories"), "post_reviews": _("reviews wanted"), "post_decided": _("decided"),
        "post_meetings": _("open seats"),
    }

    @admin.display(description=_("posts"))
    def posts(self, obj):
        chosen = [self.SHORT[field] for field in KIND_FIELDS.values() if getattr(obj, field)]
        if len(chosen) == len(KIND_FIELDS):
            return _("everything")
        return ", ".join(map(str, chosen)) or _("nothing")

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.enabled:
            return _("Enabled")
        if obj.disabled_at:
            return _("Disabled after repeated refusals (%(reason)s)") % {"reason": obj.disabled_reason}
        return _("Disabled")

    @admin.display(description=_("messages"))
    def messages_link(self, obj):
        url = reverse("admin:webhooks_delivery_changelist") + f"?channel__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("What was posted to this channel"))

    def changelist_view(self, request, extra_context=None):
        disabled = Channel.objects.filter(enabled=False, disabled_at__isnull=False).values_list("name", flat=True)
        for name in disabled:
            self.message_user(
                request, _("“%(name)s” was disabled after repeated refusals: check its address, send a test message, "
                           "then enable it again.") % {"name": name}, messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        services.channel_save(by=request.user, channel=obj, webhook_url=form.cleaned_data.get("webhook_url") or None)

    @admin.action(description=_("Send a test message"), permissions=["manage"])
    def send_test(self, request, queryset):
        for channel in queryset:
            services.channel_send_test(by=request.user, channel=channel)
        count = queryset.count()
        self.message_user(request, ngettext(
            "A test message is on its way to %(count)s channel; see “Slack and Teams messages” for how it went.",
            "Test messages are on their way to %(count)s channels; see “Slack and Teams messages” for how they went.",
            count,
        ) % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Enable again"), permissions=["manage"])
    def enable(self, request, queryset):
        for channel in queryset:
            services.channel_enable(by=request.user, channel=channel)
        self.message_user(request, _("Enabled again."), messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(ManagedByMatrix, admin.ModelAdmin):
    """Every message posted, or to be posted, to a channel: what went out, what is waiting for a retry
    (and when), what failed and what the service answered."""

    list_display = [
        "created_at", "channel", "kind", "item", "status_shown", "attempts", "response_code", "next_attempt_at",
        "sent_at", "short_error",
    ]
    list_filter = ["status", "kind", "channel"]
    list_select_related = ["channel"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "channel", "kind", "item", "status", "attempts", "response_code", "last_error", "requested_by", "created_at",
        "claimed_at", "next_attempt_at", "sent_at",
    ]
    fields = readonly_fields
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    ITEM_URLS = {
        Kind.STORY_PUBLISHED: "stories:detail_short",
        Kind.DECISION_IN_REVIEW: "decisions:detail",
        Kind.DECISION_DECIDED: "decisions:detail",
        Kind.MEETING_OPENED: "meetings:detail",
    }

    @admin.display(description=_("item"))
    def item(self, obj):
        if obj.object_id is None:
            return "—"
        return format_html('<a href="{}">#{}</a>', reverse(self.ITEM_URLS[obj.kind], args=[obj.object_id]), obj.object_id)

    @admin.display(description=_("status"), ordering="status")
    def status_shown(self, obj):
        return _("Stuck (sending since %(when)s)") % {"when": obj.claimed_at} if obj.is_stuck() else obj.get_status_display()

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("Send again (failed or stuck messages)"), permissions=["manage"])
    def retry(self, request, queryset):
        count = services.deliveries_retry(by=request.user, deliveries=list(queryset))
        self.message_user(request, ngettext(
            "%(count)s message will be sent again.", "%(count)s messages will be sent again.", count
        ) % {"count": count})
