from django.urls import path

from . import views

app_name = "digests"
urlpatterns = [
    path("digests/preview/", views.preview, name="preview"),
    path("settings/notifications/", views.notification_settings, name="settings"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
