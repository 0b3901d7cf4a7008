"""The admin shows pulses, their questions and who was invited and answered; never the answers
(they are read on the results page, per team and from MIN_ANSWERS answers up)."""

from django.contrib import admin

from .models import Invitation, Question, Survey


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "kind", "text"]

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status == Survey.Status.DRAFT

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "title", "status", "closes_at", "opened_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "opened_at", "created_by", "created_at", "updated_at"]
    inlines = [QuestionInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["survey", "user", "status", "attempts", "sent_at", "answered_on"]
    list_filter = ["survey", "status"]
    list_select_related = ["survey", "user"]
    search_fields = ["user__name", "user__email"]
    readonly_fields = ["survey", "user", "status", "attempts", "claimed_at", "sent_at", "last_error", "answered_on"]

    def has_add_permission(self, request):
        return False
