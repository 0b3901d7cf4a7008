from django.urls import path

from . import views

app_name = "loops"
urlpatterns = [
    path("customers/<str:slug>/timeline/", views.timeline, name="timeline"),
    path("customers/<str:slug>/notes/new/", views.note_add, name="note_add"),
    path("customers/<str:slug>/touch/", views.touch_log, name="touch_log"),
    path("notes/<int:pk>/", views.note_detail, name="note"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("notes/<int:pk>/respond/", views.note_respond, name="note_respond"),
    path("rhythm/", views.rhythm, name="rhythm"),
    path("rhythm/set/", views.rhythm_set, name="rhythm_set"),
]
