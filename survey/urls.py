from django.urls import path

from . import views

app_name = "survey"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("a/<str:token>/", views.answer, name="answer"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.edit, name="new"),
    path("manage/<int:pk>/", views.edit, name="edit"),
    path("manage/<int:pk>/open/", views.open_survey, name="open"),
    path("manage/<int:pk>/close/", views.close_survey, name="close"),
    path("<int:pk>/results/", views.results, name="results"),
]
