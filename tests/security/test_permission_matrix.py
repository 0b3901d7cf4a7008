"""Every URL × every persona × GET and POST, checked against the permission matrix (portal/permissions.py).

The walker reads every pattern from the root URLconf. A pattern whose name is not in URLS below fails
`test_every_url_is_in_the_matrix`, so a new URL cannot ship without saying who may use it. Each entry
maps a method to the matrix action that governs it (and the object the action is about), to PUBLIC, or
is left out (the method must be refused with 405). Admin URLs are one rule ("admin.site"); a few are
requested.

What is asserted, from `can(user, action, obj)`:
- allowed: not 403/404/405 and not a redirect to sign in;
- denied: 403 or 404 (404 where existence must not leak, e.g. drafts; admin redirects to its login);
- anonymous: a redirect to sign in, except PUBLIC URLs;
- a method the URL does not take: 405;
- never a 5xx.
POSTs carry no data (or a minimal field, which a GET carries in its address): only the permission is
judged, not that the write worked.
"""

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from meetings.offers import offer_token
from portal.models import Team, User
from portal.permissions import ROLES, can
from tests.factories import (
    ContactFactory, CustomerFactory, DebriefFactory, DecisionFactory, ImpactReviewFactory,
    MeetingFactory, SeatFactory, StoryFactory, TeamFactory, ThemeFactory, UserFactory,
)

PUBLIC = "public"
PERSONAS = [
    "anonymous", "staff", "host", "leader", "admin",
    # relations: the draft's and the comment's author, the decision's owner, the meetings' host,
    # the customer's account owner, a listener with a confirmed seat and a debrief
    "author", "decision_owner", "meeting_host", "account_owner", "listener",
]
ADMIN_SAMPLES = [
    "admin:index", "admin:customers_customer_changelist", "admin:customers_contact_changelist",
    "admin:stories_story_changelist", "admin:decisions_decision_changelist", "admin:meetings_meeting_changelist",
    # Slack and Teams channels: the admin is where they are managed ("webhook.manage")
    "admin:webhooks_channel_changelist", "admin:webhooks_channel_add", "admin:webhooks_delivery_changelist",
]


@dataclass
class Case:
    """One way to request a URL: its kwargs, and for each method the action it needs (absent: 405)."""

    kwargs: object = None  # world -> dict
    GET: object = None  # (action, object key or callable(world, user)) | PUBLIC | None (405)
    POST: object = None
    label: str = ""
    data: dict = field(default_factory=dict)
    signs_out: bool = False  # success is a redirect to the sign-in page


def A(action, obj=None):
    return (action, obj)


def own_seat(meeting_key):
    """The requesting person's confirmed seat at the meeting (debriefs are written on one's own seat)."""

    def lookup(world, user):
        meeting = world[meeting_key]
        return meeting.seat_set.filter(user=user, status="confirmed").first() if user.is_authenticated else None

    return lookup


def with_my_seat(meeting_key):
    """The meeting carrying the requesting person's own seat, as the brief's access check sees it."""

    def lookup(world, user):
        meeting = world[meeting_key]
        meeting.viewer_seat = meeting.seat_set.filter(user=user).first() if user.is_authenticated else None
        return meeting

    return lookup


def slug(key):
    return lambda w: {"slug": w[key].slug}


def pk(key):
    return lambda w: {"pk": w[key].pk}


def story(key):
    return lambda w: {"pk": w[key].pk, "slug": w[key].slug}


def comment(w):
    return {"pk": w["published"].pk, "comment_pk": w["comment"].pk}


def contact(w):
    return {"slug": w["customer"].slug, "pk": w["contact"].pk}


