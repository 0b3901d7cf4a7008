"""The weekly digest's improvement sections (registered in digests/sections.py): complaint patterns
rising this month, and the ideas a person (or their team) joined that changed state since their last
digest. `prepare` runs two queries for a whole batch; the pick functions run in Python."""

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insights.periods import month_start

from .models import IdeaEvent, shown_event_detail
from .selectors import rising_categories

LIMIT = 6


def prepare(users, since_by_user, now):
    month = month_start(timezone.localdate(now))
    team_ids = {u.team_id for u in users if u.team_id}
    earliest = min((s for s in since_by_user.values() if s), default=None)
    events = IdeaEvent.objects.filter(kind__in=IdeaEvent.STATE_CHANGES).filter(
        Q(idea__members__user__in=users) | Q(idea__members__team_id__in=team_ids)
    )
    if earliest:
        events = events.filter(at__gt=earliest)
    rows = events.values(
        "id", "idea_id", "kind", "at", "actor_id", "detail", user_id=F("idea__members__user_id"),
        team_id=F("idea__members__team_id"), title=F("idea__title"), actor_name=F("actor__name"),
    ).order_by("at", "id")
    return {
        "month": month,
        "rising": rising_categories(month),
        "patterns_url": settings.SITE_URL + reverse("improvements:patterns") + f"?month={month:%Y-%m}",
        "events": list(rows),
    }


def pick_rising(data, user, since, now):
    """Complaint categories rising this month (the rule in improvements/selectors.py), for everyone."""
    rising = data["rising"]
    if not rising:
        return None
    items = [
        {
            "title": category, "url": data["patterns_url"], "customer": "", "when": None,
            # The patterns page's words, the average written as the reader's language writes numbers.
            "detail": ngettext(
                "%(counter)s complaint this month; 6-month average %(average)s.",
                "%(counter)s complaints this month; 6-month average %(average)s.", count,
            ) % {"counter": count, "average": floatformat(average, 1)},
            "tag": _("Rising"),
        }
        for category, count, average in rising[:LIMIT]
    ]
    return {"items": items, "more": max(len(rising) - LIMIT, 0)}


def _event_sentence(row):
    did = str(IdeaEvent.Kind(row["kind"]).label)
    sentence = f"{row['actor_name']} {did}" if row["actor_name"] else did
    detail = shown_event_detail(row["kind"], row["detail"])
    return f"{sentence}: {detail}" if detail else sentence


def pick_ideas_changed(data, user, since, now):
    """State changes (pilot started, result recorded, adopted, dropped) of ideas `user` or their team
    joined, since their last digest, made by someone else."""
    seen, items = set(), []
    for row in data["events"]:
        mine = row["user_id"] == user.pk or (user.team_id and row["team_id"] == user.team_id)
        if not mine or row["id"] in seen or row["actor_id"] == user.pk or (since and row["at"] <= since):
            continue
        seen.add(row["id"])
        items.append({
            "title": row["title"],
            "url": settings.SITE_URL + reverse("improvements:idea", kwargs={"pk": row["idea_id"]}),
            "customer": "", "when": row["at"],
            # Who did what, as the idea's history says it ("Grace Okafor adopted it: …"); the date is `when`.
            "detail": _event_sentence(row),
            "tag": _("An idea you joined"),
        })
    if not items:
        return None
    return {"items": items[-LIMIT:], "more": max(len(items) - LIMIT, 0)}
