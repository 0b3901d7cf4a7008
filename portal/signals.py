from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in)
def keep_language_chosen_before_sign_in(sender, request, user, **kwargs):
    """A language picked on the sign-in page becomes the person's language."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES) and chosen != user.language:
        user.language = chosen
        user.save(update_fields=["language"])


@receiver(user_logged_in)
def remember_the_writer(sender, request, user, **kwargs):
    """Who signed in with this browser, for portal.refused (its response sets the cookie)."""
    if request is not None:
        request.signed_in_writer = user.pk
