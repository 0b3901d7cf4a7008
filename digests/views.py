from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from portal.middleware import speak_to_recipient

from . import selectors, services
from .compose import compose_for
from .forms import NotificationPreferencesForm
from .preferences import preferences_for_edit, preferences_of


@require_GET
def preview(request):
    """ "My next digest": the same composition as the email, for the signed-in person only."""
    digest = compose_for(request.user, now=timezone.now())
    prefs = preferences_of(request.user)
    return render(request, "digests/preview.html", {"digest": digest, "prefs": prefs})


@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """The signed-in person's own preferences; there is no way to name anyone else."""
    prefs = preferences_for_edit(request.user)
    form = NotificationPreferencesForm(request.POST or None, prefs=prefs, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.preferences_update(by=request.user, prefs=prefs, data=form.changes(),
                                    time_zone=form.cleaned_data["time_zone"])
        messages.success(request, _("Your notification settings are saved."))
        return redirect("digests:settings")
    status = 400 if request.method == "POST" else 200
    return render(request, "digests/settings.html", {"form": form, "prefs": prefs}, status=status)


@login_not_required  # the signed token is the only key (RFC 8058 one-click unsubscribe)
@csrf_exempt  # mail clients POST with no cookie and no CSRF token; only POST changes anything
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows what the link would turn off, with a button; POST turns off that one kind."""
    subject = selectors.token_subject(token)
    speak_to_recipient(request, subject["owner"])
    outcome = None
    if request.method == "POST":
        outcome = services.preferences_unsubscribe(token=token)
        subject = selectors.token_subject(token)  # read after the change: "already" once it is off
    status = 400 if subject["state"] in (selectors.INVALID, selectors.STALE) else 200
    context = {"state": subject["state"], "kind_label": subject["kind_label"], "outcome": outcome, "token": token}
    return render(request, "digests/unsubscribe.html", context, status=status)
