"""What the notification settings tell the apps that send email."""

from django.dispatch import Signal

# Someone switched kinds of email back on (services.preferences_update), sent inside its transaction:
# `user`, and `fields`, the NotificationPreferences field names (models.KIND_FIELDS) now on. An app
# whose email for that kind was skipped while it was off may send it now.
emails_switched_on = Signal()
