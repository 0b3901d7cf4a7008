from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import floor, people, views

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.set_language, name="set_language"),
    path("healthz/", views.healthz, name="healthz"),
    path("bench/floor/", floor.floor, name="bench_floor"),
    path("bench/peer/stories/", floor.PeerFeed.as_view(), name="bench_peer_feed"),
    path("bench/peer/stories/<int:pk>/", floor.PeerStory.as_view(), name="bench_peer_story"),
    path("people/autocomplete/", people.people_autocomplete, name="people_autocomplete"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("customers/", include("customers.urls")),
    path("decisions/", include("decisions.urls")),
    path("stories/", include("stories.urls")),
    path("meetings/", include("meetings.urls")),
    path("", include("digests.urls")),
    path("insights/", include("insights.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"
