"""`{% fragment "name" value … %}…{% endfragment %}`: Django's `{% cache %}` as every shared fragment
uses it, so no template can forget a part of the key.

- The key is the name, the values given (which must cover everything the fragment shows: the row's
  id and `updated_at`, and the values from related rows that change without touching it, such as a
  customer's name), the active language and the active time zone. A change to what it shows is a new
  key, in every worker at once: nothing is ever invalidated, old entries age out.
- It is kept in the `template_fragments` cache (each worker's memory, settings.CACHES) for
  settings.FRAGMENT_MAX_AGE seconds; the cache's key prefix carries the release.
- Only what is the same for every reader goes inside: counts, "read", "followed", "your seat",
  permissions and CSRF tokens are rendered outside, on every request.

A thin wrapper around Django's own CacheNode rather than a cache of our own.
"""

from django import template
from django.conf import settings
from django.templatetags.cache import CacheNode
from django.utils import timezone, translation

register = template.Library()


class _Now:
    """A value read when the fragment renders, in place of a template variable."""

    def __init__(self, read):
        self.read = read

    def resolve(self, context):
        return self.read()


@register.tag("fragment")
def fragment(parser, token):
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(
            "{% fragment %} needs a name and the values that decide what it shows (at least one)."
        )
    vary_on = [parser.compile_filter(bit) for bit in bits[2:]]
    vary_on += [_Now(translation.get_language), _Now(timezone.get_current_timezone_name)]
    return CacheNode(nodelist, _Now(lambda: settings.FRAGMENT_MAX_AGE), bits[1].strip("\"'"), vary_on, None)
