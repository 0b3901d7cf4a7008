"""The weekly digest's decisions section and the "review due soon" reminder. Called by digests
(see digests/sections.py): `prepare` runs a fixed number of queries for a batch of people;
`pick_reviews` chooses one person's part in Python."""

import datetime
import functools
from types import SimpleNamespace

from django.conf import settings
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal.lib.dates import zone_of
from portal.permissions import can

from .models import Decision, ImpactCheck, ImpactReview, ReviewRequest

LIMIT = 6
DUE_SOON = datetime.timedelta(days=2)


def _absolute(obj):
    return _url(obj.pk)


@functools.lru_cache(maxsize=4096)  # batches share decisions; the path of an id never changes
def _path(decision_id):
    """Decision.get_absolute_url() from an id alone."""
    return reverse("decisions:detail", kwargs={"pk": decision_id})  # NoReverseMatch is raised, not cached


def _url(decision_id):
    try:
        return settings.SITE_URL + _path(decision_id)
    except NoReverseMatch:
        return settings.SITE_URL + "/"


def _open_requests():
    return ReviewRequest.objects.filter(reviewed_at=None, decision__status__in=Decision.OPEN_STATUSES)


def prepare(users, since_by_user, now):
    """Open review requests addressed to anyone in the batch or through their teams. One query."""
    team_ids = {u.team_id for u in users if u.team_id}
    # Plain rows, not model instances: what the digest shows, not the decisions' texts.
    requests = [
        SimpleNamespace(**row)
        for row in _open_requests()
        .filter(Q(reviewer__in=users) | Q(via_team_id__in=team_ids))
        .values(
            "id",
            "decision_id",
            "reviewer_id",
            "via_team_id",
            "due_date",
            title=F("decision__title"),
            team_name=F("decision__team__name"),
        )
        .order_by("due_date", "id")
    ]
    by_reviewer, by_team, urls = {}, {}, {}
    for request in requests:
        by_reviewer.setdefault(request.reviewer_id, []).append(request)
        if request.via_team_id:
            by_team.setdefault(request.via_team_id, []).append(request)
        if request.decision_id not in urls:
            urls[request.decision_id] = _url(request.decision_id)
        request.digest_url = urls[request.decision_id]  # once per decision, not per reader
    return {"by_reviewer": by_reviewer, "by_team": by_team, "checks": _checks_due_for(users, now, urls)}


# How far back a due, unrecorded impact check is still reminded of (by email once, in the digest weekly).
CHECK_REMINDED_FOR = datetime.timedelta(days=60)
ONE_DAY = datetime.timedelta(days=1)


def _today(time_zone, now):
    """`now`'s date where the person is: "due" in their digest and reminders means what it means on
    their pages, which portal/middleware.py renders in their zone."""
    return timezone.localdate(now, zone_of(time_zone))


def _reminded(due_on, today):
    """Due on the person's `today`, and not so long ago that it is no longer reminded of."""
    return today - CHECK_REMINDED_FOR <= due_on <= today


def _due_checks(now):
    """The checks that may be due for someone somewhere: every zone's date is within a day of the UTC
    date (UTC−12 to UTC+14), so this is a superset; _reminded() with the person's own date decides."""
    utc_today = now.astimezone(datetime.UTC).date()
    return ImpactCheck.objects.filter(
        recorded_at=None, decision__status=Decision.Status.DECIDED,
        due_on__lte=utc_today + ONE_DAY, due_on__gte=utc_today - ONE_DAY - CHECK_REMINDED_FOR,
    )


def _check_people(checks, users=None, *, rows=False):
    """The deciders and reviewers (filed, or asked) of `checks`, distinct, in one query (a UNION of the
    three): [(user_id, check_id, due_on, their time zone)], and with `rows` also decision_id, title and
    team name (what the digest shows)."""
    deciders = checks.filter(decided_by__isnull=False)
    reviewed = ImpactReview.objects.filter(decision__impact_checks__in=checks)
    asked = ReviewRequest.objects.filter(decision__impact_checks__in=checks)
    if users is not None:
        deciders, reviewed, asked = (
            deciders.filter(decided_by__in=users), reviewed.filter(author__in=users), asked.filter(reviewer__in=users)
        )
    shown = ("decision_id", "decision__title", "decision__team__name") if rows else ()
    union = deciders.values_list("decided_by_id", "pk", "due_on", "decided_by__time_zone", *shown).order_by().union(
        reviewed.values_list(
            "author_id", "decision__impact_checks", "decision__impact_checks__due_on", "author__time_zone", *shown
        ).order_by(),
        asked.values_list(
            "reviewer_id", "decision__impact_checks", "decision__impact_checks__due_on", "reviewer__time_zone", *shown
        ).order_by(),
    )
    return sorted(set(union))


def _due_for_them(people, now):
    """The rows of _check_people() whose check is due on its person's own date (_reminded)."""
    todays = {}
    for row in people:
        _user_id, _check_id, due_on, zone = row[:4]
        if zone not in todays:
            todays[zone] = _today(zone, now)
        if _reminded(due_on, todays[zone]):
            yield row


