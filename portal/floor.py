"""The bench's floor and peers (see bench/README.md); reachable only by signed-in people, as every page.

- `floor`: the cheapest page a signed-in person can get: session and user lookup (middleware), one
  indexed query, base.html with nothing in it. Every page's throughput and latency are reported as a
  ratio to it, measured in the same run.
- `PeerFeed`, `PeerStory`: what a plain Django `ListView` / `DetailView` of the feed's and the story
  page's content costs, written the obvious way (select_related, prefetch_related, the stories'
  counter columns, a simple template, no cache). The redesigned pages must be at least this fast on a cache miss.
  They show the same content per card and per story (counts, the reader's "read" and "followed"
  marks, comments), but leave out the filter bar and actions, and the story peer records no read.
"""

from django.db.models import Count
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from customers.models import Customer, Follow
from portal.permissions import require
from stories.models import Reaction, Read
from stories.selectors import readable_published


@require_GET
def floor(request):
    customer = Customer.objects.filter(pk=1).first()
    return render(request, "portal/bench_floor.html", {"customer": customer, "user": request.user})


@method_decorator(require_GET, name="dispatch")
class PeerFeed(ListView):
    """Published stories, newest first, 20 a page, as cards."""

    template_name = "portal/bench_feed.html"
    context_object_name = "stories"
    paginate_by = 20

    def get_queryset(self):
        require(self.request.user, "story.view")
        return (
            readable_published(self.request.user)  # the stories' access funnel, as on the feed
            .select_related("customer", "author")
            .prefetch_related("themes")
            .order_by("-published_at", "-id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stories, user = context["stories"], self.request.user
        context["read_ids"] = set(
            Read.objects.filter(user=user, story__in=[s.pk for s in stories]).values_list("story_id", flat=True)
        )
        context["followed_ids"] = set(
            Follow.objects.filter(user=user, customer__in={s.customer_id for s in stories}).values_list("customer_id", flat=True)
        )
        return context


@method_decorator(require_GET, name="dispatch")
class PeerStory(DetailView):
    """One published story with its customer, facets, reaction counts, read count and comments."""

    template_name = "portal/bench_story.html"
    context_object_name = "story"

    def get_queryset(self):
        require(self.request.user, "story.view")
        return (
            readable_published(self.request.user)
            .select_related("customer", "author")
            .prefetch_related("themes", "teams")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        story = context["story"]
        counts = dict(story.reactions.order_by().values_list("kind").annotate(n=Count("pk")))
        context["reactions"] = [(label, counts.get(kind, 0)) for kind, label in Reaction.Kind.choices]
        context["comments"] = story.comments.select_related("author").order_by("created_at", "pk")
        return context
