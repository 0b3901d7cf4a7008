"""Every form, fuzzed: hostile, huge, malformed and missing input never gives a 5xx or a partial save.

Each test posts generated data to one endpoint as a persona who may use it, inside a savepoint that
is rolled back after every example (hypothesis runs all examples inside one test transaction), and
checks:

- the status is below 500;
- when the answer is not a success (a redirect), the database is exactly as it was: every row of
  every Lifeline model (sessions and sign-in lockout records aside);
- when it is a success, nothing saved contains a NUL byte, and for the main create forms the saved
  rows (with their many-to-many links) are exactly what the same form makes of the same data.

Examples per test: LIFELINE_FUZZ_EXAMPLES (default 40). The number that ran for each form is printed
in pytest's terminal summary.
"""

import collections
import datetime
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django import forms
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import (
    TEST_PASSWORD,
    ContactFactory,
    CustomerFactory,
    DebriefFactory,
    DecisionFactory,
    MeetingFactory,
    SeatFactory,
    StoryFactory,
    ThemeFactory,
)

settings.register_profile(
    "lifeline-fuzz",
    max_examples=int(os.environ.get("LIFELINE_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
# Applied per test (not loaded globally), so other test modules keep their own hypothesis settings.
FUZZ = settings(settings.get_profile("lifeline-fuzz"))

WATCHED_APPS = {"portal", "customers", "stories", "decisions", "meetings", "digests", "insights", "improvements",
                "loops", "survey"}
EXAMPLES = collections.Counter()  # hypothesis examples per form (shrinking included)
SWEEP = collections.Counter()  # requests of the deterministic sweep per form


# -- reporting ------------------------------------------------------------------------------------


class _FuzzSummary:
    def pytest_terminal_summary(self, terminalreporter):
        if not EXAMPLES and not SWEEP:
            return
        terminalreporter.section("fuzzed forms: requests per form")
        terminalreporter.write_line(f"{'form':44} {'hypothesis':>10} {'sweep':>6}")
        for name in sorted(EXAMPLES.keys() | SWEEP.keys()):
            terminalreporter.write_line(f"{name:44} {EXAMPLES[name]:10} {SWEEP[name]:6}")
        terminalreporter.write_line(f"{'total':44} {sum(EXAMPLES.values()):10} {sum(SWEEP.values()):6}")


@pytest.fixture(scope="session", autouse=True)
def _fuzz_summary(request):
    plugin = _FuzzSummary()
    if request.config.pluginmanager.get_plugin("lifeline-fuzz-summary") is None:
        request.config.pluginmanager.register(plugin, "lifeline-fuzz-summary")
    yield


# -- strategies ------------------------------------------------------------------------------------

NO_SURROGATES = st.characters(blacklist_categories=("Cs",))

HOSTILE = [
    "\x00", "a\x00b", "\x00" * 10, "\x01\x02\x1b[31m\x7f",
    "\u202e", "\u202egnp.exe", "abc\u202edef\u202c", "\u2066\u2067\u2068\u2069", "\u200f\u200e",
    "\u200d", "👩\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "\u200b\u200c\u200d\ufeff", "\ufeff",
    "e\u0301", "Z" + "\u0336\u0301\u0317" * 60, "\u0301" * 200,
    "😀", "🇮🇱🇸🇦", "𝕳𝖊𝖑𝖑𝖔", "\U0010ffff", "\uffff", "\ufffd", "\ufdd0",
    "مرحبا بالعالم", "שלום עולם", "سلام دنیا", "Tiếng Việt có dấu", "日本語テキスト",
    "' OR '1'='1", "'; DROP TABLE customers_customer; --", "1; SELECT pg_sleep(10)--", "\\", "%", "_%_",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>",
    "javascript:alert(1)", "[x](javascript:alert(1))", "<iframe src=//evil>", "{{ 7*7 }}", "{% debug %}",
    "%s%s%s%n", "${jndi:ldap://x}", "../../../../etc/passwd", "\r\n\r\nHTTP/1.1 200 OK", "a\rb\nc\r\n",
    " ", "\t\n ", "\u3000", "\u00a0", "", "null", "None", "undefined", "true", "[]", "{}",
    "0", "-1", "1.5", "1e309", "-1e309", "NaN", "inf", "99999999999999999999999", "-9223372036854775809",
    "0x10", "٣", "１２", "²", "⑦", "½", "1_000", "+5", " 12 ", "๓", "2024-02-30", "9999-12-31", "0001-01-01", "10000-01-01", "2024-13-01", "0000-00-00",
    "9999-12-31T23:59", "0001-01-01T00:00", "2026-03-29T02:30", "2026-11-01T01:30", "24:61", "9999-12",
    "0000-00", "2026-00", "2026-1", "٢٠٢٦-٠٣", "2026Q5", "0Q0", "-1Q1", "9999Q4",
]
hostile = st.sampled_from(HOSTILE)
any_text = st.text(NO_SURROGATES, max_size=200)
mixed = st.builds(lambda a, b, c: a + b + c, any_text, hostile, any_text)
huge = st.builds(
    lambda unit, kb: unit * (kb * 1024 // len(unit.encode())),
    st.sampled_from(["A", "é", "😀", "\u202e", "<b>", "x\n", "a\u0301", "مرحبا ", "**", "[", "> "]),
    st.sampled_from([100, 150, 300]),
)
scalar = st.one_of(hostile, hostile, mixed, any_text, huge)
short_scalar = st.one_of(any_text, hostile, mixed)
value = st.one_of(scalar, st.lists(short_scalar, max_size=4))
extra_key = st.one_of(st.text(NO_SURROGATES, min_size=1, max_size=30), st.sampled_from(["csrfmiddlewaretoken", "id", "pk", "author", "status", "is_staff", "next", "action", "_method"]))


def _as_list(v):
    return v if isinstance(v, list) else [v]


@st.composite
def form_data(draw, valid):
    """Mostly-valid data with one, some or all fields broken, dropped or doubled; sometimes extra fields."""
    data = {k: (list(v) if isinstance(v, list) else v) for k, v in valid.items()}
    names = list(valid)
    mode = draw(st.sampled_from(["valid", "one", "one", "some", "all"])) if names else "all"
    if mode == "valid":
        targets = []
    elif mode == "one":
        targets = [draw(st.sampled_from(names))]
    elif mode == "some":
        targets = draw(st.lists(st.sampled_from(names), unique=True, min_size=1))
    else:
        targets = names
    for name in targets:
        how = draw(st.sampled_from(["replace", "replace", "replace", "drop", "append", "around"]))
        if how == "replace":
            data[name] = draw(value)
        elif how == "drop":
            data.pop(name)
        elif how == "append":  # the valid value plus another: a list where a scalar goes
            data[name] = _as_list(data[name]) + [draw(short_scalar)]
        else:  # hostile characters around a valid value
            data[name] = [draw(hostile) + str(v) + draw(hostile) for v in _as_list(data[name])] or [draw(hostile)]
    if draw(st.integers(0, 3)) == 0:
        for k, v in draw(st.dictionaries(extra_key, value, max_size=3)).items():
            data.setdefault(k, v)
    return data


ENCODINGS = ["multipart", "multipart", "urlencoded", "urlencoded", "surrogates", "json", "garbage"]


def _urlencoded(payload, *, surrogates=False):
    if surrogates:  # a lone surrogate in every value: encodable only as raw UTF-8-ish bytes (%ED%A0%80)
        payload = {k: [f"{x}\ud800" for x in _as_list(v)] for k, v in payload.items()}
    return urlencode(payload, doseq=True, encoding="utf-8", errors="surrogatepass")


def send(client, method, url, payload, encoding, *, htmx=False):
    headers = {"headers": {"HX-Request": "true"}} if htmx else {}
    if method == "get":
        return client.get(url, payload, **headers)
    if encoding == "multipart":
        return client.post(url, payload, **headers)
    if encoding in ("urlencoded", "surrogates"):
        body = _urlencoded(payload, surrogates=encoding == "surrogates")
        return client.post(url, body, content_type="application/x-www-form-urlencoded", **headers)
    if encoding == "json":
        return client.post(url, json.dumps(payload), content_type="application/json", **headers)
    # A broken multipart body: no boundary, binary junk.
    return client.post(url, b"--\xff\xfe\x00\r\nContent-Disposition: form-data\r\n\r\n\x00", content_type="multipart/form-data; boundary=", **headers)


# -- the database before and after ------------------------------------------------------------------


def _watched_models():
    return [
        m for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in WATCHED_APPS and m._meta.managed and not m._meta.proxy
    ]


def snapshot():
    return {m._meta.label: list(m._base_manager.order_by("pk").values()) for m in _watched_models()}


def diff(before, after):
    changes = {}
    for label in before:
        old = {r["id"] if "id" in r else repr(r): r for r in before[label]}
        new = {r["id"] if "id" in r else repr(r): r for r in after[label]}
        added = [new[k] for k in new.keys() - old.keys()]
        removed = [old[k] for k in old.keys() - new.keys()]
        changed = [(old[k], new[k]) for k in old.keys() & new.keys() if old[k] != new[k]]
        if added or removed or changed:
            changes[label] = {"added": added, "removed": removed, "changed": changed}
    return changes


def _short(obj, limit=1500):
    text = repr(obj)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


def _strings_in(changes):
    for label, change in changes.items():
        rows = change["added"] + [new for _old, new in change["changed"]]
        for row in rows:
            for column, v in row.items():
                if isinstance(v, str):
                    yield label, column, v


class _Rollback(Exception):
    pass


def is_redirect(response):
    return response.status_code in (301, 302, 303)


def exercise(client, form, method, url, payload, encoding="multipart", *, user=None, htmx=False,
             saved=is_redirect, check=None, before_request=None, counter=EXAMPLES):
    """One example: send, then check the status and the database; everything is rolled back."""
    counter[form] += 1
    try:
        with transaction.atomic():
            if user is not None:
                client.force_login(user)  # a success (e.g. a new password) may have signed us out
            if before_request:
                before_request()
            before = snapshot()
            response = send(client, method, url, payload, encoding, htmx=htmx)
            assert response.status_code < 500, f"{form}: {response.status_code} for {_short(payload)}"
            changes = diff(before, snapshot())
            if not saved(response):
                assert not changes, f"{form}: {response.status_code} but the database changed: {_short(changes)} for {_short(payload)}"
            else:
                for label, column, v in _strings_in(changes):
                    assert "\x00" not in v, f"{form}: NUL byte saved in {label}.{column}"
                    assert "\ud800" not in v, f"{form}: lone surrogate saved in {label}.{column}"
                if check is not None and encoding in ("urlencoded", "multipart") and method == "post":
                    check(_as_querydict(payload, encoding), changes, response)
            raise _Rollback
    except _Rollback:
        pass
    return response


def _as_querydict(payload, encoding):
    """The data as the view saw it (urlencoded bodies parse exactly so; multipart carries the same values)."""
    return QueryDict(_urlencoded(payload), encoding="utf-8")


def _added(changes, label):
    return changes.get(label, {}).get("added", [])


def _touched(changes, label):
    change = changes.get(label, {})
    return change.get("added", []) + [new for _old, new in change.get("changed", [])]


# -- fixtures: one of everything ------------------------------------------------------------------


@pytest.fixture
def ctx(leader, staff, host, admin_user, outsider, finance, it_team, success_team):
    """The people and one of each thing the forms act on."""
    customer = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply", account_owner=host)
    other = CustomerFactory(name="مؤسسة النور", slug="مؤسسة-النور", industry="Retail", region="Middle East")
    contact = ContactFactory(customer=customer, name="Ken Adams")
    theme = ThemeFactory(name="Cash flow", slug="cash-flow")
    story = StoryFactory(customer=customer, author=leader, title="The morning delivery")
    draft = StoryFactory(customer=customer, author=leader, title="A draft", status="draft", published_at=None)
    comment = story.comments.create(author=staff, body="Lovely.", body_html="<p>Lovely.</p>")
    decision = DecisionFactory(title="60-day terms", team=finance, owner=staff, status="in_review")
    decision.customers.add(customer)
    meeting = MeetingFactory(customer=customer, host=host, seats=3)
    seat = SeatFactory(meeting=meeting, user=staff)
    now = timezone.now().replace(microsecond=0)
    two_days_ago = now - datetime.timedelta(days=2)
    past = MeetingFactory(customer=customer, host=host, starts_at=two_days_ago,
                          ends_at=two_days_ago + datetime.timedelta(hours=1),
                          signup_closes_at=two_days_ago - datetime.timedelta(days=1))
    SeatFactory(meeting=past, user=staff)
    leader_debrief = DebriefFactory(seat=SeatFactory(meeting=past, user=leader))
    from improvements import services as improvements

    idea = improvements.idea_open(by=staff, title="Confirm slots", category="Late delivery", problem="p", proposal="q")
    pilot_idea = improvements.idea_open(by=staff, title="Check invoices", problem="p", proposal="q")
    improvements.pilot_start(by=staff, idea=pilot_idea, owner=staff, starts_on=datetime.date(2026, 12, 1),
                             ends_on=datetime.date(2027, 1, 31), measure="Invoice complaints a month")
    from loops import services as loops
    from survey import services as survey
    from survey.forms import end_of_day, quarter_of, shift
    from survey.tokens import answer_token
    from tests.survey.builders import QUESTIONS, open_pulse

    note = loops.note_add(by=host, customer=customer, kind="call", text="Ken called about a late order.")
    # routed to the account owner (host) by someone else: the owner is not offered routing to themselves
    routed = loops.note_add(by=admin_user, customer=customer, kind="complaint", text="Invoices arrive late.", route="owner")
    year, quarter = quarter_of()
    pulse = open_pulse(admin_user, year=year, quarter=quarter)
    next_year, next_quarter = shift(year, quarter, 1)
    draft_pulse = survey.survey_save(by=admin_user, year=next_year, quarter=next_quarter, title="",
                                     closes_at=end_of_day(timezone.localdate() + datetime.timedelta(days=100)),
                                     questions=QUESTIONS)
    return {
        "note": note, "routed": routed, "pulse": pulse, "draft_pulse": draft_pulse,
        "staff_answer_token": answer_token(survey.invitation_for(staff, pulse)),
        "idea": idea, "pilot_idea": pilot_idea,
        "leader": leader, "staff": staff, "host": host, "admin_user": admin_user, "outsider": outsider,
        "finance": finance, "it_team": it_team, "success_team": success_team,
        "customer": customer, "other": other, "contact": contact, "theme": theme, "story": story, "draft": draft,
        "comment": comment, "decision": decision, "meeting": meeting, "seat": seat, "past": past,
        "leader_debrief": leader_debrief,
    }


# -- what "saved correctly" means for the main forms (run only on a success) --------------------------


def _check_language(qd, changes, response):
    for row in _touched(changes, "portal.User"):
        assert row["language"] == qd.get("language")
    # Relative paths are fine; another site never is (an open redirect).
    assert url_has_allowed_host_and_scheme(response["Location"], {"testserver"}), response["Location"]


def _check_contact(qd, changes, response):
    from customers.forms import ContactForm

    form = ContactForm(qd)
    assert form.is_valid(), form.errors
    rows = _touched(changes, "customers.Contact")
    if not rows:
        return  # an edit that changed nothing
    assert len(rows) == 1, rows
    for name in ContactForm.Meta.fields:
        assert rows[0][name] == form.cleaned_data[name], name
    assert _added(changes, "customers.ContactAudit"), "a saved contact is audited"


def _check_story(qd, changes, response):
    from stories.forms import StoryForm
    from stories.models import Story

    form = StoryForm(qd)
    assert form.is_valid(), form.errors
    rows = _touched(changes, "stories.Story")
    assert len(rows) == 1, rows
    row, cleaned = rows[0], form.cleaned_data
    assert row["customer_id"] == cleaned["customer"].pk
    for name in ("title", "body", "bought", "impact"):
        assert row[name] == cleaned[name], name
    story = Story.objects.get(pk=row["id"])
    assert set(story.themes.all()) == set(cleaned["themes"])
    assert set(story.teams.all()) == set(cleaned["teams"])
    assert _added(changes, "stories.StoryEvent")


def _check_comment(qd, changes, response):
    added = _added(changes, "stories.Comment")
    assert len(added) == 1 and added[0]["body"] == qd.get("body").strip()


def _check_decision(qd, changes, response):
    from decisions.forms import DecisionForm
    from decisions.models import Decision

    rows = _touched(changes, "decisions.Decision")
    if not rows:
        return  # an edit that changed nothing
    assert len(rows) == 1, rows
    row = rows[0]
    instance = None
    if not _added(changes, "decisions.Decision"):  # an edit: validate against the row as it was
        instance = Decision.objects.get(pk=row["id"])
        old = next(o for o, _n in changes["decisions.Decision"]["changed"])
        for name in ("title", "context", "proposal", "links", "decide_by"):
            setattr(instance, name, old[name])
    form = DecisionForm(qd, instance=instance)
    assert form.is_valid(), form.errors
    cleaned = form.cleaned_data
    for name in ("title", "context", "proposal", "links", "decide_by"):
        assert row[name] == cleaned[name], name
    assert (row["team_id"], row["owner_id"]) == (cleaned["team"].pk, cleaned["owner"].pk)
    assert set(Decision.objects.get(pk=row["id"]).customers.all()) == set(cleaned["customers"])


def _check_review(qd, changes, response):
    from decisions.forms import ImpactReviewForm
    from decisions.models import ImpactReview

    form = ImpactReviewForm(qd)
    assert form.is_valid(), form.errors
    rows = _touched(changes, "decisions.ImpactReview")
    assert len(rows) == 1
    cleaned = form.cleaned_data
    assert (rows[0]["answer"], rows[0]["direction"], rows[0]["severity"], rows[0]["mitigation"]) == (
        cleaned["answer"], cleaned["direction"], cleaned["severity"], cleaned["mitigation"])
    review = ImpactReview.objects.get(pk=rows[0]["id"])
    assert set(review.customers.all()) == set(cleaned["customers"])


def _check_meeting(qd, changes, response):
    rows = _touched(changes, "meetings.Meeting")
    if not rows:
        return
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["title"] == qd.get("title").strip()
    assert row["seats"] == _as_int(qd.get("seats"))
    assert row["signup_closes_at"] <= row["starts_at"] < row["ends_at"]
    # Who attends from the customer: only the meeting's customer's own people, whatever was posted.
    from django.db.models import F

    from meetings.models import Meeting

    assert not Meeting.customer_contacts.through.objects.exclude(contact__customer=F("meeting__customer")).exists()


def _as_int(text):
    """A whole number as Django's forms read one: "3", " 3 ", "3.0" and "3." are all 3."""
    return forms.IntegerField().clean(text)


def _check_debrief(qd, changes, response):
    rows = _touched(changes, "meetings.Debrief")
    assert len(rows) == 1
    for name in ("goals_and_needs", "surprises", "do_differently"):
        assert rows[0][name] == (qd.get(name) or "").strip(), name


def _check_pulse(qd, changes, response):
    rows = _touched(changes, "insights.PulseFigure")
    assert len(rows) == 1
    for name in ("products_returned", "customers_credited", "legal_threats", "customers_saved"):
        assert rows[0][name] == _as_int(qd.get(name)), name


def _review_saved(response):
    # htmx answers 200 either way; the view says in its context whether it saved.
    if is_redirect(response):
        return True
    return response.status_code == 200 and bool((response.context or {}).get("review_saved"))


def _always(response):
    return True


def _never(response):
    return False


def _not_an_error(response):
    return response.status_code < 400


def _future(days=10, hours=0):
    return (timezone.localtime() + datetime.timedelta(days=days, hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _date(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


# -- every form-handling endpoint ---------------------------------------------------------------------


@dataclass
class Form:
    persona: str | None  # who sends it (None: signed out)
    url: Callable  # ctx -> url
    valid: Callable = lambda c: {}  # ctx -> a payload the form accepts
    method: str = "post"
    saved: Callable = is_redirect  # response -> did it succeed (so the database may change)?
    check: Callable | None = None  # (QueryDict, changes, response) -> asserts, on success
    htmx: bool = True  # also send it as htmx sends it
    variants: dict = field(default_factory=dict)  # field -> other valid values to pick from
    prepare: Callable | None = None  # (client, ctx), inside the example, before the snapshot


def _visit_reset_link(client, c):
    """Following the emailed link puts the token in the session and redirects to the form."""
    uid = urlsafe_base64_encode(force_bytes(c["staff"].pk))
    client.get(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(c["staff"])}))


def _settings_valid(c):
    from digests.forms import REMINDER_FIELDS
    from digests.models import KIND_FIELDS
    from digests.sections import section_choices

    valid = {"digest_enabled": "on", "digest_weekday": "2", "digest_hour": "7",
             "sections": [key for key, _label in section_choices()][:2]}
    return valid | {KIND_FIELDS[kind]: "on" for kind, _label in REMINDER_FIELDS}


def _settings_prepare(client, c):
    client.get(reverse("digests:settings"))  # the person's row exists from the first visit on


STORY = lambda c: {  # noqa: E731
    "customer": str(c["customer"].pk), "title": "Pipes before dawn", "body": "Their crew **counts** on us.",
    "bought": "Pipes.", "impact": "They *opened* a second shop.", "themes": [str(c["theme"].pk)],
    "teams": [str(c["finance"].pk)], "action": "draft",
}
STORY_ACTIONS = {"action": ["draft", "publish", "submit", "preview"]}
DECISION = lambda c: {  # noqa: E731
    "title": "Move suppliers to 60-day terms", "team": str(c["finance"].pk), "owner": str(c["staff"].pk),
    "context": "Cash is tight.", "proposal": "Pay suppliers in **60** days.", "decide_by": _date(14),
    "customers": [str(c["customer"].pk), str(c["other"].pk)], "links": "https://example.com/a\nhttp://example.org/b",
}
CONTACT = {"name": "Ken Adams", "role": "Owner", "is_key": "on", "family": "Two daughters.", "occupation": "Plumber.",
           "recreation": "Sailing.", "dreams": "Retire by the sea."}
MEETING = lambda c: {  # noqa: E731
    "customer": str(c["customer"].pk), "kind": "quarterly_review", "title": "Quarterly review with Ken",
    "starts_at": _future(20), "ends_at": _future(20, 2), "place": "Their yard", "video_url": "https://meet.example.com/x",
    "seats": "4", "signup_closes_at": _future(19), "briefing": "Ken wants to talk about **deliveries**.",
    "customer_contacts": [str(c["contact"].pk)],
}
REVIEW = lambda c: {  # noqa: E731
    "answer": "Our installers would wait longer for parts and customers would notice.", "direction": "hurts",
    "severity": "high", "affected": ["customers", "suppliers"], "mitigation": "Keep 30 days for small suppliers.",
    "customers": [str(c["customer"].pk)],
}
PULSE = lambda c: {  # noqa: E731
    "month": "2026-03", "customer": str(c["customer"].pk), "products_returned": "3", "customers_credited": "1",
    "legal_threats": "0", "customers_saved": "2",
}


NOTE = lambda c: {  # noqa: E731  (the note forms' fields carry the prefix "note")
    "note-kind": "complaint", "note-text": "Their invoices arrive a week late.", "note-contact": str(c["contact"].pk),
    "note-link": "https://crm.example.com/tickets/7", "note-visibility": "everyone",
    "note-audience": [str(c["finance"].pk)], "note-route": "", "note-route_team": str(c["success_team"].pk),
}
NOTE_VARIANTS = {"note-visibility": ["everyone", "leaders", "teams"], "note-route": ["", "owner", "team"]}


def _note_edit(c):
    return {k: v for k, v in NOTE(c).items() if k not in ("note-route", "note-route_team")}


def _note_added(response):
    """Added: a redirect, or (htmx) the timeline again with a new, empty form; refused: the form with its errors."""
    form = (response.context or {}).get("form") if response.status_code == 200 else None
    return is_redirect(response) or (form is not None and not form.is_bound)


def _survey_setup(c):
    from survey.forms import quarter_of, shift

    year, quarter = shift(*quarter_of(), 2)
    return {"quarter": f"{year}Q{quarter}", "title": "Do we know them?", "closes_on": _date(200),
            "q1_text": "Name a customer.", "q1_kind": "text", "q2_text": "I know them.", "q2_kind": "scale",
            "q3_text": "I meet them.", "q3_kind": "scale", "q4_text": "", "q4_kind": "scale"}


def _pulse_answers(c):
    return {f"q{q.pk}": ("4" if q.kind == "scale" else "Ken's crew, waiting on parts.") for q in c["pulse"].questions.all()}


def _answered(response):
    """The answer page says thanks only when it saved the answers; otherwise it shows the form again."""
    return response.status_code == 200 and (response.context or {}).get("state") == "thanks"


def _responded(response):
    """An htmx answer to a routed note says in its context whether it failed; a redirect may have saved."""
    return is_redirect(response) or (response.status_code == 200 and (response.context or {}).get("error") is None)


def _pk(name, key="pk"):
    return lambda c: {key: c[name].pk}


def IDEA(c):
    return {"title": "Confirm delivery slots", "category": "Late delivery", "problem": "Late again.",
            "proposal": "Text the day before.", "customers": [str(c["customer"].pk)], "estimated_cost": "800",
            "estimated_benefit": "3000"}


FORMS = {
    # accounts and language
    "sign-in": Form(None, lambda c: reverse("login"),
                    lambda c: {"username": c["staff"].email, "password": TEST_PASSWORD, "next": "/"}, htmx=False),
    "password-reset": Form(None, lambda c: reverse("password_reset"), lambda c: {"email": c["staff"].email},
                           saved=_never, htmx=False),  # success and failure both say "check your inbox"
    "password-reset-confirm": Form(
        None, lambda c: reverse("password_reset_confirm", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(c["staff"].pk)), "token": "set-password"}),
        lambda c: {"new_password1": "a brand new passphrase 42", "new_password2": "a brand new passphrase 42"},
        prepare=_visit_reset_link, htmx=False),
    "password-change": Form("staff", lambda c: reverse("password_change"),
                            lambda c: {"old_password": TEST_PASSWORD, "new_password1": "a brand new passphrase 42",
                                       "new_password2": "a brand new passphrase 42"}, htmx=False),
    "language-switch": Form("staff", lambda c: reverse("set_language"), lambda c: {"language": "ar", "next": "/customers/"},
                            check=_check_language, variants={"language": ["en", "ar", "he", "fa", "vi"]}),
    # filters (GET: never writes)
    "customers-directory": Form("staff", lambda c: reverse("customers:directory"), lambda c: {
        "q": "ken", "industry": "Wholesale", "region": "North America", "owner": str(c["host"].pk), "sort": "recent", "page": "2"},
        method="get", saved=_never),
    "customers-autocomplete": Form("staff", lambda c: reverse("customers:autocomplete"), lambda c: {
        "q": "ken", "field": "id_customer", "customer_search": "ke"}, method="get", saved=_never),
    "stories-feed": Form("staff", lambda c: reverse("stories:feed"), lambda c: {
        "q": "delivery", "customer": "kens-plumbing-supply", "team": "finance", "theme": "cash-flow",
        "author": str(c["leader"].pk), "before": "MjAyNi0wMS0wMQ"}, method="get", saved=_never),
    "decisions-log": Form("staff", lambda c: reverse("decisions:log"), lambda c: {
        "q": "terms", "team": "finance", "status": "in_review", "direction": "hurts", "severity": "high",
        "customer": "kens-plumbing-supply", "awaiting": "me", "page": "1"}, method="get", saved=_never),
    "meetings-list": Form("staff", lambda c: reverse("meetings:list"), lambda c: {
        "customer": c["customer"].slug, "kind": "annual_review", "month": "2026-03", "open": "on", "page": "1"},
        method="get", saved=_never),
    # customers
    "customers-contact-new": Form("host", lambda c: reverse("customers:contact_new", kwargs={"slug": c["customer"].slug}),
                                  lambda c: dict(CONTACT), check=_check_contact, htmx=False),
    "customers-contact-edit": Form("admin_user", lambda c: reverse("customers:contact_edit", kwargs={"slug": c["customer"].slug, "pk": c["contact"].pk}),
                                   lambda c: {**CONTACT, "name": "Ken A. Adams"}, check=_check_contact, htmx=False),
    "customers-follow": Form("staff", lambda c: reverse("customers:follow", kwargs={"slug": c["customer"].slug}),
                             lambda c: {"follow": "1"}, saved=_always, variants={"follow": ["0", "1", ""]}),
    "customers-contact-delete": Form("host", lambda c: reverse("customers:contact_delete", kwargs={"slug": c["customer"].slug, "pk": c["contact"].pk}),
                                     saved=_not_an_error),
    # stories
    "stories-new": Form("leader", lambda c: reverse("stories:new"), STORY, check=_check_story, variants=STORY_ACTIONS, htmx=False),
    "stories-new-by-host": Form("host", lambda c: reverse("stories:new"), STORY, check=_check_story, variants=STORY_ACTIONS, htmx=False),
    "stories-edit": Form("leader", lambda c: reverse("stories:edit", kwargs={"pk": c["draft"].pk, "slug": c["draft"].slug}),
                         STORY, check=_check_story, variants=STORY_ACTIONS, htmx=False),
    "stories-preview": Form("host", lambda c: reverse("stories:preview"), lambda c: {"body": "Some **bold** words."}, saved=_never),
    "stories-comment-add": Form("staff", lambda c: reverse("stories:comment_add", kwargs={"pk": c["story"].pk}),
                                lambda c: {"body": "This *moved* me."}, check=_check_comment, htmx=False),
    "stories-comment-add-htmx": Form("staff", lambda c: reverse("stories:comment_add", kwargs={"pk": c["story"].pk}),
                                     lambda c: {"body": "This *moved* me."}, saved=_always),  # htmx: 200 either way
    "stories-comment-edit": Form("staff", lambda c: reverse("stories:comment_edit", kwargs={"pk": c["story"].pk, "comment_pk": c["comment"].pk}),
                                 lambda c: {"body": "Edited: this *moved* me."}, htmx=False),
    "stories-comment-delete": Form("staff", lambda c: reverse("stories:comment_delete", kwargs={"pk": c["story"].pk, "comment_pk": c["comment"].pk}),
                                   saved=_not_an_error),
    "stories-react": Form("staff", lambda c: reverse("stories:react", kwargs={"pk": c["story"].pk}), lambda c: {"kind": "moved"},
                          saved=_not_an_error, variants={"kind": ["moved", "changes_work", "great_news", "worth_sharing"]}),
    "stories-publish": Form("leader", lambda c: reverse("stories:publish", kwargs={"pk": c["draft"].pk}), saved=_not_an_error),
    "stories-unpublish": Form("leader", lambda c: reverse("stories:unpublish", kwargs={"pk": c["story"].pk}), saved=_not_an_error),
    "stories-submit": Form("leader", lambda c: reverse("stories:submit", kwargs={"pk": c["draft"].pk}), saved=_not_an_error),
    # decisions
    "decisions-new": Form("staff", lambda c: reverse("decisions:new"), DECISION, check=_check_decision, htmx=False),
    "decisions-edit": Form("staff", lambda c: reverse("decisions:edit", kwargs={"pk": c["decision"].pk}), DECISION,
                           check=_check_decision, htmx=False),
    "decisions-request-reviews": Form("staff", lambda c: reverse("decisions:request_reviews", kwargs={"pk": c["decision"].pk}),
                                      lambda c: {"teams": [str(c["it_team"].pk)], "people": [str(c["outsider"].pk), str(c["host"].pk)],
                                                 "due_date": _date(7)}, htmx=False),
    "decisions-review": Form("outsider", lambda c: reverse("decisions:review", kwargs={"pk": c["decision"].pk}), REVIEW,
                             saved=_review_saved, check=_check_review,
                             variants={"direction": ["helps", "neutral", "hurts", "unsure"], "severity": ["", "low", "medium", "high"]}),
    "decisions-transition": Form("staff", lambda c: reverse("decisions:transition", kwargs={"pk": c["decision"].pk}),
                                 lambda c: {"to": "withdrawn"},
                                 variants={"to": ["draft", "in_review", "decided", "rejected", "withdrawn"]}, htmx=False),
    "decisions-outcome": Form("staff", lambda c: reverse("decisions:outcome", kwargs={"pk": c["decision"].pk}), lambda c: {
        "outcome": "We move to 45 days, not 60.", "impact_handling": "mitigated",
        "impact_response": "Small suppliers keep thirty day terms so installers are not kept waiting.", "decide": "1"},
        variants={"decide": ["0", "1"], "impact_handling": ["", "mitigated", "accepted"]}, htmx=False),
    # meetings
    "meetings-new": Form("host", lambda c: reverse("meetings:new"), MEETING, check=_check_meeting, htmx=False),
    "meetings-edit": Form("host", lambda c: reverse("meetings:edit", kwargs={"pk": c["meeting"].pk}), MEETING,
                          check=_check_meeting, htmx=False),
    "meetings-debrief": Form("staff", lambda c: reverse("meetings:debrief", kwargs={"pk": c["past"].pk}), lambda c: {
        "goals_and_needs": "They want deliveries they can plan around.", "surprises": "A late order costs a day.",
        "do_differently": "Ship before seven."}, check=_check_debrief, htmx=False),
    "meetings-signup": Form("outsider", lambda c: reverse("meetings:signup", kwargs={"pk": c["meeting"].pk}), saved=_not_an_error),
    "meetings-leave": Form("staff", lambda c: reverse("meetings:cancel_seat", kwargs={"pk": c["meeting"].pk}), saved=_not_an_error),
    "meetings-remove-listener": Form("host", lambda c: reverse("meetings:remove_listener", kwargs={"pk": c["meeting"].pk, "seat_pk": c["seat"].pk}),
                                     saved=_not_an_error),
    "meetings-cancel": Form("host", lambda c: reverse("meetings:cancel_meeting", kwargs={"pk": c["meeting"].pk}), saved=_not_an_error),
    "meetings-calendar-reset": Form("staff", lambda c: reverse("meetings:calendar_reset"), saved=_not_an_error),
    "meetings-debrief-helpful": Form("staff", lambda c: reverse("meetings:debrief_react", kwargs={"pk": c["past"].pk, "debrief_pk": c["leader_debrief"].pk}),
                                     saved=_not_an_error),
    "meetings-debrief-to-story": Form("leader", lambda c: reverse("meetings:debrief_to_story", kwargs={"pk": c["past"].pk}),
                                      saved=_not_an_error),
    # digests and insights
    "digests-settings": Form("staff", lambda c: reverse("digests:settings"), _settings_valid, prepare=_settings_prepare, htmx=False),
    "digests-unsubscribe": Form(None, lambda c: reverse("digests:unsubscribe", kwargs={"token": "not-a-real-token"}),
                                lambda c: {"List-Unsubscribe": "One-Click"}, saved=_not_an_error, htmx=False),
    "insights-pulse-record": Form("host", lambda c: reverse("insights:pulse_record"), PULSE, check=_check_pulse, htmx=False),
    "insights-pulse-publish": Form("host", lambda c: reverse("insights:pulse_publish"), lambda c: {"month": "2026-03"},
                                   saved=_not_an_error, htmx=False),
    "insights-scorecard": Form("staff", lambda c: reverse("insights:scorecard"), lambda c: {"quarter": "2026Q3", "format": "csv"},
                               method="get", saved=_never),
    "insights-pulse": Form("staff", lambda c: reverse("insights:pulse"), lambda c: {"month": "2026-03", "format": "csv"},
                           method="get", saved=_never),
    # improvements
    "improvements-patterns": Form("staff", lambda c: reverse("improvements:patterns"), lambda c: {"month": "2026-11"},
                                  method="get", saved=_never),
    "improvements-idea-new": Form("staff", lambda c: reverse("improvements:idea_new"), IDEA, htmx=False),
    "improvements-idea-edit": Form("staff", lambda c: reverse("improvements:idea_edit", kwargs={"pk": c["idea"].pk}), IDEA,
                                   htmx=False),
    "improvements-pilot-start": Form("staff", lambda c: reverse("improvements:pilot_start", kwargs={"pk": c["idea"].pk}),
                                     lambda c: {"owner": str(c["staff"].pk), "starts_on": "2026-12-01",
                                                "ends_on": "2027-01-31", "measure": "Late deliveries a month"}, htmx=False),
    "improvements-pilot-result": Form("staff", lambda c: reverse("improvements:pilot_result", kwargs={"pk": c["pilot_idea"].pk}),
                                      lambda c: {"actual_cost": "1200", "saving": "4800", "effect": "fewer",
                                                 "result": "Fewer invoice complaints."}, htmx=False),
    "improvements-close": Form("staff", lambda c: reverse("improvements:idea_close", kwargs={"pk": c["idea"].pk}),
                               lambda c: {"to": "dropped", "note": "Not now."}, saved=_not_an_error, htmx=False),
    "improvements-join": Form("outsider", lambda c: reverse("improvements:idea_join", kwargs={"pk": c["idea"].pk}),
                              lambda c: {"join": "1"}, saved=_not_an_error, htmx=False),
    "improvements-team": Form("leader", lambda c: reverse("improvements:idea_team", kwargs={"pk": c["idea"].pk}),
                              lambda c: {"team": str(c["finance"].pk), "join": "1"}, saved=_not_an_error, htmx=False),
    # the pages' filters and the forms' starting values, from the address
    "stories-feed-filters": Form("staff", lambda c: reverse("stories:feed"), lambda c: {
        "q": "delivery", "customer": c["customer"].slug, "team": "finance", "theme": "cash-flow",
        "author": str(c["leader"].pk), "before": "x"}, method="get", saved=_never),
    "stories-new-from": Form("leader", lambda c: reverse("stories:new"), lambda c: {"customer": str(c["customer"].pk)},
                             method="get", saved=_never),
    "stories-give-me-one": Form("staff", lambda c: reverse("stories:give_me_one"),
                                lambda c: {"customer": c["customer"].slug, "theme": "cash-flow"}, method="get", saved=_never),
    "customers-directory-filters": Form("staff", lambda c: reverse("customers:directory"), lambda c: {
        "q": "ken", "industry": "Retail", "region": "Middle East", "owner": str(c["host"].pk), "sort": "recent",
        "page": "1"}, method="get", saved=_never),
    "customers-autocomplete-filters": Form("staff", lambda c: reverse("customers:autocomplete"),
                                   lambda c: {"q": "ken", "field": "id_customer", "key": "slug"}, method="get", saved=_never),
    "meetings-new-from": Form("host", lambda c: reverse("meetings:new"), lambda c: {"customer": str(c["customer"].pk)},
                              method="get", saved=_never),
    "improvements-ideas": Form("staff", lambda c: reverse("improvements:ideas"), lambda c: {"status": "open", "page": "1"},
                               method="get", saved=_never),
    "improvements-idea-new-from": Form("staff", lambda c: reverse("improvements:idea_new"),
                                       lambda c: {"category": "Late delivery", "month": "2026-11"}, method="get", saved=_never),
    "insights-pulse-record-from": Form("host", lambda c: reverse("insights:pulse_record"), lambda c: {"month": "2026-03"},
                                       method="get", saved=_never),
    "loops-rhythm": Form("host", lambda c: reverse("loops:rhythm"), method="get", saved=_never),
    "survey-results": Form("leader", lambda c: reverse("survey:results", kwargs={"pk": c["pulse"].pk}), method="get",
                           saved=_never),
    # the customer timeline and the contact rhythm
    "loops-timeline": Form("staff", lambda c: reverse("loops:timeline", kwargs={"slug": c["customer"].slug}),
                           lambda c: {"kind": "note:complaint", "since": "2026-01-01", "until": "2026-12-31", "before": "x"},
                           method="get", saved=_never),
    "loops-note-add": Form("admin_user", lambda c: reverse("loops:note_add", kwargs={"slug": c["customer"].slug}), NOTE,
                           variants=NOTE_VARIANTS, saved=_note_added),
    "loops-note-edit": Form("host", lambda c: reverse("loops:note_edit", kwargs={"pk": c["note"].pk}), _note_edit,
                            htmx=False),
    "loops-note-delete": Form("host", lambda c: reverse("loops:note_delete", kwargs={"pk": c["note"].pk}),
                              saved=_not_an_error, htmx=False),
    "loops-note-respond": Form("host", lambda c: reverse("loops:note_respond", kwargs={"pk": c["routed"].pk}),
                               lambda c: {"answer": "Sent them a corrected invoice.", "acknowledge": "on", "next": "/"},
                               saved=_responded, variants={"acknowledge": ["", "on"]}),
    "loops-touch-log": Form("host", lambda c: reverse("loops:touch_log", kwargs={"slug": c["customer"].slug}),
                            lambda c: {"kind": "card", "contact": str(c["contact"].pk)}, saved=_always,
                            variants={"kind": ["email", "card", "call"]}),
    "loops-rhythm-set": Form("host", lambda c: reverse("loops:rhythm_set"), lambda c: {"on": "1"}, saved=_not_an_error,
                             variants={"on": ["0", "1"]}, htmx=False),
    # the employee pulse
    "survey-new": Form("admin_user", lambda c: reverse("survey:new"), _survey_setup, htmx=False),
    "survey-edit": Form("admin_user", lambda c: reverse("survey:edit", kwargs={"pk": c["draft_pulse"].pk}),
                        lambda c: {k: v for k, v in _survey_setup(c).items() if k != "quarter"}, htmx=False),
    "survey-open": Form("admin_user", lambda c: reverse("survey:open", kwargs={"pk": c["draft_pulse"].pk}),
                        saved=_not_an_error, htmx=False),
    "survey-close": Form("admin_user", lambda c: reverse("survey:close", kwargs={"pk": c["pulse"].pk}),
                         saved=_not_an_error, htmx=False),
    "survey-answer": Form(None, lambda c: reverse("survey:answer", kwargs={"token": c["staff_answer_token"]}),
                          _pulse_answers, saved=_answered, htmx=False),
    "survey-mine": Form("leader", lambda c: reverse("survey:mine"), _pulse_answers, saved=_answered, htmx=False),
}


def _run(client, c, name, payload, encoding, *, htmx=False, counter=EXAMPLES):
    spec = FORMS[name]
    prepare = (lambda: spec.prepare(client, c)) if spec.prepare else None
    user = c[spec.persona] if spec.persona else None
    return exercise(client, name, spec.method, spec.url(c), payload, encoding, user=user, htmx=htmx,
                    saved=spec.saved, check=spec.check, before_request=prepare, counter=counter)


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(FORMS))
@FUZZ
@given(data=st.data())
def test_fuzzed_form_never_errors_nor_half_saves(client, ctx, name, data):
    spec = FORMS[name]
    valid = spec.valid(ctx)
    for key, options in spec.variants.items():
        valid[key] = data.draw(st.sampled_from(options), label=key)
    payload = data.draw(form_data(valid), label="payload")
    encoding = "query" if spec.method == "get" else data.draw(st.sampled_from(ENCODINGS), label="encoding")
    htmx = spec.htmx and data.draw(st.booleans(), label="htmx")
    _run(client, ctx, name, payload, encoding, htmx=htmx)


# Every field of every form, one at a time, with each of the values most likely to break something.
NASTY = ["\x00", "a\x00b", "9999-12", "9999-12-31", "9999-12-31T23:59", "0001-01-01T00:00", "99999999999999999999999",
         "-1", "1e309", "NaN", "١٢", "²", "\u202e\u200d", "<script>alert(1)</script>", "' OR 1=1 --", "A" * 120_000, ["1", "2"]]


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(FORMS))
def test_every_field_with_each_nasty_value(client, ctx, name):
    spec = FORMS[name]
    valid = spec.valid(ctx)
    fields = list(valid) or ["unexpected"]
    for field_name in fields:
        for nasty in NASTY:
            for encoding in (["query"] if spec.method == "get" else ["multipart"]):
                _run(client, ctx, name, {**valid, field_name: nasty}, encoding, counter=SWEEP)
        _run(client, ctx, name, {k: v for k, v in valid.items() if k != field_name},
             "multipart" if spec.method == "post" else "query", counter=SWEEP)


# URL segments: a slug, a token or a name in the path is user input too.
PATHS = {
    "customers:detail": ("slug", {}),
    "customers:follow": ("slug", {}),
    "customers:contact_new": ("slug", {}),
    "stories:detail": ("slug", {"pk": "story"}),
    "stories:edit": ("slug", {"pk": "draft"}),
    "stories:present": ("slug", {"pk": "story"}),
    "meetings:calendar_feed": ("token", {}),
    "digests:unsubscribe": ("token", {}),
    "loops:timeline": ("slug", {}),
    "loops:note_add": ("slug", {}),
    "loops:touch_log": ("slug", {}),
    "survey:answer": ("token", {}),
}
SEGMENTS = ["\x00", "a\x00b", "\u202e\u200d", "😀" * 50, "A" * 5000, "..", "%", "' OR 1=1 --", "<script>"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(PATHS))
def test_hostile_url_segments_are_not_found(client, ctx, name):
    kwarg, others = PATHS[name]
    for segment in SEGMENTS:
        kwargs = {kwarg: segment, **{k: ctx[v].pk for k, v in others.items()}}
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            response = exercise(client, f"path {name}", method, url, {}, "multipart", user=ctx["staff"], saved=_never,
                                counter=SWEEP)
            assert response.status_code in (302, 400, 404, 405), (url[:80], response.status_code)
