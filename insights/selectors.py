"""Reads for insights. Every function runs a fixed number of queries whatever the data size:
figures are grouped and counted in the database, per (team, quarter), never row by row in Python."""

import datetime
import hashlib
import statistics
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate, Case, Count, Exists, F, FloatField, Func, IntegerField, JSONField, OuterRef, Q, Subquery, Sum, Value,
    When,
)
from django.db.models.functions import JSONObject
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, Follow
from decisions.models import Decision, ImpactCheck, ImpactReview, ReviewRequest
from meetings.models import Debrief, Meeting, Seat
from portal.lib.rawsql import db_datetime
from portal.models import Team, User
from portal.permissions import can
from stories import selectors as story_selectors
from stories.models import Comment, Reaction, Read, Story

from .models import PULSE_FIELDS, PulseFigure, PulseIssue
from .periods import Quarter, add_months, last_months

# -- who sees what ------------------------------------------------------------------------------


def sees_every_team(user):
    """Admins see every team's scorecard; everyone else only their own."""
    return can(user, "scorecard.team")  # with no team given, only the admin role allows it


def visible_teams(user):
    """Admins see every team; everyone else only their own (none without a team)."""
    if sees_every_team(user):
        return Team.objects.order_by("name", "id")
    return Team.objects.filter(pk=user.team_id).order_by("name", "id")


def get_team_for(user, slug):
    """A team's scorecard: 404 when the team does not exist or the viewer may not see it."""
    team = Team.objects.filter(slug=slug).first()
    if team is None or not can(user, "scorecard.team", team):
        raise Http404
    return team


def can_record_pulse(user):
    """Admins, and customer-facing hosts in the Customer Success team, record the pulse."""
    return can(user, "pulse.record")


# -- the scorecard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    group: str  # the heading it sits under in the scorecard's table (GROUP_LABELS)
    unit: str = ""  # "%" or "h", shown after the number
    chart: bool = True


# The headings over the scorecard table's columns, in its order.
GROUP_LABELS = {
    "stories": _("Stories"), "meetings": _("Customer meetings"), "decisions": _("Decisions"),
    "customers": _("Customers"), "checks": _("Impact checks"), "notes": _("Customer notes"),
}
STORIES, MEETINGS, DECISIONS, CUSTOMERS, CHECKS, NOTES = GROUP_LABELS
METRICS = [
    Metric("reads_per_person", _("Stories read per person"), STORIES),
    Metric("reactions", _("Reactions"), STORIES),
    Metric("comments", _("Comments"), STORIES),
    Metric("meetings", _("Customer meetings attended"), MEETINGS),
    Metric("leader_meetings", _("Leaders' customer meetings"), MEETINGS),
    Metric("quota", _("Leaders' quota for the quarter"), MEETINGS, chart=False),
    Metric("debriefs", _("Debriefs filed"), MEETINGS),
    Metric("review_share", _("Decided decisions with an impact review"), DECISIONS, unit="%"),
    Metric("median_review_hours", _("Median hours from review request to review"), DECISIONS),
    Metric("customers_touched", _("Named customers touched"), CUSTOMERS),
    Metric("checks_due", _("Impact checks due"), CHECKS, chart=False),
    Metric("checks_on_time", _("Impact checks recorded on time"), CHECKS),
    Metric("predictions_held", _("Impact checks where the prediction held"), CHECKS, unit="%"),
    # Customer notes routed to the team (or to its account owners) and how many were acknowledged or
    # answered within 5 working days, Monday to Friday (loops.models.working_days_between).
    Metric("routed_notes", _("Customer notes routed to the team"), NOTES, chart=False),
    Metric("routed_on_time", _("Routed notes answered within 5 working days"), NOTES),
]
# (heading, its metrics), in the table's order; each group's metrics are together in METRICS.
METRIC_GROUPS = [(label, [m for m in METRICS if m.group == group]) for group, label in GROUP_LABELS.items()]
METRIC_KEYS = [m.key for m in METRICS]


@dataclass
class TeamFigures:
    team: Team
    members: int = 0
    leaders: int = 0
    quarters: list = field(default_factory=list)  # one dict of figures per quarter, oldest first