URLS = {
    # portal
    "home": [Case(GET=A("site.use"))],
    "set_language": [Case(POST=PUBLIC, data={"language": "en", "next": "/"})],
    "healthz": [Case(GET=PUBLIC)],
    "bench_floor": [Case(GET=A("site.use"))],
    "bench_peer_feed": [Case(GET=A("story.view"))],
    "bench_peer_story": [Case(pk("published"), GET=A("story.view"))],
    "people_autocomplete": [Case(GET=A("site.use"))],
    # django.contrib.auth (the sign-in page is also mounted by auth.urls under the same name)
    "login": [Case(GET=PUBLIC, POST=PUBLIC)],
    # company sign-in (portal/signin.py; `world` configures a provider): the start sends the browser to the
    # provider, the callback without the state it was sent with is refused with a page (400)
    "oidc_start": [Case(GET=PUBLIC)],
    "oidc_callback": [Case(GET=PUBLIC)],
    "logout": [Case(POST=A("site.use"), signs_out=True)],
    "password_change": [Case(GET=A("site.use"), POST=A("site.use"))],
    "password_change_done": [Case(GET=A("site.use"))],
    "password_reset": [Case(GET=PUBLIC, POST=PUBLIC)],
    "password_reset_done": [Case(GET=PUBLIC)],
    "password_reset_confirm": [Case(lambda w: {"uidb64": "MQ", "token": "set-password"}, GET=PUBLIC, POST=PUBLIC)],
    "password_reset_complete": [Case(GET=PUBLIC)],
    # customers
    "customers:directory": [Case(GET=A("customer.view"))],
    "customers:import": [Case(GET=A("customer.import"), POST=A("customer.import"))],
    "customers:import_status": [Case(pk("customer_import"), GET=A("customer.import"))],
    "customers:autocomplete": [Case(GET=A("customer.view"))],
    "customers:detail": [Case(slug("customer"), GET=A("customer.view"))],
    "customers:follow": [Case(slug("customer"), POST=A("customer.follow"))],
    "customers:contact_new": [Case(slug("customer"), GET=A("contact.edit", "customer"), POST=A("contact.edit", "customer"))],
    "customers:contact_edit": [Case(contact, GET=A("contact.edit", "customer"), POST=A("contact.edit", "customer"))],
    "customers:contact_delete": [Case(contact, POST=A("contact.edit", "customer"))],
    # stories
    "stories:feed": [Case(GET=A("story.view"))],
    "stories:new": [Case(GET=A("story.write"), POST=A("story.write"))],
    "stories:review": [Case(GET=A("story.write"))],
    "stories:preview": [Case(POST=A("story.write"), data={"body": "*hi*"})],
    "stories:give_me_one": [Case(GET=A("story.view"))],
    "stories:atom": [Case(GET=A("story.view"))],
    "stories:subscribe": [Case(GET=A("story.view"))],
    "stories:subscribe_reset": [Case(POST=A("feed.reset"))],
    # the private feeds: the token is the key (a wrong one is a 404, tests/stories/test_reader_feeds.py)
    "stories:reader_feed": [Case(lambda w: {"token": w["staff"].feed_token}, GET=PUBLIC)],
    "stories:reader_feed_following": [Case(lambda w: {"token": w["staff"].feed_token}, GET=PUBLIC)],
    "stories:reader_feed_customer": [
        Case(lambda w: {"token": w["staff"].feed_token, "slug": w["customer"].slug}, GET=PUBLIC)
    ],
    "stories:reader_feed_theme": [Case(lambda w: {"token": w["staff"].feed_token, "slug": w["theme"].slug}, GET=PUBLIC)],
    "stories:detail_short": [
        Case(pk("published"), GET=A("story.view"), label="published"),
        Case(pk("draft"), GET=A("story.read_draft", "draft"), label="draft"),
        Case(pk("leaders_only"), GET=A("story.read_restricted", "leaders_only"), label="leaders only"),
        Case(pk("team_story"), GET=A("story.read_restricted", "team_story"), label="teams"),
    ],
    "stories:detail": [
        Case(story("published"), GET=A("story.view"), label="published"),
        Case(story("draft"), GET=A("story.read_draft", "draft"), label="draft"),
        Case(story("leaders_only"), GET=A("story.read_restricted", "leaders_only"), label="leaders only"),
        Case(story("team_story"), GET=A("story.read_restricted", "team_story"), label="teams"),
        Case(story("anonymised"), GET=A("story.view"), label="anonymised"),
    ],
    "stories:present": [
        Case(story("published"), GET=A("story.view"), label="published"),
        Case(story("draft"), GET=A("story.read_draft", "draft"), label="draft"),
        Case(story("leaders_only"), GET=A("story.read_restricted", "leaders_only"), label="leaders only"),
        Case(story("team_story"), GET=A("story.read_restricted", "team_story"), label="teams"),
    ],
    "stories:edit": [
        Case(story("published"), GET=A("story.edit", "published"), POST=A("story.edit", "published"), label="published"),
        Case(story("draft"), GET=A("story.edit", "draft"), POST=A("story.edit", "draft"), label="draft"),
    ],
    "stories:publish": [Case(pk("draft"), POST=A("story.publish", "draft"))],
    "stories:unpublish": [Case(pk("published"), POST=A("story.publish", "published"))],
    "stories:submit": [Case(pk("draft"), POST=A("story.submit", "draft"))],
    "stories:react": [
        Case(pk("published"), POST=A("story.react", "published"), data={"kind": "moved"}),
        Case(pk("leaders_only"), POST=A("story.read_restricted", "leaders_only"), data={"kind": "moved"}, label="leaders only"),
        Case(pk("team_story"), POST=A("story.read_restricted", "team_story"), data={"kind": "moved"}, label="teams"),
    ],
    "stories:comment_add": [
        Case(pk("published"), POST=A("story.comment", "published")),
        Case(pk("leaders_only"), POST=A("story.read_restricted", "leaders_only"), label="leaders only"),
        Case(pk("team_story"), POST=A("story.read_restricted", "team_story"), label="teams"),
    ],
    "stories:comment_edit": [Case(comment, GET=A("comment.edit", "comment"), POST=A("comment.edit", "comment"))],
    "stories:comment_delete": [Case(comment, POST=A("comment.delete", "comment"))],
    # decisions
    "decisions:log": [Case(GET=A("decision.view"))],
    "decisions:new": [Case(GET=A("decision.create"), POST=A("decision.create"))],
    "decisions:detail": [Case(pk("decision"), GET=A("decision.view"))],
    "decisions:edit": [Case(pk("decision"), GET=A("decision.manage", "decision"), POST=A("decision.manage", "decision"))],
    "decisions:request_reviews": [
        Case(pk("decision"), GET=A("decision.manage", "decision"), POST=A("decision.manage", "decision"))
    ],
    "decisions:review": [Case(pk("decision"), GET=A("decision.view"), POST=A("decision.review", "decision"))],
    "decisions:transition": [Case(pk("decision"), POST=A("decision.manage", "decision"), data={"to": "nonsense"})],
    "decisions:outcome": [Case(pk("decision"), GET=A("decision.manage", "decision"), POST=A("decision.manage", "decision"))],
    # the impact check of a decided decision: its decider (the owner), its reviewer (staff) and admins
    "decisions:check": [Case(pk("decided"), GET=A("impact_check.record", "impact_check"), POST=A("impact_check.record", "impact_check"))],
    "decisions:reopen_after_check": [Case(pk("decided"), POST=A("decision.manage", "decided"))],
    # meetings
    "meetings:list": [Case(GET=A("meeting.view"))],
    "meetings:new": [Case(GET=A("meeting.create"), POST=A("meeting.create"))],
    "meetings:mine": [Case(GET=A("meeting.view"))],
    "meetings:team": [Case(slug("finance"), GET=A("meeting.view"))],
    "meetings:calendar_reset": [Case(POST=A("calendar.reset"))],
    "meetings:calendar_feed": [Case(lambda w: {"token": w["feed"].token}, GET=PUBLIC)],
    "meetings:detail": [Case(pk("meeting"), GET=A("meeting.view"))],
    "meetings:brief": [
        Case(pk("meeting"), GET=A("meeting.brief", with_my_seat("meeting")), label="upcoming"),
        Case(pk("past_meeting"), GET=A("meeting.brief", with_my_seat("past_meeting")), label="past"),
    ],
    "meetings:edit": [Case(pk("meeting"), GET=A("meeting.manage", "meeting"), POST=A("meeting.manage", "meeting"))],
    "meetings:cancel_meeting": [Case(pk("meeting"), POST=A("meeting.manage", "meeting"))],
    "meetings:signup": [Case(pk("meeting"), POST=A("meeting.signup", "meeting"))],
    "meetings:cancel_seat": [Case(pk("meeting"), POST=A("meeting.signup", "meeting"))],
    "meetings:remove_listener": [
        Case(lambda w: {"pk": w["meeting"].pk, "seat_pk": w["seat"].pk}, POST=A("meeting.manage", "meeting"))
    ],
    "meetings:attendance": [
        Case(pk("past_meeting"), GET=A("meeting.attendance", "past_meeting"), POST=A("meeting.attendance", "past_meeting"))
    ],
    # the link in an offer email: only the person the seat is offered to (404 for everyone else)
    "meetings:offer": [
        Case(lambda w: {"token": offer_token(w["offered_seat"])}, GET=A("offer.respond", "offered_seat"),
             POST=A("offer.respond", "offered_seat"))
    ],
    "meetings:debrief": [
        Case(pk("past_meeting"), GET=A("debrief.write", own_seat("past_meeting")), POST=A("debrief.write", own_seat("past_meeting")))
    ],
    "meetings:debrief_to_story": [Case(pk("past_meeting"), POST=A("debrief.to_story", own_seat("past_meeting")))],
    "meetings:debrief_react": [
        Case(lambda w: {"pk": w["past_meeting"].pk, "debrief_pk": w["debrief"].pk}, POST=A("debrief.react", "debrief"))
    ],
    # digests
    "digests:preview": [Case(GET=A("digest.preview"))],
    "digests:settings": [Case(GET=A("digest.settings"), POST=A("digest.settings"))],
    "digests:unsubscribe": [Case(lambda w: {"token": w["unsubscribe_token"]}, GET=PUBLIC, POST=PUBLIC)],
    # insights
    "insights:scorecard": [Case(GET=A("scorecard.view"))],
    "insights:team": [Case(slug("finance"), GET=A("scorecard.team", "finance"))],
    "insights:pulse": [Case(GET=A("pulse.view"))],
    "insights:pulse_record": [Case(GET=A("pulse.record"), POST=A("pulse.record"))],
    "insights:pulse_import": [Case(GET=A("pulse.record"), POST=A("pulse.record"))],
    "insights:pulse_publish": [Case(POST=A("pulse.record"))],
    # the quarterly employee pulse (survey/): the answer page from the email link takes no sign-in, its signed
    # single-use key is the key (a wrong, used or expired one is a page saying so, tests/survey)
    "survey:answer": [Case(lambda w: {"token": w["answer_token"]}, GET=PUBLIC, POST=PUBLIC)],
    "survey:mine": [Case(GET=A("survey.take"), POST=A("survey.take"))],
    "survey:manage": [Case(GET=A("survey.manage"))],
    "survey:new": [Case(GET=A("survey.manage"), POST=A("survey.manage"))],
    "survey:edit": [Case(pk("survey_draft"), GET=A("survey.manage"), POST=A("survey.manage"))],
    "survey:open": [Case(pk("survey_draft"), POST=A("survey.manage"))],
    "survey:close": [Case(pk("survey_open"), POST=A("survey.manage"))],
    "survey:results": [Case(pk("survey_open"), GET=A("survey.results"))],
    # the shared customer timeline and the contact rhythm (loops)
    "loops:timeline": [Case(slug("customer"), GET=A("customer.view"))],
    "loops:note_add": [Case(slug("customer"), GET=A("note.write", "customer"), POST=A("note.write", "customer"))],
    "loops:note": [
        Case(pk("note"), GET=A("customer.view"), label="everyone"),
        Case(pk("leaders_note"), GET=A("note.read_restricted", "leaders_note"), label="leaders only"),
    ],
    # a note routed to Sales (the account owner's, the author's and the meeting host's team); POST with no
    # answer is refused by the service (a message, 302), not by the permission
    "loops:note_edit": [Case(pk("note"), GET=A("note.edit", "note"), POST=A("note.edit", "note"))],
    "loops:note_delete": [Case(pk("note"), POST=A("note.edit", "note"))],
    "loops:note_respond": [Case(pk("routed_note"), POST=A("note.respond", "routed_note"))],
    "loops:rhythm": [Case(GET=A("rhythm.use"))],
    "loops:rhythm_set": [Case(POST=A("rhythm.use"), data={"on": "1"})],
    "loops:touch_log": [Case(slug("customer"), POST=A("touch.log", "customer"), data={"kind": "call"})],
    # improvements: complaint patterns, ideas and pilots ("idea" is open and the "author" persona's;
    # "pilot_idea" is piloting, opened by the decision owner, its pilot owned by the listener)
    "improvements:patterns": [Case(GET=A("improvement.view"))],
    "improvements:import": [Case(GET=A("complaint.import"), POST=A("complaint.import"))],
    "improvements:import_status": [Case(pk("complaint_import"), GET=A("complaint.import"))],
    "improvements:ideas": [Case(GET=A("improvement.view"))],
    "improvements:idea_new": [Case(GET=A("improvement.create"), POST=A("improvement.create"))],
    "improvements:idea": [Case(pk("idea"), GET=A("improvement.view"))],
    "improvements:idea_edit": [
        Case(pk("idea"), GET=A("improvement.manage", "idea"), POST=A("improvement.manage", "idea"), label="open"),
        Case(pk("pilot_idea"), GET=A("improvement.manage", "pilot_idea"), POST=A("improvement.manage", "pilot_idea"),
             label="piloting"),
    ],
    "improvements:idea_join": [Case(pk("idea"), POST=A("improvement.join", "idea"))],
    "improvements:idea_team": [Case(pk("idea"), POST=A("improvement.team", lambda world, user: user))],
    "improvements:pilot_start": [Case(pk("idea"), GET=A("improvement.manage", "idea"), POST=A("improvement.manage", "idea"))],
    "improvements:pilot_result": [
        Case(pk("pilot_idea"), GET=A("improvement.manage", "pilot_idea"), POST=A("improvement.manage", "pilot_idea"))
    ],
    "improvements:idea_close": [
        Case(pk("idea"), GET=A("improvement.manage", "idea"), POST=A("improvement.manage", "idea"), data={"to": "dropped"},
             label="open"),
        Case(pk("pilot_idea"), GET=A("improvement.manage", "pilot_idea"), POST=A("improvement.manage", "pilot_idea"),
             data={"to": "adopted"}, label="piloting"),
    ],
    "improvements:quarter_current": [Case(GET=A("improvement.view"))],
    "improvements:quarter": [Case(lambda w: {"year": 2026, "number": 4}, GET=A("improvement.view"))],
}


