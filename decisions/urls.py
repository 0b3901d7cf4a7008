from django.urls import path

from . import views

app_name = "decisions"
urlpatterns = [
    path("", views.log, name="log"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reviews/request/", views.request_reviews, name="request_reviews"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/outcome/", views.outcome, name="outcome"),
    path("<int:pk>/check/", views.check, name="check"),
    path("<int:pk>/check/reopen/", views.reopen_after_check, name="reopen_after_check"),
]