def _bucket(path, quarters):
    """Which of `quarters` the datetime at `path` falls in: 0, 1, … (None outside them)."""
    return Case(
        *[When(**{f"{path}__gte": q.start(), f"{path}__lt": q.end()}, then=Value(i)) for i, q in enumerate(quarters)],
        output_field=IntegerField(),
    )


def _window(path, quarters):
    return Q(**{f"{path}__gte": quarters[0].start(), f"{path}__lt": quarters[-1].end()})


def _grouped(queryset, *, team, when, quarters, team_ids, **aggregates):
    """{(team_id, quarter index): {aggregate: value}} in one GROUP BY query."""
    rows = (
        queryset.filter(_window(when, quarters), **{f"{team}__in": team_ids})
        .annotate(t=F(team), b=_bucket(when, quarters))
        .values("t", "b")
        .annotate(**aggregates)
        .order_by()
    )
    return {(row.pop("t"), row.pop("b")): row for row in rows}


def _attended_seats(now):
    """Seats at meetings that took place, less those the host marked as no-shows: a meeting whose
    attendance is not marked yet counts provisionally (meetings.selectors.counts_as_attended)."""
    return Seat.objects.filter(
        status=Seat.Status.CONFIRMED, meeting__status=Meeting.Status.SCHEDULED, meeting__ends_at__lte=now
    ).exclude(attendance=Seat.Attendance.NO_SHOW)


def _median_review_seconds(team_ids, quarters):
    """{(team_id, quarter index): median seconds from review request to review}, by the reviewer's team.

    PostgreSQL computes it in the database (percentile_cont); elsewhere one values_list query and
    Python's statistics.median over its rows. One query either way."""
    base = ReviewRequest.objects.filter(reviewed_at__isnull=False, reviewed_at__gte=F("created_at"))
    if connection.vendor == "postgresql":
        rows = _grouped(base, team="reviewer__team", when="reviewed_at", quarters=quarters, team_ids=team_ids,
                        median=Median(EpochSeconds(F("reviewed_at") - F("created_at"))))
        return {key: row["median"] for key, row in rows.items()}
    rows = (
        base.filter(_window("reviewed_at", quarters), reviewer__team__in=team_ids)
        .annotate(t=F("reviewer__team"), b=_bucket("reviewed_at", quarters))
        .values_list("t", "b", "created_at", "reviewed_at")
        .order_by()
    )
    durations = {}
    for team_id, index, requested, reviewed in rows:
        durations.setdefault((team_id, index), []).append((reviewed - requested).total_seconds())
    return {key: statistics.median(values) for key, values in durations.items()}


