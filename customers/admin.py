from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Contact, Customer, Follow


class ContactInline(admin.StackedInline):
    model = Contact
    extra = 0
    fields = ["name", "role", "is_key", "family", "occupation", "recreation", "dreams"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "region", "account_owner", "status", "customer_since", "last_activity_at"]
    list_filter = ["status", "industry", "region"]
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


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "customer", "created_at"]
    list_select_related = ["user", "customer"]
