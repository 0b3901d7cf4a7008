from django.urls import path

from . import views

app_name = "stories"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("new/", views.new, name="new"),
    path("review/", views.review, name="review"),
    path("preview/", views.preview, name="preview"),
    path("give-me-one/", views.give_me_one, name="give_me_one"),
    path("feed/", views.atom, name="atom"),
    path("<int:pk>/", views.detail, name="detail_short"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/unpublish/", views.unpublish, name="unpublish"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/react/", views.react, name="react"),
    path("<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("<int:pk>/comments/<int:comment_pk>/edit/", views.comment_edit, name="comment_edit"),
    path("<int:pk>/comments/<int:comment_pk>/delete/", views.comment_delete, name="comment_delete"),
    path("<int:pk>/<str:slug>/", views.detail, name="detail"),
    path("<int:pk>/<str:slug>/edit/", views.edit, name="edit"),
    path("<int:pk>/<str:slug>/present/", views.present, name="present"),
]