# -- the walker -----------------------------------------------------------------------------------


def walk(resolver=None, namespace="", route=""):
    """(name, route, pattern) for every pattern; every admin pattern comes back named "admin:*"."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, ns, route + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            if namespace.startswith("admin:"):
                name = "admin:*"
            yield name, route + str(entry.pattern), entry


def build(route, kwargs):
    def fill(match):
        return str(kwargs[match.group("name")])

    return "/" + re.sub(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>", fill, route)


PATTERNS = [p for p in walk() if p[0] != "admin:*"]
ADMIN_PATTERNS = [p for p in walk() if p[0] == "admin:*"]


def test_every_url_is_in_the_matrix():
    unnamed = [route for name, route, _ in PATTERNS if name is None]
    missing = sorted({name for name, _, _ in PATTERNS if name and name not in URLS})
    stale = sorted(set(URLS) - {name for name, _, _ in PATTERNS})
    assert not unnamed, f"Name these URL patterns so the matrix can list them: {unnamed}"
    assert not missing, f"Add these URLs to URLS in {__file__} (and their actions to portal/permissions.py): {missing}"
    assert not stale, f"These URLs no longer exist; remove them from the table: {stale}"
    assert ADMIN_PATTERNS, "the admin is mounted"


# -- the world ------------------------------------------------------------------------------------


@pytest.fixture
def world(db, settings):
    from django.core.cache import cache

    from customers.models import CustomerImport
    from decisions.services import decision_transition, with_reviewer_ids
    from digests.tokens import make_token
    from meetings.services import calendar_feed_get
    from stories.models import Comment
    from survey import services as survey_services
    from survey.tokens import answer_token

    # Company sign-in on, its provider's discovery document already fetched (no network in this walk).
    settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID = "https://id.example.com", "lifeline"
    cache.set("oidc:discovery:https://id.example.com", {
        "issuer": "https://id.example.com", "authorization_endpoint": "https://id.example.com/auth",
        "token_endpoint": "https://id.example.com/token", "userinfo_endpoint": "https://id.example.com/me",
        "jwks_uri": "https://id.example.com/jwks",
    })
    finance = TeamFactory(name="Finance", slug="finance")
    success = TeamFactory(name="Customer Success", slug="customer-success", kind=Team.Kind.CUSTOMER_FACING)
    sales = TeamFactory(name="Sales", slug="sales", kind=Team.Kind.CUSTOMER_FACING)
    it = TeamFactory(name="IT", slug="it")
    people = {
        "staff": UserFactory(team=finance, role=User.Role.STAFF),
        "leader": UserFactory(team=finance, role=User.Role.LEADER),
        "host": UserFactory(team=success, role=User.Role.HOST),
        "admin": UserFactory(team=None, role=User.Role.STAFF, is_staff=True, is_superuser=True),
        "author": UserFactory(team=sales, role=User.Role.HOST),
        "decision_owner": UserFactory(team=it, role=User.Role.STAFF),
        "meeting_host": UserFactory(team=sales, role=User.Role.HOST),
        "account_owner": UserFactory(team=sales, role=User.Role.HOST),
        "listener": UserFactory(team=finance, role=User.Role.STAFF),
    }
    customer = CustomerFactory(account_owner=people["account_owner"])
    customer_import = CustomerImport.objects.create(file_name="crm.csv", content=b"", uploaded_by=people["admin"])
    published = StoryFactory(customer=customer, author=people["leader"])
    theme = ThemeFactory(name="Reliability", slug="reliability")
    published.themes.add(theme)
    draft = StoryFactory(customer=customer, author=people["author"], status="draft", published_at=None)
    # Shown to leaders only (written by the "author" persona, who reads it too), to Finance only, and
    # anonymised for everyone.
    leaders_only = StoryFactory(customer=customer, author=people["author"], visibility="leaders")
    team_story = StoryFactory(customer=customer, author=people["decision_owner"], visibility="teams")
    team_story.audience.set([finance])
    anonymised = StoryFactory(customer=customer, author=people["leader"], naming="anonymised", anonymised_as="a customer")
    decision = DecisionFactory(team=finance, owner=people["decision_owner"])
    ImpactReviewFactory(decision=decision, author=people["staff"])
    decided = DecisionFactory(team=finance, owner=people["decision_owner"], status="in_review", outcome="Staged payments.")
    ImpactReviewFactory(decision=decided, author=people["staff"])
    decision_transition(by=people["decision_owner"], decision=decided, to="decided")
    impact_check = with_reviewer_ids(decided.impact_checks.get())
    meeting = MeetingFactory(customer=customer, host=people["meeting_host"])
    now = timezone.now().replace(microsecond=0)
    past = MeetingFactory(
        customer=customer, host=people["meeting_host"], starts_at=now - datetime.timedelta(days=3),
        ends_at=now - datetime.timedelta(days=3, hours=-1), signup_closes_at=now - datetime.timedelta(days=4),
    )
    debrief = DebriefFactory(seat=SeatFactory(meeting=past, user=people["listener"]))
    # a full meeting: one seat is `leader`'s, the other freed up and is held for `staff`
    full = MeetingFactory(customer=customer, host=people["meeting_host"], seats=2)
    SeatFactory(meeting=full, user=people["leader"])
    offered_seat = SeatFactory(meeting=full, user=people["staff"], status="offered",
                               offer_expires_at=now + datetime.timedelta(days=1))
    DebriefFactory(seat=SeatFactory(meeting=past, user=people["leader"]))
    questions = [("text", "Name a customer."), ("scale", "I understand how my work affects customers."), ("scale", "Q3")]
    survey_open = survey_services.survey_save(by=people["admin"], year=2026, quarter=1, questions=questions,
                                              closes_at=now + datetime.timedelta(days=10))
    survey_services.survey_open(by=people["admin"], survey=survey_open)
    survey_draft = survey_services.survey_save(by=people["admin"], year=2026, quarter=2, questions=questions,
                                               closes_at=now + datetime.timedelta(days=90))
    from loops.models import Note

    note = Note.objects.create(customer=customer, author=people["host"], kind="call", text="Called Ken.")
    leaders_note = Note.objects.create(customer=customer, author=people["host"], kind="call", text="Renewal risk.",
                                       visibility="leaders")
    routed_note = Note.objects.create(customer=customer, author=people["host"], kind="complaint", text="Late.",
                                      route="team", route_team=sales, status="open")
    from improvements import services as improvements
    from improvements.models import ComplaintImport, Idea

    idea = improvements.idea_open(by=people["author"], title="Confirm slots", problem="Late.", proposal="Text them.")
    pilot_idea = improvements.idea_open(by=people["decision_owner"], title="Check invoices", problem="p", proposal="q")
    improvements.pilot_start(by=people["decision_owner"], idea=pilot_idea, owner=people["listener"],
                             starts_on=now.date(), ends_on=now.date(), measure="m")
    pilot_idea = Idea.objects.select_related("pilot").get(pk=pilot_idea.pk)
    complaint_import = ComplaintImport.objects.create(file_name="desk.csv", content=b"", uploaded_by=people["admin"])
    return {
        "note": note, "leaders_note": leaders_note, "routed_note": routed_note,
        "idea": idea, "pilot_idea": pilot_idea, "complaint_import": complaint_import,
        **people, "finance": finance, "customer": customer, "customer_import": customer_import, "contact": ContactFactory(customer=customer),
        "published": published, "draft": draft, "leaders_only": leaders_only, "team_story": team_story,
        "anonymised": anonymised, "theme": theme,
        "comment": Comment.objects.create(story=published, author=people["author"], body="Good.", body_html="<p>Good.</p>"),
        "decision": decision, "decided": decided, "impact_check": impact_check, "meeting": meeting, "seat": SeatFactory(meeting=meeting, user=people["staff"]),
        "past_meeting": past, "debrief": debrief, "offered_seat": offered_seat, "feed": calendar_feed_get(user=people["staff"]),
        "unsubscribe_token": make_token(people["staff"], "digest", 1),
        "survey_open": survey_open, "survey_draft": survey_draft,
        "answer_token": answer_token(survey_services.invitation_for(people["staff"], survey_open)),
    }


# -- the walk -------------------------------------------------------------------------------------


def _expect(spec, world, user):
    """"allowed" | "denied" | "405" for one method of a case."""
    if spec is None:
        return "405"
    if spec == PUBLIC:
        return "allowed"
    action, obj = spec
    if callable(obj):
        obj = obj(world, user)
    elif obj is not None:
        obj = world[obj]
    return "allowed" if can(user, action, obj) else "denied"


def _is_login_redirect(response):
    if response.status_code not in (301, 302):
        return False
    path = urlsplit(response["Location"]).path
    return path in (reverse("login"), reverse("admin:login"))


def _check(response, *, expected, public, anonymous, admin=False, signs_out=False):
    """The problem with this answer, or None."""
    status = response.status_code
    RUN[("anonymous" if anonymous and not public else expected)] += 1
    if status >= 500:
        return f"server error {status}"
    if anonymous and not public:
        return None if _is_login_redirect(response) else f"anonymous got {status}, not a redirect to sign in"
    if expected == "405":
        return None if status == 405 else f"expected 405, got {status}"
    if expected == "allowed":
        if status in (403, 404, 405) or (_is_login_redirect(response) and not signs_out):
            return f"allowed by the matrix, but got {status} {response.get('Location', '')}"
        return None
    if status in (403, 404) or (admin and _is_login_redirect(response)):
        return None
    return f"denied by the matrix, but got {status} {response.get('Location', '')}"


def _request(world, persona, method, url, data):
    """One request in a savepoint, rolled back, so every request sees the same world."""
    client = Client(raise_request_exception=False)
    with transaction.atomic():
        if persona != "anonymous":
            client.force_login(world[persona])
        response = client.post(url, data) if method == "POST" else client.get(url, data)
        transaction.set_rollback(True)
    return response


CASES = [
    pytest.param(name, route, index, id=f"{name}{'[' + case.label + ']' if case.label else ''} {route}")
    for name, route, _ in PATTERNS
    if name in URLS
    for index, case in enumerate(URLS[name])
]
RUN = {"cases": 0, "urls": set(), "allowed": 0, "denied": 0, "405": 0, "anonymous": 0}


@pytest.mark.parametrize(("name", "route", "index"), CASES)
def test_url_answers_as_the_matrix_says(world, name, route, index):
    from django.contrib.auth.models import AnonymousUser

    case = URLS[name][index]
    url = build(route, case.kwargs(world) if case.kwargs else {})
    problems = []
    for persona in PERSONAS:
        user = AnonymousUser() if persona == "anonymous" else world[persona]
        for method in ("GET", "POST"):
            spec = getattr(case, method)
            expected = _expect(spec, world, user)
            response = _request(world, persona, method, url, case.data)
            problem = _check(
                response, expected=expected, public=_is_public(case), anonymous=persona == "anonymous",
                signs_out=case.signs_out,
            )
            RUN["cases"] += 1
            if problem:
                problems.append(f"{method} {url} as {persona}: {problem}")
    RUN["urls"].add(route)
    assert not problems, "\n".join(problems)


def _is_public(case):
    """Public views skip sign-in for every method (a wrong method there is a 405, not a redirect)."""
    return PUBLIC in (case.GET, case.POST)


@pytest.mark.parametrize("name", ADMIN_SAMPLES)
def test_admin_is_for_admins_only(world, name):
    from django.contrib.auth.models import AnonymousUser

    url = reverse(name)
    problems = []
    for persona in PERSONAS:
        user = AnonymousUser() if persona == "anonymous" else world[persona]
        expected = "allowed" if can(user, "admin.site") else "denied"
        response = _request(world, persona, "GET", url, {})
        problem = _check(response, expected=expected, public=False, anonymous=persona == "anonymous", admin=True)
        RUN["cases"] += 1
        if problem:
            problems.append(f"GET {url} as {persona}: {problem}")
    assert not problems, "\n".join(problems)


def test_contact_erase_admin_action_needs_the_matrix(world, rf):
    from django.contrib import admin

    from customers.models import Contact

    model_admin = admin.site._registry[Contact]
    for persona in ("staff", "leader", "account_owner", "admin"):
        request = rf.get("/admin/customers/contact/")
        request.user = world[persona]
        assert model_admin.has_erase_permission(request) == can(world[persona], "contact.erase")
        assert ("erase" in model_admin.get_actions(request)) == (persona == "admin")


def test_webhook_admin_needs_the_matrix(world, rf):
    """Channels (and the test-message and enable actions) and their messages: "webhook.manage"."""
    from django.contrib import admin

    from webhooks.models import Channel, Delivery

    channels, deliveries = admin.site._registry[Channel], admin.site._registry[Delivery]
    for persona in ("staff", "leader", "host", "author", "admin"):
        request = rf.get("/admin/webhooks/channel/")
        request.user = world[persona]
        allowed = can(world[persona], "webhook.manage")
        assert allowed == (persona == "admin")
        for model_admin in (channels, deliveries):
            assert model_admin.has_module_permission(request) == allowed
            assert model_admin.has_view_permission(request) == allowed
        assert channels.has_change_permission(request) == allowed
        assert ("send_test" in channels.get_actions(request)) == allowed
        assert ("retry" in deliveries.get_actions(request)) == allowed


def test_summary(capsys):
    """Counts for the report (run after the walk; with -s they are printed)."""
    summary = (
        f"URL patterns: {len(PATTERNS)} non-admin (all in the matrix) + {len(ADMIN_PATTERNS)} admin "
        f"({len(ADMIN_SAMPLES)} sampled); cases: {len(CASES)}; personas: {len(PERSONAS)} ({len(ROLES)} roles); "
        f"requests made in this run: {RUN['cases']} (allowed {RUN['allowed']}, denied {RUN['denied']}, "
        f"wrong method {RUN['405']}, anonymous sent to sign in {RUN['anonymous']})"
    )
    with capsys.disabled():
        print("\n" + summary)
    assert {name for name, _, _ in PATTERNS} <= set(URLS)


def test_roles_are_the_matrix_roles():
    assert set(ROLES) == {"anonymous", "staff", "host", "leader", "admin"}
