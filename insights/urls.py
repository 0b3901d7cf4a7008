from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.scorecard, name="scorecard"),
    path("teams/<slug:slug>/", views.team_scorecard, name="team"),
    path("pulse/", views.pulse, name="pulse"),
    path("pulse/record/", views.pulse_record, name="pulse_record"),
    path("pulse/import/", views.pulse_import, name="pulse_import"),
    path("pulse/publish/", views.pulse_publish, name="pulse_publish"),
]
