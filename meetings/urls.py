from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("teams/<slug:slug>/", views.team, name="team"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/brief/", views.meeting_brief, name="brief"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel_meeting"),
    path("<int:pk>/signup/", views.signup, name="signup"),
    path("<int:pk>/leave/", views.cancel_seat, name="cancel_seat"),
    path("<int:pk>/seats/<int:seat_pk>/remove/", views.remove_listener, name="remove_listener"),
    path("<int:pk>/debrief/", views.debrief, name="debrief"),
    path("<int:pk>/debrief/story/", views.debrief_to_story, name="debrief_to_story"),
    path("<int:pk>/debriefs/<int:debrief_pk>/helpful/", views.debrief_react, name="debrief_react"),
]
