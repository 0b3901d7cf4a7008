from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("import/", views.import_view, name="import"),
    path("import/<int:pk>/", views.import_status, name="import_status"),
    path("autocomplete/", views.autocomplete, name="autocomplete"),
    path("<str:slug>/", views.detail, name="detail"),
    path("<str:slug>/follow/", views.follow, name="follow"),
    path("<str:slug>/contacts/new/", views.contact_edit, name="contact_new"),
    path("<str:slug>/contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<str:slug>/contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
]