def _checks_due_for(users, now, urls):
    """{user_id: [check row, …]}: the impact checks due, on their own date, that the batch's people
    decided or reviewed. One query."""
    by_user = {}
    people = _check_people(_due_checks(now), users, rows=True)
    for user_id, check_id, due_on, _zone, decision_id, title, team_name in _due_for_them(people, now):
        if decision_id not in urls:
            urls[decision_id] = _url(decision_id)
        row = SimpleNamespace(
            id=check_id, decision_id=decision_id, due_on=due_on, title=title, team_name=team_name,
            digest_url=urls[decision_id],
        )
        by_user.setdefault(user_id, []).append(row)
    for found in by_user.values():
        found.sort(key=lambda r: (r.due_on, r.id))
    return by_user


def pick_impact_checks(data, user, since, now):
    """The due impact checks `user` decided or reviewed: record what actually happened for customers."""
    rows = data.get("checks", {}).get(user.pk, [])
    if not rows:
        return None
    items = [
        {
            "title": row.title,
            "url": row.digest_url + "check/",
            "customer": "",
            "when": None,
            "detail": "%s · %s" % (
                row.team_name, _("Check due since %(date)s") % {"date": formats.date_format(row.due_on, "SHORT_DATE_FORMAT")}
            ),
            "tag": _("Record what happened"),
        }
        for row in rows[:LIMIT]
    ]
    return {"items": items, "more": max(len(rows) - LIMIT, 0)}


def _due_text(request, today):
    due = formats.date_format(request.due_date, "SHORT_DATE_FORMAT")
    if request.due_date < today:
        return _("Overdue since %(date)s") % {"date": due}
    return _("Review due %(date)s") % {"date": due}


def pick_reviews(data, user, since, now):
    """Decisions waiting on `user`'s review first, then on someone else in their team's."""
    if not can(user, "decision.review"):  # the same rule as the review form (portal/permissions.py)
        return None
    today = _today(user.time_zone, now)  # as on their pages, whatever zone the caller has active
    mine, team, seen = [], [], set()
    for request in data["by_reviewer"].get(user.pk, []):
        if request.decision_id not in seen:
            mine.append(request)
            seen.add(request.decision_id)
    for request in data["by_team"].get(user.team_id, []) if user.team_id else []:
        if request.reviewer_id != user.pk and request.decision_id not in seen:
            team.append(request)
            seen.add(request.decision_id)
    rows = [(r, _("Asked of you")) for r in mine] + [(r, _("Asked of your team")) for r in team]
    if not rows:
        return None
    items = [
        {
            "title": request.title,
            "url": request.digest_url,
            "customer": "",
            "when": None,
            "detail": "%s · %s" % (request.team_name, _due_text(request, today)),
            "tag": tag,
        }
        for request, tag in rows[:LIMIT]
    ]
    return {"items": items, "more": max(len(rows) - LIMIT, 0)}


# Reminder: an impact review due soon --------------------------------------------------------


def reviews_due(now):
    """[(reviewer_id, request_id)] for open requests due within two days (or overdue by a day) on the
    reviewer's own date, as their pages count it. One query: every zone's date is within a day of the
    UTC date, so the query asks for a day more on each side and the reviewer's zone decides."""
    utc_today = now.astimezone(datetime.UTC).date()
    rows = (
        _open_requests()
        .filter(due_date__gte=utc_today - 2 * ONE_DAY, due_date__lte=utc_today + DUE_SOON + ONE_DAY)
        .values_list("reviewer_id", "id", "due_date", "reviewer__time_zone")
    )
    todays = {}
    found = []
    for reviewer_id, request_id, due_date, zone in rows:
        if zone not in todays:
            todays[zone] = _today(zone, now)
        if todays[zone] - ONE_DAY <= due_date <= todays[zone] + DUE_SOON:
            found.append((reviewer_id, request_id))
    return found


def load_review_due(user, request_id, now):
    """The reminder's context, or None when the review was filed or the decision closed meanwhile."""
    request = _open_requests().filter(pk=request_id, reviewer=user).select_related("decision__team").first()
    if request is None:
        return None
    return {"context": {"request": request, "decision": request.decision, "url": _absolute(request.decision)}}


# Reminder: an impact check is due ------------------------------------------------------------


def impact_checks_due(now):
    """[(user_id, check_id)]: each due impact check (not recorded, decision still decided, due within the
    last CHECK_REMINDED_FOR on the person's own date, as their pages count it) for its decider and its
    reviewers. One query. The delivery's period names the check, so each person is reminded of each
    check once: on the first run after the date has come where they are."""
    return [(user_id, check_id) for user_id, check_id, *_rest in _due_for_them(_check_people(_due_checks(now)), now)]


def load_impact_check_due(user, check_id, now):
    """The reminder's context, or None when the check was recorded or the decision reopened meanwhile."""
    check = (
        ImpactCheck.objects.filter(pk=check_id, recorded_at=None, decision__status=Decision.Status.DECIDED)
        .select_related("decision__team")
        .first()
    )
    if check is None:
        return None
    url = settings.SITE_URL + reverse("decisions:check", kwargs={"pk": check.decision_id})
    return {"context": {"check": check, "decision": check.decision, "url": url}}