class Median(Aggregate):
    """percentile_cont(0.5): PostgreSQL's median, as an aggregate."""

    function = "percentile_cont"
    name = "Median"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class EpochSeconds(Func):
    """A PostgreSQL interval in seconds."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def _customers_touched(team_ids, quarters, now):
    """{(team_id, quarter index): distinct named customers the team read about, reviewed or met}.

    The distinct (team, quarter, customer) triples of the four sources are a UNION; the database
    counts them per team and quarter. One query."""

    def triples(queryset, team, when, customer):
        return (
            queryset.filter(_window(when, quarters), **{f"{team}__in": team_ids}, **{f"{customer}__isnull": False})
            .annotate(t=F(team), b=_bucket(when, quarters), c=F(customer))
            .values_list("t", "b", "c")
            .order_by()
        )

    union = triples(Read.objects.all(), "user__team", "read_at", "customer").union(
        triples(ImpactReview.objects.all(), "author__team", "created_at", "decision__customers"),
        triples(ImpactReview.objects.all(), "author__team", "created_at", "customers"),
        triples(_attended_seats(now), "user__team", "meeting__starts_at", "meeting__customer"),
    )
    sql, params = union.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t, b, COUNT(*) FROM ({sql}) touched GROUP BY t, b", params)
        return {(t, b): n for t, b, n in cursor.fetchall()}


def _counted(parts, *, quarters, team_ids):
    """{name: {(team_id, quarter index): (n, m)}} for `parts`, each (name, queryset, team path, when path,
    n, m) with `n` and `m` aggregates (`m` may be None): every part grouped by team and quarter, all of
    them in one UNION ALL query."""
    queries = [
        queryset.filter(_window(when, quarters), **{f"{team}__in": team_ids})
        .annotate(t=F(team), b=_bucket(when, quarters))
        .values("t", "b")
        .annotate(n=n, m=Value(0) if m is None else m, part=Value(i, output_field=IntegerField()))
        .values_list("part", "t", "b", "n", "m")
        .order_by()
        for i, (_name, queryset, team, when, n, m) in enumerate(parts)
    ]
    result = {name: {} for name, *_rest in parts}
    for i, team_id, index, n, m in queries[0].union(*queries[1:], all=True):
        result[parts[i][0]][(team_id, index)] = (n, m or 0)
    return result


def _routed_notes(team_ids, quarters):
    """{(team_id, quarter index): (notes routed, answered within 5 working days)}: loops.selectors. One
    query (none without the loops app)."""
    from django.apps import apps

    if not apps.is_installed("loops"):
        return {}
    from loops.selectors import routed_answers_by_team

    return routed_answers_by_team(team_ids, [(q.start(), q.end()) for q in quarters])


def scorecard(*, teams, quarters, now=None):
    """Figures for `teams` (a Team queryset) over `quarters` (oldest first): a list of TeamFigures.

    Five queries whatever the number of teams, people or rows: the teams, the counts (one UNION ALL),
    the median review times, the customers touched and the routed customer notes. Every window is a range on an indexed
    datetime where the table has one (stories_read.read_at: read_at_idx)."""
    now = now or timezone.now()
    active = Q(members__is_active=True)
    teams = list(  # one join, so a plain COUNT counts each member once
        teams.annotate(
            n_members=Count("members", filter=active),
            n_leaders=Count("members", filter=active & Q(members__role=User.Role.LEADER)),
        )
    )
    ids = [t.pk for t in teams]
    if not ids:
        return []
    reviewed = Exists(ImpactReview.objects.filter(decision=OuterRef("pk")))
    counted = _counted([
        ("reads", Read.objects.all(), "user__team", "read_at", Count("*"), None),
        ("reactions", Reaction.objects.all(), "user__team", "created_at", Count("*"), None),
        ("comments", Comment.objects.all(), "author__team", "created_at", Count("*"), None),
        ("meetings", _attended_seats(now), "user__team", "meeting__starts_at", Count("*"),
         Count("pk", filter=Q(user__role=User.Role.LEADER))),
        ("debriefs", Debrief.objects.all(), "seat__user__team", "created_at", Count("*"), None),
        ("decided", Decision.objects.filter(status=Decision.Status.DECIDED), "team", "decided_at", Count("*"),
         Sum(Case(When(reviewed, then=Value(1)), default=Value(0)))),
        # Impact checks by the quarter of their date (those due by today), and how many were recorded on
        # time (ImpactCheck.ON_TIME_GRACE); the quarter's date bounds are compared as the company's dates.
        ("checks", ImpactCheck.objects.filter(due_on__lte=timezone.localdate(now, timezone.get_default_timezone())),
         "decision__team", "due_on", Count("*"), Count("pk", filter=Q(on_time=True))),
        # Checks recorded in the quarter with a result that says something about the prediction, and how
        # many found it as predicted.
        ("held", ImpactCheck.objects.filter(result__in=ImpactCheck.KNOWN), "decision__team", "recorded_at",
         Count("*"), Count("pk", filter=Q(result=ImpactCheck.Result.AS_PREDICTED))),
    ], quarters=quarters, team_ids=ids)
    medians = _median_review_seconds(ids, quarters)
    touched = _customers_touched(ids, quarters, now)
    routed = _routed_notes(ids, quarters)

    quota = settings.LIFELINE_MEETING_QUOTA
    result = []
    for team in teams:
        row = TeamFigures(team=team, members=team.n_members, leaders=team.n_leaders)
        for index, quarter in enumerate(quarters):
            key = (team.pk, index)

            def n(name, key=key):
                return counted[name].get(key, (0, 0))[0]

            reads, (decided, with_review) = n("reads"), counted["decided"].get(key, (0, 0))
            (checks_due, checks_on_time), (known, held) = counted["checks"].get(key, (0, 0)), counted["held"].get(key, (0, 0))
            median = medians.get(key)
            row.quarters.append({
                "quarter": quarter,
                "reads": reads,
                "reads_per_person": round(reads / team.n_members, 1) if team.n_members else 0,
                "reactions": n("reactions"),
                "comments": n("comments"),
                "meetings": n("meetings"),
                "leader_meetings": counted["meetings"].get(key, (0, 0))[1],
                "quota": round(team.n_leaders * quota / 4, 1),
                "debriefs": n("debriefs"),
                "decided": decided,
                "review_share": round(100 * with_review / decided) if decided else None,
                "median_review_hours": round(median / 3600, 1) if median is not None else None,
                "customers_touched": touched.get(key, 0),
                "checks_due": checks_due,
                "checks_on_time": checks_on_time,
                "predictions_held": round(100 * held / known) if known else None,
                "routed_notes": routed.get(key, (0, 0))[0],
                "routed_on_time": routed.get(key, (0, 0))[1],
            })
        result.append(row)
    return result


# Counting a quarter means reading every story read in it (60,000 rows a quarter at 10,000 people),
# so the scorecard pages share what they counted: an entry per quarter and set of teams, in the cache
# for COUNTED_KEPT_FOR × LIFELINE_SCORECARD_MAX_AGE. Once an entry is older than MAX_AGE, the one request
# that takes its ":counting" lock counts it again while everyone else is shown the previous figures (the
# page says when they were counted), so a burst of requests never waits in a crowd. refresh_shared_scorecards
# (beat, every MAX_AGE / 2) counts again the entries people asked for in the last hour before they are
# due, so in production no request waits for a count at all. Who may see which team is decided on every
# request, before the cache is asked.
COUNTED_KEPT_FOR = 3  # × MAX_AGE: an older entry is never shown, but counted in the request
COUNTING_LOCK_SECONDS = 60  # far longer than a count takes; a lock left by a dead worker frees itself
ASKED_KEY = "insights:scorecard:v2:asked"  # {(quarter string, team ids): when last asked}
ASKED_FOR = datetime.timedelta(hours=1)  # refresh_shared_scorecards leaves entries not asked for longer alone
ASKED_LIMIT = 1000  # the most recently asked entries the registry keeps
ASKED_EVERY = 10 * 60  # seconds: how often a request notes again that an entry is still asked for
# × MAX_AGE: how old an entry refresh_shared_scorecards counts again. Half of MAX_AGE less a margin: beat
# runs every MAX_AGE / 2, and an entry counted exactly one run ago must not wait for the run after next
# (it would be due by then) because this run started a moment early.
REFRESH_AT = 0.4


def scorecard_key(quarter, team_ids):
    """The cache key of the figures for `quarter` and the set `team_ids`."""
    digest = hashlib.sha256(",".join(map(str, sorted(team_ids))).encode()).hexdigest()[:32]
    return f"insights:scorecard:v2:{settings.TIME_ZONE}:{quarter}:{digest}"


def _max_age():
    return datetime.timedelta(seconds=settings.LIFELINE_SCORECARD_MAX_AGE)


def _count_entries(wanted, now):
    """Count `wanted` ({cache key: (quarter, team ids)}) in one scorecard() call over their quarters and
    teams, write each entry {"at": now, "teams": {team id: (members, leaders, figures)}} to the cache
    and return them. Teams deleted meanwhile are simply not in the entry."""
    quarters = sorted({quarter for quarter, _ids in wanted.values()})
    ids = sorted({pk for _quarter, team_ids in wanted.values() for pk in team_ids})
    counted = {}
    for row in scorecard(teams=Team.objects.filter(pk__in=ids), quarters=quarters, now=now):
        for figures in row.quarters:
            counted[figures["quarter"], row.team.pk] = (row.members, row.leaders, figures)
    entries = {
        key: {"at": now, "teams": {pk: counted[quarter, pk] for pk in team_ids if (quarter, pk) in counted}}
        for key, (quarter, team_ids) in wanted.items()
    }
    cache.set_many(entries, COUNTED_KEPT_FOR * settings.LIFELINE_SCORECARD_MAX_AGE)
    return entries


def _note_asked(quarters, team_ids, now):
    """Note in the registry that `quarters` were asked for with `team_ids`. One key for all of them,
    rewritten under a short lock; a request that does not get the lock leaves it to the next one (its
    ":asked" mark is set only once the registry has it)."""
    lock = f"{ASKED_KEY}:writing"
    if not cache.add(lock, 1, timeout=10):
        return
    try:
        asked = cache.get(ASKED_KEY) or {}
        asked.update({(str(quarter), team_ids): now for quarter in quarters})
        newest = sorted(((item, at) for item, at in asked.items() if now - at <= ASKED_FOR),
                        key=lambda pair: pair[1], reverse=True)[:ASKED_LIMIT]
        cache.set(ASKED_KEY, dict(newest), timeout=int(ASKED_FOR.total_seconds()))
        marks = {f"{scorecard_key(quarter, team_ids)}:asked": 1 for quarter in quarters}
        cache.set_many(marks, timeout=ASKED_EVERY)
    finally:
        cache.delete(lock)


def shared_scorecard(*, teams, quarters):
    """The scorecard as the pages show it: (rows, counted_at).

    `teams` are the teams the viewer may see. Their figures are `scorecard()`'s, kept in the cache per
    quarter and set of teams and shared by everyone who sees the same teams (the figures are the teams',
    never a person's); `counted_at` says when they were counted. An entry older than
    LIFELINE_SCORECARD_MAX_AGE is counted again by the one request that takes its lock while the others
    get it as it is; one older than COUNTED_KEPT_FOR times that (or none) is counted in the request.
    Four queries for the quarters it counts, none for the others."""
    teams = list(teams)
    if not teams:
        return [], None
    ids = tuple(sorted(team.pk for team in teams))
    keys = {quarter: scorecard_key(quarter, ids) for quarter in quarters}
    found = cache.get_many([*keys.values(), *(f"{key}:asked" for key in keys.values())])
    now, max_age = timezone.now(), _max_age()
    entries, count, locks = {}, [], []
    for quarter, key in keys.items():
        entry = found.get(key)
        if entry is None or now - entry["at"] > COUNTED_KEPT_FOR * max_age:
            count.append(quarter)
        elif now - entry["at"] > max_age and cache.add(f"{key}:counting", 1, timeout=COUNTING_LOCK_SECONDS):
            count.append(quarter)
            locks.append(f"{key}:counting")
        else:
            entries[quarter] = entry
    if count:
        try:
            fresh = _count_entries({keys[quarter]: (quarter, ids) for quarter in count}, now)
        finally:
            cache.delete_many(locks)
        entries.update({quarter: fresh[keys[quarter]] for quarter in count})
    unnoted = [quarter for quarter, key in keys.items() if f"{key}:asked" not in found]
    if unnoted:
        _note_asked(unnoted, ids, now)
    rows = []
    for team in teams:
        counted = [entries[quarter]["teams"].get(team.pk) for quarter in quarters]
        if None in counted:  # deleted while we counted
            continue
        members, leaders, _figures = counted[-1]
        rows.append(TeamFigures(team=team, members=members, leaders=leaders, quarters=[c[2] for c in counted]))
    return rows, min(entry["at"] for entry in entries.values())


def _to_refresh(keys):
    """Those of `keys` whose entry is gone or at least REFRESH_AT × LIFELINE_SCORECARD_MAX_AGE old."""
    found = cache.get_many(keys) if keys else {}
    oldest = timezone.now() - REFRESH_AT * _max_age()
    return [key for key in keys if key not in found or found[key]["at"] <= oldest]


def refresh_shared_scorecards():
    """Count again, before they are due, the shared entries asked for in the last hour that are at least
    REFRESH_AT × LIFELINE_SCORECARD_MAX_AGE old (or gone), one scorecard() call per quarter; leave out sets
    with a team that no longer exists, and entries another worker is counting (their lock). Returns how
    many entries it wrote. Run twice at once, each entry is counted once."""
    now = timezone.now()
    asked = [(Quarter.parse(quarter), team_ids) for (quarter, team_ids), at in (cache.get(ASKED_KEY) or {}).items()
             if now - at <= ASKED_FOR]
    if not asked:
        return 0
    existing = set(Team.objects.filter(pk__in={pk for _q, team_ids in asked for pk in team_ids})
                   .values_list("pk", flat=True))
    wanted = {scorecard_key(quarter, team_ids): (quarter, team_ids) for quarter, team_ids in asked
              if quarter is not None and existing.issuperset(team_ids)}
    written, todo = 0, _to_refresh(list(wanted))
    for quarter in sorted({wanted[key][0] for key in todo}):
        locked = [key for key in todo
                  if wanted[key][0] == quarter and cache.add(f"{key}:counting", 1, timeout=COUNTING_LOCK_SECONDS)]
        try:
            mine = _to_refresh(locked)  # once more under the lock: another worker may have just written them
            if mine:
                written += len(_count_entries({key: wanted[key] for key in mine}, timezone.now()))
        finally:
            cache.delete_many([f"{key}:counting" for key in locked])
    return written


# -- the customer pulse -------------------------------------------------------------------------


def pulse_totals(months):
    """[{month, products_returned, …}] for each of `months`, every row of the month added up. One query."""
    rows = (
        PulseFigure.objects.filter(month__in=months)
        .values("month")
        .annotate(**{name: Sum(name) for name in PULSE_FIELDS}, rows=Count("pk"))
        .order_by()
    )
    by_month = {row["month"]: row for row in rows}
    empty = dict.fromkeys(PULSE_FIELDS, 0)
    return [{"month": m, "recorded": m in by_month, **empty, **{k: v for k, v in by_month.get(m, {}).items()
                                                               if k in PULSE_FIELDS}} for m in months]


def pulse_rows(month):
    """The figures recorded for one month, the row not tied to a customer first. One query."""
    return list(PulseFigure.objects.filter(month=month).select_related("customer", "recorded_by")
                .order_by(F("customer__name").asc(nulls_first=True), "id"))


BRIEF_PULSE_MONTHS = 6


def brief_pulse(customer, user, *, months=BRIEF_PULSE_MONTHS, now=None):
    """The listener brief's part (customers.brief): the customer's pulse figures over the last
    `months` months (this one included), added up, for those who may read the pulse. None when none
    were recorded for them. One query."""
    if not can(user, "pulse.view"):
        return None
    window = last_months(months, until=timezone.localdate(now) if now else None)
    found = PulseFigure.objects.filter(customer=customer, month__gte=window[0], month__lte=window[-1]).aggregate(
        rows=Count("pk"), **{name: Sum(name) for name in PULSE_FIELDS}
    )
    if not found["rows"]:
        return None
    fields = {name: PulseFigure._meta.get_field(name).verbose_name for name in PULSE_FIELDS}
    return {
        "figures": [{"label": fields[name], "value": found[name] or 0} for name in PULSE_FIELDS],
        "note": _("Added up over the last %(count)s months.") % {"count": months},
    }


def pulse_issues(limit=12):
    return list(PulseIssue.objects.select_related("published_by").order_by("-month")[:limit])


CHECK_PULSE_MONTHS = 3


def check_pulse(check, customers, *, months=CHECK_PULSE_MONTHS, now=None):
    """Impact check evidence (decisions.evidence): each of `customers`' pulse totals over the `months`
    whole months before the month the decision was decided and the `months` after it, up to the last
    month that has ended. Plain values, so the check can keep them. One query (none without customers).

    The month of the decision itself is in neither window: it holds days before and after."""
    if not customers:
        return None
    decided = timezone.localtime(check.decided_at, timezone.get_default_timezone()).date().replace(day=1)
    current = timezone.localtime(now or timezone.now(), timezone.get_default_timezone()).date().replace(day=1)
    before = [add_months(decided, -i) for i in range(months, 0, -1)]
    after = [m for m in (add_months(decided, i) for i in range(1, months + 1)) if m < current]
    sums = {}
    rows = PulseFigure.objects.filter(customer__in=[c.pk for c in customers], month__in=before + after)
    for customer_id, month, *values in rows.values_list("customer_id", "month", *PULSE_FIELDS).order_by():
        side = "before" if month < decided else "after"
        totals = sums.setdefault((customer_id, side), dict.fromkeys(PULSE_FIELDS, 0))
        for name, value in zip(PULSE_FIELDS, values):
            totals[name] += value
    if not sums:
        return {"months": months, "rows": []}
    empty = dict.fromkeys(PULSE_FIELDS, 0)
    return {
        "months": months,
        "after_months": len(after),
        "rows": [
            {
                "name": c.name,
                "before": sums.get((c.pk, "before"), empty),
                "after": sums.get((c.pk, "after"), empty),
                "after_recorded": bool(after),
            }
            for c in customers
        ],
    }


def check_pulse_present(kept):
    """The kept evidence with each figure's translated label, in the pulse's order, for its template."""
    labels = {name: PulseFigure._meta.get_field(name).verbose_name for name in PULSE_FIELDS}
    rows = [
        {**row, "figures": [
            {"label": labels[name], "before": row["before"].get(name, 0), "after": row["after"].get(name, 0)}
            for name in PULSE_FIELDS
        ]}
        for row in kept.get("rows", [])
    ]
    return {**kept, "rows": rows}


def pulse_months(count=6, until=None):
    return last_months(count, until=until)


# -- home page panels ---------------------------------------------------------------------------


def _this_month(now=None):
    """The viewer's current month as a pair of aware datetimes."""
    local = timezone.localtime(now or timezone.now())
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    nxt = add_months(start.date(), 1)
    end = timezone.make_aware(datetime.datetime.combine(nxt, datetime.time.min), timezone.get_current_timezone())
    return start, end


def open_seats_panel(user, *, limit=4, now=None):
    """Home: meetings later this month whose listener seats are still open to sign up for, leaving
    out those the viewer hosts or already has (or had) a seat at. One query over the month's
    meetings still to come: ends_at > now follows from starts_at > now, and said outright it lets
    the query walk meeting_upcoming_idx (status, ends_at) rather than every past meeting."""
    now = now or timezone.now()
    start, end = _this_month(now)
    rows = list(
        open_seats(start=start, end=end, now=now)
        .exclude(host=user)
        .exclude(Exists(Seat.objects.filter(meeting=OuterRef("pk"), user=user)))[: limit + 1]
    )
    return {"meetings": rows[:limit], "more": len(rows) > limit, "month": start}


def open_seats(*, start, end, now):
    """Meetings starting between `start` and `end` (and after `now`) that still take sign-ups and have
    a seat left, by start, whoever looks (see open_seats_panel). Seats taken are the `seats_taken`
    column the seat services keep."""
    return (
        Meeting.objects.filter(
            status=Meeting.Status.SCHEDULED, starts_at__gte=start, starts_at__lt=end,
            starts_at__gt=now, ends_at__gt=now, signup_closes_at__gt=now, seats_taken__lt=F("seats"),
        )
        .select_related("customer")
        .only("id", "host_id", "title", "starts_at", "signup_closes_at", "seats", "seats_taken", "customer__name")
        .order_by("starts_at", "id")
    )


def next_hosted_panel(user, *, now=None):
    """Home, for customer-facing hosts: the next customer meeting they host (meetings' own panel
    shows the meetings people listen in on). One query; left out when there is none."""
    if not can(user, "meeting.create"):
        return None
    from meetings.selectors import with_counts

    meeting = (
        with_counts(Meeting.objects.filter(host=user, status=Meeting.Status.SCHEDULED, ends_at__gt=now or timezone.now()))
        .select_related("customer")
        .order_by("starts_at", "id")
        .first()
    )
    return {"meeting": meeting} if meeting is not None else None


def _newest(rows, *columns):
    """The first of `rows` (correlated to the outer customer) as one JSON object of `columns` (each
    key named after its column): one subquery per kind of thing rather than one per column shown."""
    return Subquery(rows.values(row=JSONObject(**{column: column for column in columns}))[:1], output_field=JSONField())


def followed_panel(user, *, limit=12):
    """Home: customers I follow, most recently active first, each with its newest story, decision and
    meeting (a correlated subquery each, walking the per-customer indexes). One query."""
    followed = Customer.objects.filter(Exists(Follow.objects.filter(user=user, customer=OuterRef("pk"))))
    rows = whats_new(followed.order_by("-last_activity_at", "id"), user=user, count=limit + 1)
    return {"customers": rows[:limit], "more": len(rows) > limit}


def whats_new(customers, *, user, count=None):
    """The first `count` of `customers` (a Customer queryset), each with its newest story that `user` may
    read (stories.selectors.readable_by; never an anonymised one, which would be shown under the
    customer's name), decision and meeting as story_pk, story_title, … attributes. One query."""
    stories = (
        story_selectors.readable_published(user)
        .filter(customer=OuterRef("pk"))
        .exclude(naming=Story.Naming.ANONYMISED)
        .order_by("-published_at", "-id")
    )
    decisions = Decision.objects.filter(customers=OuterRef("pk")).exclude(status=Decision.Status.DRAFT).order_by(
        "-created_at", "-id")
    meetings = Meeting.objects.filter(customer=OuterRef("pk"), status=Meeting.Status.SCHEDULED).order_by(
        "-starts_at", "-id")
    rows = list(
        customers.annotate(
            newest_story=_newest(stories, "pk", "slug", "title", "published_at"),
            newest_decision=_newest(decisions, "pk", "title", "status"),
            newest_meeting=_newest(meetings, "pk", "title", "starts_at"),
        )
        .only("id", "name", "slug", "industry", "status", "last_activity_at")[:count]
    )
    for customer in rows:
        story = customer.newest_story or {}
        customer.story_pk, customer.story_slug = story.get("pk"), story.get("slug")
        customer.story_title, customer.story_at = story.get("title"), db_datetime(story.get("published_at"))
        decision = customer.newest_decision or {}
        customer.decision_pk, customer.decision_title = decision.get("pk"), decision.get("title")
        customer.decision_status_label = Decision.Status(decision["status"]).label if decision else ""
        meeting = customer.newest_meeting or {}
        customer.meeting_pk, customer.meeting_title = meeting.get("pk"), meeting.get("title")
        customer.meeting_at = db_datetime(meeting.get("starts_at"))
    return rows


# -- the customer timeline (customers.timeline) -----------------------------------------------------


def timeline_entries(customer, user, *, before, since, until, kinds, limit):
    """The customer's monthly pulse figures, dated the first of their month (the company's midnight),
    for those who may read the pulse. One query (none without the permission)."""
    import datetime as dt

    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.text import capfirst

    from customers.timeline import Entry

    if not can(user, "pulse.view"):
        return []
    zone = timezone.get_default_timezone()

    def at(month):
        return dt.datetime.combine(month, dt.time.min, tzinfo=zone)

    def day(moment):
        return timezone.localtime(moment, zone).date()

    rows = PulseFigure.objects.filter(customer=customer)
    if before is not None:
        # A month's moment is its first day's midnight, so the cursor's moment turns into months.
        first = day(before.at)
        older = Q(month__lt=first) | (Q(month=first) if at(first) < before.at else Q(pk__in=[]))
        if at(first) == before.at and before.order > 40:
            older |= Q(month=first)
        elif at(first) == before.at and before.order == 40:
            older |= Q(month=first, pk__lt=before.pk)
        rows = rows.filter(older)
    if since is not None:
        rows = rows.filter(month__gte=day(since))
    if until is not None:
        rows = rows.filter(month__lt=day(until))
    rows = list(rows.only("id", "month", *PULSE_FIELDS).order_by("-month", "-id")[:limit])
    labels = {name: PulseFigure._meta.get_field(name).verbose_name for name in PULSE_FIELDS}
    return [
        Entry(at=at(p.month), source="pulse", pk=p.pk, title=capfirst(date_format(p.month, "YEAR_MONTH_FORMAT")), dated="",
              url=reverse("insights:pulse"),
              detail=" · ".join(f"{labels[name]}: {getattr(p, name)}" for name in PULSE_FIELDS if getattr(p, name)))
        for p in rows
    ]
