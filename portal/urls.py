from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.urls import include, path

from . import floor, people, signin, views

# django.contrib.auth's pages; those about passwords only while passwords sign in (PASSWORD_SIGN_IN).
account_urls = [
    pattern if pattern.name == "logout"
    else path(str(pattern.pattern), signin.password_sign_in_required(pattern.callback), name=pattern.name)
    for pattern in auth_urls.urlpatterns
    if pattern.name != "login"
]

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.set_language, name="set_language"),
    path("healthz/", views.healthz, name="healthz"),
    path("bench/floor/", floor.floor, name="bench_floor"),
    path("bench/peer/stories/", floor.PeerFeed.as_view(), name="bench_peer_feed"),
    path("bench/peer/stories/<int:pk>/", floor.PeerStory.as_view(), name="bench_peer_story"),
    path("people/autocomplete/", people.people_autocomplete, name="people_autocomplete"),
    path("accounts/login/", signin.SignInView.as_view(), name="login"),
    path("accounts/oidc/start/", signin.StartView.as_view(), name="oidc_start"),
    path("accounts/oidc/callback/", signin.CallbackView.as_view(), name="oidc_callback"),
    path("accounts/", include(account_urls)),
    path("customers/", include("customers.urls")),
    path("decisions/", include("decisions.urls")),
    path("stories/", include("stories.urls")),
    path("meetings/", include("meetings.urls")),
    path("survey/", include("survey.urls")),
    path("loops/", include("loops.urls")),
    path("", include("digests.urls")),
    path("insights/", include("insights.urls")),
    path("improvements/", include("improvements.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "portal.views.forbidden"
handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"
