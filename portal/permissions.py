"""Who may do what: one table of roles × actions, used by views, htmx endpoints, services, templates,
the admin and the digest alike.

This is the bottom layer: it imports no app. Relations look at plain attributes of the object they
are given (`author_id`, `owner_id`, `host_id`, `account_owner_id`, `team_id`, `user_id`, `status`),
so any model, or a `SimpleNamespace` standing in for one not yet saved, works.

    can(user, "story.edit", story)      -> bool
    require(user, "story.edit", story)  # raises PermissionDenied
    {% can "story.edit" story as may_edit %}   (templatetags/portal.py)
    manage.py permissions                       (prints the table)

A rule allows an action when the person has one of its roles, OR stands in one of its relations to
the object; when it `requires` other actions, those must be allowed too. Business state (sign-up
closed, decision closed, a story not yet published for reactions) is not a permission: the services
check it and say why.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

ANONYMOUS, STAFF, HOST, LEADER, ADMIN = "anonymous", "staff", "host", "leader", "admin"
ROLES = (ANONYMOUS, STAFF, HOST, LEADER, ADMIN)
EVERYONE = frozenset(ROLES)  # public: no sign-in needed (a secret token is the key, or nothing is secret)
SIGNED_IN = frozenset({STAFF, HOST, LEADER, ADMIN})
WRITERS = frozenset({HOST, LEADER, ADMIN})


def roles_of(user):
    """The roles a person holds: their role (leader/staff/host), plus admin for `is_staff`."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset({ANONYMOUS})
    roles = {user.role} if user.role in (STAFF, HOST, LEADER) else {STAFF}
    if user.is_staff:
        roles.add(ADMIN)
    return frozenset(roles)


def _is(value, pk):
    return value is not None and value == pk


def _pulse_team_host(user, obj):
    team = getattr(user, "team", None)
    slug = getattr(settings, "LIFELINE_PULSE_TEAM", "customer-success")
    return user.role == HOST and team is not None and team.slug == slug


def _holds_seat(user, obj):
    """The meeting carries the viewer's own seat as `viewer_seat` (meetings.selectors.my_seat)."""
    seat = getattr(obj, "viewer_seat", None)
    # "offered": a waitlisted person offered a freed seat who has not answered yet still holds their place.
    return seat is not None and _is(getattr(seat, "user_id", None), user.pk) and seat.status in ("confirmed", "offered", "waitlisted")


# name -> (what it means, test(user, obj)); obj may be None, and then only user-only relations hold.
RELATIONS = {
    "author": (_("wrote it"), lambda user, obj: _is(getattr(obj, "author_id", None), user.pk)),
    "draft_author": (
        _("wrote it, and it is not published yet"),
        lambda user, obj: _is(getattr(obj, "author_id", None), user.pk) and getattr(obj, "status", None) != "published",
    ),
    "owner": (_("owns it"), lambda user, obj: _is(getattr(obj, "owner_id", None), user.pk)),
    "team_leader": (
        _("leads the team it belongs to"),
        lambda user, obj: user.role == LEADER and _is(getattr(obj, "team_id", None), user.team_id),
    ),
    "host": (_("hosts it"), lambda user, obj: _is(getattr(obj, "host_id", None), user.pk)),
    "account_owner": (_("owns the customer account"), lambda user, obj: _is(getattr(obj, "account_owner_id", None), user.pk)),
    "self": (_("it is their own (their seat, their debrief)"), lambda user, obj: _is(getattr(obj, "user_id", None), user.pk)),
    "decider": (_("decided it"), lambda user, obj: _is(getattr(obj, "decided_by_id", None), user.pk)),
    "reviewer": (
        _("reviewed it, or was asked to"),
        lambda user, obj: user.pk is not None and user.pk in (getattr(obj, "reviewer_ids", None) or ()),
    ),
    "audience_member": (
        _("is in one of the teams it is shown to"),
        lambda user, obj: getattr(obj, "visibility", None) == "teams"
        and user.team_id is not None
        and user.team_id in getattr(obj, "audience_team_ids", ()),
    ),
    "team_member": (_("is a member of the team"), lambda user, obj: _is(getattr(obj, "pk", None), user.team_id)),
    "pulse_team_host": (_("is a host in the Customer Success team"), _pulse_team_host),
    "customer_facing": (
        _("is in a customer-facing team (sales, service, account management)"),
        lambda user, obj: getattr(getattr(user, "team", None), "kind", None) == "customer_facing",
    ),
    "note_recipient": (
        _("the note is routed to them or to their team"),
        lambda user, obj: _is(getattr(obj, "route_user_id", None), user.pk)
        or _is(getattr(obj, "route_team_id", None), user.team_id),
    ),
    "seat_holder": (_("holds a seat at it, confirmed or on the waitlist"), _holds_seat),
    "pilot_owner": (_("owns its pilot"), lambda user, obj: _is(getattr(obj, "pilot_owner_id", None), user.pk)),
}


