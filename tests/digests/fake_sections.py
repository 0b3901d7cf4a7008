"""A tiny provider module for testing the digest machinery without the feature apps: `prepare`
runs exactly one query for the whole batch, the picks run none."""

from django.utils.translation import gettext as _

from digests.sections import DigestSection
from portal.models import User


def prepare(users, since_by_user, now):
    # One query for the batch, like a real provider: every person's name, by id.
    return {"names": dict(User.objects.filter(pk__in=[u.pk for u in users]).values_list("pk", "name"))}


def pick_hello(data, user, since, now):
    if user.email.startswith("quiet"):
        return None
    return {
        "items": [
            {
                "title": _("Hello"),
                "url": "https://example.com/",
                "customer": "",
                "when": None,
                "detail": data["names"][user.pk],
                "tag": "",
            }
        ]
    }


def pick_note(data, user, since, now):
    return {"items": [], "note": "just a note"}


FAKE_SECTIONS = [
    DigestSection("hello", "Hello section", "tests.digests.fake_sections", "pick_hello", order=1),
    DigestSection("note", "Note section", "tests.digests.fake_sections", "pick_note", order=2),
]
