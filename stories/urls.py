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
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/reset/", views.subscribe_reset, name="subscribe_reset"),
    path("feeds/<str:token>/", views.reader_feed, name="reader_feed"),
    path("feeds/<str:token>/following/", views.reader_feed_following, name="reader_feed_following"),
    path("feeds/<str:token>/customers/<str:slug>/", views.reader_feed_customer, name="reader_feed_customer"),
    path("feeds/<str:token>/themes/<str:slug>/", views.reader_feed_theme, name="reader_feed_theme"),
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
