"""The admin is for admins only (Django checks is_staff, the matrix's "admin.site"); actions that
the matrix names separately ask it too (erasing a contact needs "contact.erase")."""

import itertools

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.lib.csvexport import csv_stream
from portal.permissions import can

from .models import Contact, ContactAudit, Customer, Follow
from .services import contact_erase


class ContactInline(admin.StackedInline):
    model = Contact
    extra = 0
    fields = ["name", "role", "is_key", "family", "occupation", "recreation", "dreams"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "region", "account_owner", "status", "do_not_name", "customer_since", "last_activity_at"]
    list_filter = ["status", "do_not_name", "industry", "region"]
    list_select_related = ["account_owner"]
    search_fields = ["name", "external_id"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["account_owner"]
    inlines = [ContactInline]
    readonly_fields = ["import_link"]

    @admin.display(description=_("Import"))
    def import_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("customers:import"), _("Import customers from CSV"))


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "customer", "is_key", "updated_at"]
    list_select_related = ["customer"]
    search_fields = ["name", "customer__name"]
    autocomplete_fields = ["customer"]
    # Who last changed the notes is the record's (set on save), not a choice among every person.
    readonly_fields = ["updated_by"]
    actions = ["erase"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def has_erase_permission(self, request):
        return can(request.user, "contact.erase")

    @admin.action(description=_("Erase selected contacts (notes and audit entries anonymised)"), permissions=["erase"])
    def erase(self, request, queryset):
        for contact in queryset.select_related("customer"):
            contact_erase(by=request.user, contact=contact)
        self.message_user(request, _("Contacts erased."), messages.SUCCESS)


CONTACT_AUDIT_HEADER = ["at", "actor", "actor_email", "action", "contact", "customer", "fields"]


@admin.register(ContactAudit)
class ContactAuditAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "contact_name", "customer", "fields"]
    list_filter = ["action", "at"]
    list_select_related = ["actor", "customer"]
    search_fields = ["contact_name", "customer__name", "actor__name", "actor__email"]
    date_hierarchy = "at"
    actions = ["export_csv"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Export selected entries as CSV"))
    def export_csv(self, request, queryset):
        """Streamed: a year of audit entries is a file too big to build in memory first."""
        entries = queryset.select_related("actor", "customer").iterator(chunk_size=2000)
        rows = (
            [
                entry.at.isoformat(), entry.actor.name if entry.actor else "", entry.actor.email if entry.actor else "",
                entry.action, entry.contact_name, entry.customer.name, " ".join(entry.fields),
            ]
            for entry in entries
        )
        return csv_stream("contact-audit.csv", itertools.chain([CONTACT_AUDIT_HEADER], rows))


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "customer", "created_at"]
    list_select_related = ["user", "customer"]
    autocomplete_fields = ["user", "customer"]
