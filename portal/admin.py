from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import PendingTask, Team, User


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["name"]
    list_display = ["name", "email", "team", "role", "language", "is_staff", "is_active"]
    list_filter = ["role", "team", "language", "is_staff", "is_active"]
    list_select_related = ["team"]
    search_fields = ["name", "email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["name", "team", "role", "language", "time_zone"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "team", "role", "password1", "password2"]}),
    ]


@admin.register(PendingTask)
class PendingTaskAdmin(admin.ModelAdmin):
    """Emails that failed after their write committed: retried every 15 minutes for three days
    (portal.lib.tasks); delete one to give it up."""

    list_display = ["task", "args", "attempts", "created_at", "attempted_at", "last_error"]
    readonly_fields = ["task", "args", "attempts", "created_at", "attempted_at", "last_error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
