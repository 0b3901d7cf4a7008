from django.urls import path

from . import views

app_name = "improvements"
urlpatterns = [
    path("", views.patterns, name="patterns"),
    path("import/", views.import_view, name="import"),
    path("import/<int:pk>/", views.import_status, name="import_status"),
    path("ideas/", views.idea_list, name="ideas"),
    path("ideas/new/", views.idea_new, name="idea_new"),
    path("ideas/<int:pk>/", views.idea_detail, name="idea"),
    path("ideas/<int:pk>/edit/", views.idea_edit, name="idea_edit"),
    path("ideas/<int:pk>/join/", views.idea_join, name="idea_join"),
    path("ideas/<int:pk>/team/", views.idea_team, name="idea_team"),
    path("ideas/<int:pk>/pilot/", views.pilot_start, name="pilot_start"),
    path("ideas/<int:pk>/result/", views.pilot_result, name="pilot_result"),
    path("ideas/<int:pk>/close/", views.idea_close, name="idea_close"),
    path("quarter/", views.quarter_current, name="quarter_current"),
    path("quarter/<int:year>-q<int:number>/", views.quarter, name="quarter"),
]
