"""Atom feeds of stories (RFC 4287), for feed readers.

Each person has private addresses, `/stories/feeds/<token>/…` (all stories, one customer's, one
theme's, the customers they follow), that a feed reader fetches without signing in: the token
(`User.feed_token`) is the only key, it works only while the person is active, and it shows only
what that person may read (`selectors.for_reader`). `/stories/feed/` is the same "all stories" feed
for a signed-in browser.

Django's syndication framework writes the XML; `StoriesAtom` adds what it leaves out: the story itself
as `<content type="html">` (the summary is the plain-text excerpt), each entry's language, a stable
`updated` for an empty feed. Ids are tag URIs (RFC 4151) made of the site's host and the row's
primary key, so they outlive a renamed slug, a changed theme or a reset token.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from customers.models import Customer

from . import selectors
from .models import Theme

ALL, CUSTOMER, THEME, FOLLOWING = "all", "customer", "theme", "following"
KINDS = (ALL, CUSTOMER, THEME, FOLLOWING)
# The date in every tag URI: when these ids were first minted. Never change it (ids must not change).
TAG_DATE = "2026"


def tag_uri(specific):
    """`tag:<site host>,2026:<specific>` (RFC 4151): stable whichever address the feed was fetched at."""
    authority = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{authority},{TAG_DATE}:{specific}"


def feed_path(user, kind=ALL, obj=None):
    """The path of `user`'s private feed of that kind (`obj`: the customer or theme)."""
    token = user.feed_token
    if kind == CUSTOMER:
        return reverse("stories:reader_feed_customer", kwargs={"token": token, "slug": obj.slug})
    if kind == THEME:
        return reverse("stories:reader_feed_theme", kwargs={"token": token, "slug": obj.slug})
    if kind == FOLLOWING:
        return reverse("stories:reader_feed_following", kwargs={"token": token})
    return reverse("stories:reader_feed", kwargs={"token": token})


class StoriesAtom(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        # The text is escaped once by the XML writer: a reader unescapes it back to the story's HTML.
        handler.addQuickElement("content", item["content_html"], {"type": "html"})

    def item_attributes(self, item):
        return {**super().item_attributes(item), "xml:lang": item["language"]}

    def latest_post_date(self):
        """The newest entry's `updated`; for a feed with none, a fixed moment rather than Django's
        "now", so an empty feed is the same on every fetch (and its ETag too)."""
        if not self.items:
            return self.feed["updated_when_empty"]
        return super().latest_post_date()


@dataclass
class Subject:
    """What one feed is: whose, and which stories."""

    reader: object
    kind: str
    customer: Customer | None = None
    theme: Theme | None = None


class StoriesFeed(Feed):
    """One kind of story feed. `signed_in`: for the person signed in (`/stories/feed/`), else for the
    owner of the token in the address."""

    feed_type = StoriesAtom

    def __init__(self, kind=ALL, *, signed_in=False):
        assert kind in KINDS
        self.kind, self.signed_in = kind, signed_in

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # Django dates the feed by its newest entry, which misses a story unpublished or a theme
        # renamed: readers revalidate with the ETag instead (a hash of the body, views._feed_view).
        response.headers.pop("Last-Modified", None)
        response.headers["Cache-Control"] = "private, no-cache"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_object(self, request, token=None, slug=None):
        reader = request.user if self.signed_in else selectors.feed_reader(token)
        if reader is None:
            raise ObjectDoesNotExist
        subject = Subject(reader=reader, kind=self.kind)
        if self.kind == CUSTOMER:
            subject.customer = selectors.feed_customer(slug)
            if subject.customer is None:
                raise ObjectDoesNotExist
        elif self.kind == THEME:
            subject.theme = selectors.feed_theme(slug)
            if subject.theme is None:
                raise ObjectDoesNotExist
        return subject

    def get_feed(self, obj, request):
        with translation.override(obj.reader.language):
            return super().get_feed(obj, request)

    # -- the feed ---------------------------------------------------------------------------------

    def title(self, obj):
        if obj.kind == CUSTOMER:
            return _("Lifeline: stories about %(customer)s") % {"customer": obj.customer.name}
        if obj.kind == THEME:
            return _("Lifeline: stories on %(theme)s") % {"theme": obj.theme.name}
        if obj.kind == FOLLOWING:
            return _("Lifeline: stories about the customers you follow")
        return _("Lifeline: customer stories")

    def subtitle(self, obj):
        return _("Stories about the named customers we work for.")

    def link(self, obj):
        if obj.kind == CUSTOMER:
            return obj.customer.get_absolute_url()
        if obj.kind == THEME:
            return f"{reverse('stories:feed')}?theme={obj.theme.slug}"
        return reverse("stories:feed")

    def feed_url(self, obj):
        return None if self.signed_in else feed_path(obj.reader, obj.kind, obj.customer or obj.theme)

    def feed_guid(self, obj):
        if obj.kind == CUSTOMER:
            return tag_uri(f"stories/customer/{obj.customer.pk}")
        if obj.kind == THEME:
            return tag_uri(f"stories/theme/{obj.theme.pk}")
        if obj.kind == FOLLOWING:
            return tag_uri(f"stories/following/{obj.reader.pk}")
        return tag_uri("stories")

    def author_name(self, obj):
        return _("Lifeline")

    def feed_extra_kwargs(self, obj):
        return {"updated_when_empty": obj.reader.date_joined}

    def items(self, obj):
        return selectors.feed_items(
            reader=obj.reader, customer=obj.customer, theme=obj.theme, followed=obj.kind == FOLLOWING
        )

    # -- each story -------------------------------------------------------------------------------

    def item_title(self, item):
        return f"{item.customer_label}: {item.title}"

    def item_description(self, item):
        return escape(item.excerpt)  # plain text, sent as the summary's type="html"

    def item_author_name(self, item):
        return item.author.name

    def item_guid(self, item):
        return tag_uri(f"story/{item.pk}")

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at or item.updated_at)

    def item_categories(self, item):
        return [item.customer_label, *(theme.name for theme in item.themes.all())]

    def item_extra_kwargs(self, item):
        return {
            "content_html": render_to_string("stories/atom_content.html", {"story": item}),
            "language": item.language,
        }

