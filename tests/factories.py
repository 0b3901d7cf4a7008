import datetime

import factory
from django.utils.text import slugify

from customers.models import Contact, Customer, Follow
from portal.models import Team, User

TEST_PASSWORD = "correct horse battery staple"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Team.Kind.BACK_OFFICE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    team = factory.SubFactory(TeamFactory)
    role = User.Role.STAFF
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n:05d}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    industry = "Wholesale"
    region = "North America"
    who_they_are = factory.Faker("sentence")
    what_they_do = factory.Faker("sentence")
    daily_challenges = factory.Faker("sentence")
    how_we_help = "We help with **care**."
    customer_since = datetime.date(2019, 1, 1)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Faker("name")
    role = "Owner"
    family = "Two daughters."
    occupation = "Founded the company."
    recreation = "Sailing."
    dreams = "Retire by the sea."


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    user = factory.SubFactory(UserFactory)
    customer = factory.SubFactory(CustomerFactory)



# -- stories --------------------------------------------------------------------------------------

def _render_markdown(text):
    from portal.lib.markdown import render_markdown

    return render_markdown(text)


def _plain_excerpt(html):
    from portal.lib.markdown import plain_excerpt

    return plain_excerpt(html)


def _now():
    from django.utils import timezone

    return timezone.now()


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stories.Theme"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class StoryFactory(factory.django.DjangoModelFactory):
    """A published story rendered as the service renders it (no search vector: search tests use the services)."""

    class Meta:
        model = "stories.Story"

    customer = factory.SubFactory(CustomerFactory)
    author = factory.SubFactory(UserFactory, role=User.Role.LEADER)
    title = factory.Sequence(lambda n: f"Story number {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title) or "story")
    body = "Their crew **counts** on the morning delivery."
    body_html = factory.LazyAttribute(lambda o: _render_markdown(o.body))
    excerpt = factory.LazyAttribute(lambda o: _plain_excerpt(o.body_html))
    status = "published"
    published_at = factory.LazyFunction(_now)


# Decisions (decisions app)
class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "decisions.Decision"

    title = factory.Sequence(lambda n: f"Decision {n:05d}")
    team = factory.SubFactory(TeamFactory)
    owner = factory.SubFactory(UserFactory, role=User.Role.LEADER)
    context = "Cash is tight this quarter and suppliers are paid early."
    proposal = "Move every supplier to **60-day** payment terms."
    decide_by = factory.LazyFunction(lambda: __import__("django.utils.timezone", fromlist=["x"]).localdate() + datetime.timedelta(days=14))
    status = "in_review"


class ImpactReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "decisions.ImpactReview"

    decision = factory.SubFactory(DecisionFactory)
    author = factory.SubFactory(UserFactory)
    answer = "Our IT training vendor would put weaker trainers on our customers' projects."
    direction = "neutral"
    severity = ""


class ReviewRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "decisions.ReviewRequest"

    decision = factory.SubFactory(DecisionFactory)
    reviewer = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: __import__("django.utils.timezone", fromlist=["x"]).localdate() + datetime.timedelta(days=7))


# meetings ---------------------------------------------------------------------------------------


def _in_days(days, hours=0):
    from django.utils import timezone

    return timezone.now().replace(microsecond=0) + datetime.timedelta(days=days, hours=hours)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.Meeting"

    customer = factory.SubFactory(CustomerFactory)
    host = factory.SubFactory(UserFactory, role=User.Role.HOST)
    kind = "annual_review"
    title = factory.Sequence(lambda n: f"Annual business review {n:05d}")
    starts_at = factory.LazyFunction(lambda: _in_days(14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=1))
    signup_closes_at = factory.LazyAttribute(lambda o: o.starts_at - datetime.timedelta(days=1))
    place = "Head office, room 4"
    seats = 2


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.Seat"

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    status = "confirmed"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """As the seat services do: the meeting's `seats_taken` follows its confirmed seats."""
        from meetings.services import seats_recount

        seat = super()._create(model_class, *args, **kwargs)
        seats_recount(seat.meeting_id)
        return seat


class DebriefFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.Debrief"

    seat = factory.SubFactory(SeatFactory)
    goals_and_needs = "They want deliveries they can plan a crew around."
    surprises = "How much a single late order costs them."
    do_differently = "Pay suppliers on time in the busy season."
