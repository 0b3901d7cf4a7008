"""Scorecard data built fast with bulk_create: a team's people and a quarter of their activity."""

import datetime

from customers.models import Follow
from decisions.models import Decision, ImpactReview, ReviewRequest
from meetings.models import Debrief, Meeting, Seat
from meetings.services import seats_recount
from portal.models import Team, User
from stories.models import Comment, Reaction, Read, Story
from tests.factories import CustomerFactory, UserFactory


def team_with_people(name, slug, *, staff=3, leaders=1):
    team, _ = Team.objects.get_or_create(slug=slug, defaults={"name": name})
    users = User.objects.bulk_create(
        [User(name=f"{slug} person {i}", email=f"{slug}-{i}@example.com", team=team,
              role=User.Role.LEADER if i < leaders else User.Role.STAFF) for i in range(staff + leaders)]
    )
    return team, users


def activity(team, users, quarter, *, customers, stories=2, meetings=1, decisions=2, reviewed=1, review_hours=(4, 10, 30)):
    """Every member reads `stories` stories about `customers`, reacts and comments once; leaders attend
    `meetings` meetings and debrief; the team decides `decisions` decisions, `reviewed` with a review."""
    at = quarter.start() + datetime.timedelta(days=20)
    author = UserFactory(team=None, role=User.Role.LEADER)
    host = UserFactory(team=None, role=User.Role.HOST)
    made = Story.objects.bulk_create([
        Story(customer=customers[i % len(customers)], author=author, title=f"{team.slug} story {i}", slug="s",
              body="b", status="published", published_at=at) for i in range(stories)
    ])
    Read.objects.bulk_create([Read(story=s, customer_id=s.customer_id, user=u, read_at=at) for s in made for u in users])
    Reaction.objects.bulk_create([Reaction(story=made[0], user=u, kind="moved", created_at=at) for u in users])
    Comment.objects.bulk_create([Comment(story=made[0], author=u, body="c", created_at=at) for u in users])
    leaders = [u for u in users if u.role == User.Role.LEADER]
    for i in range(meetings):
        meeting = Meeting.objects.create(
            customer=customers[i % len(customers)], host=host, title=f"{team.slug} meeting {i}", starts_at=at,
            ends_at=at + datetime.timedelta(hours=1), signup_closes_at=at - datetime.timedelta(days=1), place="Office",
        )
        seats = Seat.objects.bulk_create([Seat(meeting=meeting, user=u, status="confirmed") for u in leaders])
        seats_recount(meeting.pk)  # bulk_create bypasses the seat services, which keep the count
        Debrief.objects.bulk_create([Debrief(seat=s, goals_and_needs="g", created_at=at) for s in seats])
    made = Decision.objects.bulk_create([
        Decision(title=f"{team.slug} decision {i}", team=team, owner=users[0], context="c", proposal="p",
                 decide_by=at.date(), status="decided", decided_at=at) for i in range(decisions)
    ])
    ImpactReview.objects.bulk_create([
        ImpactReview(decision=d, author=users[-1], answer="a", direction="neutral", created_at=at) for d in made[:reviewed]
    ])
    ReviewRequest.objects.bulk_create([
        ReviewRequest(decision=made[0], reviewer=u, due_date=at.date(), created_at=at - datetime.timedelta(hours=h),
                      reviewed_at=at) for u, h in zip(users, review_hours)
    ])


def customers(count=3):
    return [CustomerFactory() for _ in range(count)]


def follow(user, customers_):
    Follow.objects.bulk_create([Follow(user=user, customer=c) for c in customers_])
