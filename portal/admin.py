from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin, UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.utils.translation import gettext_lazy as _

from .models import PendingTask, Team, User


admin.site.site_header = _("Lifeline administration")
admin.site.site_title = _("Lifeline admin")


# Django writes each model's four permissions into the database once, in English ("Can add story"); the
# pickers of a person's and a group's permissions show them in the admin's language instead.
PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission):
    """"Stories | Can add story" in the active language: the app's and model's translated names and
    the action. A permission that is not one of the four a model gets keeps its stored name."""
    model = permission.content_type.model_class()
    if model is None:
        return str(permission)
    action, _sep, model_name = permission.codename.partition("_")
    if action in PERMISSION_ACTIONS and model_name == model._meta.model_name:
        name = PERMISSION_ACTIONS[action] % {"model": model._meta.verbose_name}
    else:
        name = permission.name
    return f"{model._meta.app_config.verbose_name} | {name}"


class TranslatedPermissions:
    """Admin mixin: permission pickers list each permission by permission_label()."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if field is not None and db_field.remote_field.model._meta.label == "auth.Permission":
            field.queryset = field.queryset.select_related("content_type")
            field.label_from_instance = permission_label
        return field


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(TranslatedPermissions, BaseGroupAdmin):
    pass


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(TranslatedPermissions, BaseUserAdmin):
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


class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """django-axes's, with its "status" column labelled in the admin's language (axes names it only by
    its method, which the admin shows as the English "Status")."""

    @admin.display(description=_("Status"))
    def status(self, obj):
        return super().status(obj)


admin.site.unregister(AccessAttempt)  # importing axes.admin above registered its own
admin.site.register(AccessAttempt, AccessAttemptAdmin)


_password_login = admin.site.login


@login_not_required
@never_cache
def _admin_login(request, extra_context=None):
    """With PASSWORD_SIGN_IN off the admin's own password form can sign no one in: the sign-in page does
    (company sign-in), then comes back; someone signed in who is no admin is refused, not sent round."""
    if settings.PASSWORD_SIGN_IN:
        return _password_login(request, extra_context)
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.login = _admin_login