@dataclass(frozen=True)
class Rule:
    roles: frozenset = frozenset()
    relations: tuple = ()
    requires: tuple = ()
    help: str = ""


RULES = {
    # People and the site
    "site.use": Rule(SIGNED_IN, help="Home page, search, own settings: any signed-in colleague."),
    "admin.site": Rule({ADMIN}, help="Django admin (Django also checks is_staff)."),
    # Customers
    "customer.view": Rule(SIGNED_IN, help="Directory, customer page, autocomplete."),
    "customer.follow": Rule(SIGNED_IN),
    "customer.import": Rule({ADMIN}, help="CSV import from the CRM."),
    "contact.edit": Rule({ADMIN}, ("account_owner",), help="Add, edit, delete contacts and their FORD notes."),
    "contact.erase": Rule({ADMIN}, help="Erase a person (admin action)."),
    # Stories
    "story.view": Rule(SIGNED_IN, help="Published stories: feed, page, present, Atom."),
    "story.feed": Rule(EVERYONE, help="A private Atom feed: the secret token is the key; it shows what its owner may read."),
    "feed.reset": Rule(SIGNED_IN, help="One's own feed address."),
    "story.read_draft": Rule({LEADER, ADMIN}, ("author",), help="Drafts and submitted stories (404 for others)."),
    "story.read_restricted": Rule(
        {LEADER, ADMIN}, ("author", "audience_member"), ("story.view",),
        help="Stories shown to leaders only or to chosen teams (404 for others).",
    ),
    "story.write": Rule(WRITERS, help="Write a new story (hosts submit theirs for review)."),
    "story.publish": Rule({LEADER, ADMIN}, help="Publish, unpublish, the review queue, story history."),
    "story.edit": Rule({LEADER, ADMIN}, ("draft_author",), ("story.write",)),
    "story.submit": Rule(frozenset(), ("author",), ("story.edit",), help="The author hands a draft to the leaders."),
    "story.react": Rule(SIGNED_IN),
    "story.comment": Rule(SIGNED_IN),
    "comment.edit": Rule(frozenset(), ("author",)),
    "comment.delete": Rule({ADMIN}, ("author",)),
    # Decisions
    "decision.view": Rule(SIGNED_IN),
    "decision.create": Rule(SIGNED_IN, help="Open the form; the decision itself needs decision.manage on its owner and team."),
    "decision.manage": Rule({ADMIN}, ("owner", "team_leader"), help="Edit, request reviews, change status, record the outcome."),
    "decision.review": Rule(SIGNED_IN, help="File a customer impact review."),
    "impact_check.record": Rule(
        {ADMIN}, ("decider", "reviewer"),
        help="Record what actually happened for customers after a decision (the object is the check).",
    ),
    "review.edit": Rule(frozenset(), ("author",), help="Change one's own impact review."),
    # Meetings
    "meeting.view": Rule(SIGNED_IN, help="Meetings list, page, my meetings, team quotas."),
    "meeting.create": Rule({HOST, ADMIN}),
    "meeting.manage": Rule({ADMIN}, ("host",), help="Edit, cancel, see and remove listeners."),
    "meeting.signup": Rule(SIGNED_IN, help="Take or give up a listener seat (sign-up windows are business rules)."),
    "meeting.brief": Rule(
        {LEADER, ADMIN}, ("host", "seat_holder"),
        help="The listener brief (profile, people and their FORD notes, stories, decisions, pulse): page, print, reminder.",
    ),
    "meeting.attendance": Rule({ADMIN}, ("host",), help="Mark who attended; see who did not."),
    "offer.respond": Rule(frozenset(), ("self",), help="Accept or decline a seat offered to oneself (the object is the seat)."),
    "calendar.feed": Rule(EVERYONE, help="The secret token is the key."),
    "calendar.reset": Rule(SIGNED_IN, help="One's own feed address."),
    "debrief.write": Rule(frozenset(), ("self",), help="Listeners with a confirmed seat (the object is the seat)."),
    "debrief.react": Rule(SIGNED_IN),
    "debrief.to_story": Rule(frozenset(), ("self",), ("story.write",), help="One's own debrief, by someone who writes stories."),
    # Digests
    "digest.preview": Rule(SIGNED_IN, help="One's own next digest."),
    "digest.settings": Rule(SIGNED_IN, help="The settings page (it only ever shows one's own)."),
    "preferences.edit": Rule(frozenset(), ("self",), help="Change notification preferences: one's own only."),
    "digest.unsubscribe": Rule(EVERYONE, help="The signed token is the key (RFC 8058)."),
    # Insights
    "scorecard.view": Rule(SIGNED_IN, help="The scorecard lists the teams one may see."),
    "scorecard.team": Rule({ADMIN}, ("team_member",), help="One team's scorecard (404 for others)."),
    "pulse.view": Rule(SIGNED_IN),
    "pulse.record": Rule({ADMIN}, ("pulse_team_host",), help="Record, import and publish the customer pulse."),
    # The quarterly employee pulse ("do we know our customers?"; survey/)
    "survey.answer": Rule(EVERYONE, help="The answer page an invitation links to: its signed, single-use key is the key."),
    "survey.take": Rule(SIGNED_IN, help="Answer this quarter's pulse signed in (one's own invitation)."),
    "survey.manage": Rule({ADMIN}, help="Set a quarter's questions, open and close the pulse, see response rates."),
    "survey.results": Rule(
        {LEADER, ADMIN},
        help="The pulse's answers without names: leaders their own team's, admins every team's; teams of 5 answers or more.",
    ),
    # The shared customer timeline and the 3-2-1 contact rhythm (loops)
    "note.write": Rule(
        {HOST, ADMIN}, ("customer_facing", "account_owner"), ("customer.view",),
        help="Add a note to a customer's timeline (the object is the customer): service, sales, account management.",
    ),
    "note.read_restricted": Rule(
        {LEADER, ADMIN}, ("author", "audience_member", "note_recipient"), ("customer.view",),
        help="Notes shown to leaders only or to chosen teams (left out of the timeline for others).",
    ),
    "note.edit": Rule(
        {ADMIN}, ("author",), ("customer.view",),
        help="Correct or delete one's own note (admins any note) while it is not routed or still waits for an answer.",
    ),
    "note.respond": Rule(
        {ADMIN}, ("note_recipient",),
        help="Acknowledge or answer a routed note: the account owner or the team it is routed to.",
    ),
    "rhythm.use": Rule(
        {HOST}, ("customer_facing",),
        help="Turn on the weekly contact rhythm, see its suggestions (with FORD openers) and progress.",
    ),
    "touch.log": Rule(
        {ADMIN}, ("account_owner",), ("customer.view",),
        help="Log a touch (email, card, call) with a customer one owns (the object is the customer).",
    ),
    # Complaint patterns and improvement ideas
    "complaint.import": Rule({HOST, ADMIN}, help="Import complaint records (CSV) from the support desk."),
    "complaint.read_named": Rule(
        {HOST, ADMIN}, ("account_owner",),
        help="See the name and complaint texts of a customer who asked not to be named (the object is the customer); "
        "others see its anonymised description.",
    ),
    "improvement.view": Rule(SIGNED_IN, help="Complaint patterns, improvement ideas, pilots, the quarterly summary."),
    "improvement.create": Rule(SIGNED_IN, help="Open an improvement idea (from a pattern or not)."),
    "improvement.join": Rule(SIGNED_IN, help="Join or leave an idea oneself."),
    "improvement.team": Rule({ADMIN}, ("team_leader",), help="Add one's team to an idea or take it off (the object is the team)."),
    "improvement.manage": Rule(
        {LEADER, ADMIN}, ("author", "pilot_owner"),
        help="Edit an idea, start its pilot, record the result, adopt or drop it.",
    ),
    # Slack and Teams channels
    "webhook.manage": Rule({ADMIN}, help="Add and change Slack and Teams channels, send test messages, see what was posted."),
}


def can(user, action, obj=None):
    """May `user` do `action` (to `obj`)? An unknown action is a programming error, not a "no"."""
    try:
        rule = RULES[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}: add it to portal.permissions.RULES") from None
    if ANONYMOUS in rule.roles:
        return True
    roles = roles_of(user)
    if ANONYMOUS in roles:
        return False
    allowed = bool(roles & rule.roles) or any(RELATIONS[name][1](user, obj) for name in rule.relations)
    return allowed and all(can(user, other, obj) for other in rule.requires)


def require(user, action, obj=None, message=None):
    """`can`, or PermissionDenied (a 403 in a view)."""
    if not can(user, action, obj):
        raise PermissionDenied(message) if message else PermissionDenied
    return True


def matrix():
    """[(action, {role: "yes" | "author or …" | ""}, rule)]: the table for documentation and tests."""
    return [(action, {role: _cell(role, action) for role in ROLES}, rule) for action, rule in RULES.items()]


def _cell(role, action):
    rule = RULES[action]
    if role in rule.roles:
        return "yes"
    if role == ANONYMOUS or not rule.relations or not all(_cell(role, other) for other in rule.requires):
        return ""
    return " or ".join(rule.relations)
