"""bench/mix.py's request chooser: the mix looks like real use, and about 5% of it writes."""

import collections
import random
import re

import pytest

from bench import mix

DATA = {
    "stories": [(pk, f"story-{pk}") for pk in range(1, 500)],
    "recent_stories": [(pk, f"story-{pk}") for pk in range(1, 20)],
    "customers": ["busy-harbour-logistics", "acme", "northwind"],
    "customer_ids": [1, 2, 3],
    "busy_customer": "busy-harbour-logistics",
    "teams": ["team-01", "team-02"], "team_ids": [1, 2],
    "themes": ["theme-1", "theme-2"], "theme_ids": [1, 2],
    "meetings": [10, 11, 12], "open_meetings": [11, 12],
    "decisions": [5, 6],
}
DRAWS = 20_000


def draw(person, n=DRAWS, seed=1):
    rng = random.Random(seed)
    return [mix.choose(rng, DATA, person) for _ in range(n)]


@pytest.fixture
def writer():
    return mix.Person(pk=1, cookie="x", may_write=True)


def test_the_weights_are_percentages_and_five_of_them_write():
    assert sum(mix.WEIGHTS.values()) == pytest.approx(100)
    assert sum(w for label, w in mix.WEIGHTS.items() if mix.is_write(label)) == pytest.approx(5)


def test_about_five_percent_of_requests_write(writer):
    requests = draw(writer)
    writes = [r for r in requests if mix.is_write(r.label)]

    assert 0.045 < len(writes) / DRAWS < 0.055
    assert all(r.method == "POST" for r in writes)
    assert all(r.method == "GET" for r in requests if not mix.is_write(r.label))


def test_story_and_feed_pages_come_most_and_the_scorecard_rarely(writer):
    share = {label: n / DRAWS for label, n in collections.Counter(r.label for r in draw(writer)).items()}

    assert [label for label, _ in sorted(share.items(), key=lambda kv: -kv[1])[:2]] == ["story", "feed"]
    for label, weight in mix.WEIGHTS.items():
        assert share[label] == pytest.approx(weight / 100, abs=0.01), label
    assert share["scorecard"] < 0.02


def test_pages_come_from_the_data():
    person = mix.Person(pk=2, cookie="x", may_write=False)
    for request in draw(person, 2_000):
        if request.label == "story":
            _, _, pk, slug, _ = request.path.split("/")
            assert (int(pk), slug) in DATA["stories"]
        if request.label == "customer":
            assert request.path.split("/")[2] in DATA["customers"]
        if request.label == "customer timeline":  # as htmx asks for it from the customer page
            assert request.path.split("/")[3] in DATA["customers"] and request.htmx_target == "timeline"
        if request.label == "complaint patterns":
            assert request.path == "/improvements/" or re.fullmatch(r"/improvements/\?month=\d{4}-\d{2}", request.path)
        if request.label == "write: sign-up/leave":
            assert request.path == f"/meetings/{request.path.split('/')[2]}/signup/"  # no seat to leave yet
            assert int(request.path.split("/")[2]) in DATA["open_meetings"]


def test_only_writers_write_stories_and_the_share_of_writes_stays():
    reader = mix.Person(pk=3, cookie="x", may_write=False)
    requests = draw(reader)

    assert not [r for r in requests if r.label == "write: new story"]
    assert 0.045 < sum(mix.is_write(r.label) for r in requests) / DRAWS < 0.055


def test_a_person_leaves_only_meetings_they_signed_up_for(writer):
    writer.seats = {11}
    seat_changes = [r for r in draw(writer, 5_000) if r.label == "write: sign-up/leave"]

    leaves = [r for r in seat_changes if r.path.endswith("/leave/")]
    assert leaves and all(r.path == "/meetings/11/leave/" for r in leaves)
    assert any(r.path.endswith("/signup/") for r in seat_changes)


def test_a_request_is_a_miss_only_when_it_looked_for_fragments_and_found_none():
    rows = [
        ("feed", 0.1, 200, True, "shared=0/2", (10.0, 5.0)),
        ("feed", 0.1, 200, True, "shared=1/2", (3.0, 1.0)),  # one found: not a miss
        ("feed", 0.1, 200, True, "none", (1.0, 1.0)),  # looked for nothing: not a miss
        ("story", 0.1, 200, True, "shared=0/1,template=0/3", (20.0, 8.0)),
    ]

    assert mix.on_a_miss(rows) == {
        "feed": {"requests": 1, "worker_p50": 10.0, "cpu_mean": 5.0},
        "story": {"requests": 1, "worker_p50": 20.0, "cpu_mean": 8.0},
    }
