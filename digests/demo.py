"""Demo notification preferences: a couple of people who changed the defaults. Re-runnable."""

from .preferences import preferences_for_edit
from .services import preferences_update

# person key -> the preferences they chose
CHOICES = {
    # Layla reads her digest on Sunday morning, the first day of her work week in Dubai.
    "hr_leader": {"digest_weekday": 6, "digest_hour": 9},
    # Tom wants stories and open seats only, and no debrief nagging.
    "finance_staff2": {"muted_sections": ["reviews", "quota"], "debrief_due": False},
}


def seed(*, people, **ctx):
    for key, data in CHOICES.items():
        user = people.get(key)
        if user is not None:
            preferences_update(by=user, prefs=preferences_for_edit(user), data=data)
