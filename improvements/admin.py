from django.contrib import admin

from .models import Complaint, ComplaintImport, Idea, IdeaEvent, Pilot


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["date", "category", "customer", "cost", "reference"]
    list_filter = ["category"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer", "upload"]
    date_hierarchy = "date"


@admin.register(ComplaintImport)
class ComplaintImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "status", "rows_checked", "problems_found", "created", "skipped", "uploaded_at"]
    readonly_fields = [
        "uploaded_by", "status", "rows_checked", "problems_found", "problems", "created", "skipped",
        "finished_at",
    ]


class PilotInline(admin.StackedInline):
    model = Pilot
    raw_id_fields = ["owner", "recorded_by"]
    extra = 0


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "status", "author", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["author", "customers"]
    inlines = [PilotInline]


@admin.register(IdeaEvent)
class IdeaEventAdmin(admin.ModelAdmin):
    list_display = ["at", "idea", "actor", "kind"]
    list_select_related = ["idea", "actor"]
    raw_id_fields = ["idea"]
    readonly_fields = ["actor"]  # who did it is the history's, set by the services
