from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    conditional_page,
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from customers.models import Customer
from portal.lib.conflicts import redraw
from portal.lib.markdown import render_markdown
from portal.lib.text import join_list
from portal.permissions import can, require
from portal.refused import posts

from . import feeds, selectors, services
from .forms import CommentForm, FeedFilterForm, StoryForm
from .models import BODY_MAX_CHARS, Reaction, Story


def get_story_for(user, pk, *, write=False, reading=False):
    """404 when `user` may not see the story (a draft not theirs, or one shown to leaders or other teams
    only: Story.is_visible_to, the row form of selectors.readable_by); PermissionDenied when they may
    only read it. `reading` (the story page): the page's story and what is the reader's own, in one
    query (selectors.story_page_for_reader)."""
    story = selectors.story_page_for_reader(pk, reader=user) if reading else selectors.story_for_page(pk)
    if story is None or not story.is_visible_to(user):
        raise Http404
    if write:
        require(user, "story.edit", story)
    return story


def get_published_story_for(user, pk):
    """Reactions and comments: only on published stories `user` may read; anything else is a 404."""
    require(user, "story.view")
    return get_object_or_404(selectors.readable_published(user).select_related("customer"), pk=pk)


def _require_writer(user):
    require(user, "story.write")


# -- the feed ---------------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def feed(request):
    form = FeedFilterForm(request.GET)
    values, ignored = form.values()
    if ignored:
        messages.warning(request, _("Some filters were not understood and were ignored: %(names)s.") % {"names": join_list(ignored)})
    before = selectors.decode_cursor(request.GET.get("before"))
    filters = selectors.FeedFilters(**values, before=before)
    stories, next_cursor = selectors.feed(user=request.user, filters=filters)
    _mark_for_reader(stories, request.user)
    context = {
        "form": form, "filters": filters, "stories": stories, "next_cursor": next_cursor,
        "card_query": _card_query(request.GET), "can_write": can(request.user, "story.write"),
    }
    if request.htmx and request.htmx.target == "story-list":
        return render(request, "stories/feed.html#more", context)
    if request.htmx and not request.htmx.boosted:
        return render(request, "stories/feed.html#results", context)
    context["submitted_count"] = selectors.submitted_count(request.user)
    return render(request, "stories/feed.html", context)


def _card_query(query):
    """What of the page's query string a card shows, for its fragment key: its theme links keep the
    page's other filters (in their order) with the theme replaced and no page cursor. So the pages
    after the first and those filtered by another theme share their cards with the first page."""
    query = query.copy()
    query.pop("before", None)
    if "theme" in query:
        query["theme"] = "*"
    return query.urlencode()


def _mark_for_reader(stories, user):
    """"You follow this customer" and "Read" on each story, for `user`: one query."""
    followed, read = selectors.viewer_marks(
        user, story_ids=[story.pk for story in stories], customer_ids={story.customer_id for story in stories}
    )
    for story in stories:
        # "You follow this customer" on an anonymised story would name the customer.
        story.is_followed = story.customer_id in followed and not story.is_anonymised
        story.is_read = story.pk in read


@require_GET
def review(request):
    _require_writer(request.user)
    submitted, mine = selectors.review_lists(request.user)
    return render(request, "stories/review.html", {"submitted": submitted, "mine": mine})


# -- writing ----------------------------------------------------------------------------------------

ACTIONS = {"draft", "publish", "submit", "preview"}


def _save_story(request, form, story=None):
    """Create or update from a valid form, then apply the button pressed. Returns the story or None."""
    data = form.cleaned_data
    fields = {k: data[k] for k in StoryForm.SERVICE_FIELDS}
    fields["language"] = data.get("language") or None  # none chosen: the author's, or the story's own
    action = request.POST.get("action", "draft")
    try:
        with transaction.atomic():  # a refused publish leaves the edit unsaved too: the form shows why
            if story is None:
                story = services.story_create(by=request.user, **fields, publish=action == "publish")
            else:
                story = services.story_update(by=request.user, story=story, **fields, seen=data["seen"])
                if action == "publish":
                    services.story_publish(by=request.user, story=story)
            if action == "submit" and not story.is_published and story.author_id == request.user.pk:
                services.story_submit(by=request.user, story=story)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        redraw(form, error)
        return None
    return story


def _saved_message(request, story, was_published=False):
    if story.is_published and was_published:
        messages.success(request, _("Story saved."))
    elif story.is_published:
        messages.success(request, _("Story published."))
    elif story.status == Story.Status.SUBMITTED:
        messages.success(request, _("Story submitted. A leader will review and publish it."))
    else:
        messages.success(request, _("Draft saved. Only you and the leaders can see it."))


def _form_page(request, form, story=None, no_customers=False):
    """The form, with the preview of the text in it (the story's on opening an edit, what was sent when a
    save is refused or Preview pressed without JavaScript). `no_customers`: none to write about yet."""
    preview = render_markdown((form["body"].value() or "")[:BODY_MAX_CHARS])
    context = {"form": form, "story": story, "preview": preview, "may_publish": can(request.user, "story.publish"),
               "no_customers": no_customers}
    return render(request, "stories/form.html", context, status=400 if form.is_bound and form.errors else 200)


@posts(StoryForm)
@require_http_methods(["GET", "POST"])
def new(request):
    _require_writer(request.user)
    form = StoryForm(request.POST or None, initial={"customer": request.GET.get("customer"), "language": request.user.language})
    if request.method == "POST" and request.POST.get("action") != "preview" and form.is_valid():
        story = _save_story(request, form)
        if story is not None:
            _saved_message(request, story)
            return redirect(story)
    # None to write about yet (asked only when none is chosen: one chosen exists, or the field says it does not).
    return _form_page(request, form, no_customers=not form["customer"].value() and not Customer.objects.exists())


@posts(StoryForm)
@require_http_methods(["GET", "POST"])
def edit(request, pk, slug=None):
    story = get_story_for(request.user, pk, write=True)
    prefetch_related_objects([story], *Story.EDITED_LISTS)  # read once, for the form and its fingerprint
    form = StoryForm(request.POST or None, initial=StoryForm.initial_for(story))
    if request.method == "POST" and request.POST.get("action") != "preview" and form.is_valid():
        was_published = story.is_published
        if _save_story(request, form, story) is not None:
            _saved_message(request, story, was_published)
            return redirect(story)
    return _form_page(request, form, story)


@require_POST
def preview(request):
    """Live preview of the Markdown being written: sanitised HTML, the same as the saved story will show."""
    _require_writer(request.user)
    body = request.POST.get("body", "")
    if len(body) > BODY_MAX_CHARS:
        return render(request, "stories/form.html#preview", {"too_long": True})
    return render(request, "stories/form.html#preview", {"preview": render_markdown(body)})


def _status_change(request, pk, service, message):
    story = get_story_for(request.user, pk)
    try:
        service(by=request.user, story=story)
    except ValidationError as error:  # a customer who asked not to be named, and no consent recorded
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRedirect(story.get_absolute_url())
    return redirect(story)


@require_POST
def publish(request, pk):
    return _status_change(request, pk, services.story_publish, _("Story published."))


@require_POST
def unpublish(request, pk):
    return _status_change(request, pk, services.story_unpublish, _("Story unpublished. It is a draft again."))


@require_POST
def submit(request, pk):
    return _status_change(request, pk, services.story_submit, _("Story submitted. A leader will review and publish it."))


# -- reading ----------------------------------------------------------------------------------------


@require_GET
def detail(request, pk, slug=None):
    """Per request: the story with its customer, author, themes and teams (the fragments' keys) and what
    is the reader's own, in one query; the read they leave the first time; its reaction counts and
    comments. The markup that is the same for every reader is kept in fragments
    (stories/detail.html)."""
    story = get_story_for(request.user, pk, reading=True)
    if slug != story.slug:
        return redirect(story, permanent=False)
    if story.is_published and not story.already_read:  # the first visit records the read (once per person, whatever races)
        if services.read_record(by=request.user, story=story):
            story.read_count += 1
    mine = story.my_reactions
    may_publish = can(request.user, "story.publish", story)
    audience = selectors.audience_names(story)
    context = {
        "story": story,
        "facet_key": selectors.facet_key(story, audience),
        "audience_names": join_list(audience),
        # the counter columns, just read with the story, say when there is nothing to ask for
        "reactions": selectors.reactions_for(
            counts=selectors.reaction_counts(story) if story.reaction_count else {}, mine=mine
        ),
        "comments": _comments_for(request.user, selectors.story_comments(story) if story.comment_count else []),
        "comment_form": CommentForm(),
        "events": selectors.story_events(story) if may_publish else (),
        "may_publish": may_publish,
        "may_edit": story.can_edit(request.user),
        "related": selectors.related_stories(story=story, user=request.user),
    }
    return render(request, "stories/detail.html", context)


def _comments_for(user, comments):
    """The comments, each with whether `user` may edit or delete it. Those rules look only at who wrote
    the comment (tests/stories/test_story_page.py checks it), so they are worked out once for the
    reader's own comments and once for everyone else's."""
    allowed = {}
    for comment in comments:
        own = comment.author_id == user.pk
        if own not in allowed:
            allowed[own] = (can(user, "comment.edit", comment), can(user, "comment.delete", comment))
        comment.may_edit, comment.may_delete = allowed[own]
    return comments


@require_GET
def present(request, pk, slug):
    story = get_story_for(request.user, pk)
    if slug != story.slug:
        return redirect(story.get_present_url())
    services.read_record(by=request.user, story=story)
    return render(request, "stories/present.html", {"story": story})


@require_GET
def give_me_one(request):
    story = selectors.give_me_one(user=request.user)
    if story is None:
        messages.info(request, _("There are no published stories yet."))
        return redirect("stories:feed")
    return redirect(story.get_present_url())


# -- reactions and comments -------------------------------------------------------------------------


@require_POST
def react(request, pk):
    story = get_published_story_for(request.user, pk)
    kind = request.POST.get("kind", "")
    if kind not in Reaction.Kind.values:
        return HttpResponse(_("Unknown reaction."), status=400)
    services.reaction_toggle(by=request.user, story=story, kind=kind)
    if request.htmx:
        context = {"story": story, "reactions": selectors.reaction_summary(story=story, user=request.user), "changed": kind}
        return render(request, "stories/detail.html#reactions", context)
    return redirect(story)


def _comment_context(request, story, comment_form=None, added=None):
    """The comments section for an htmx answer; `added`, a comment just written, takes the focus (lifeline.js)."""
    comments = _comments_for(request.user, selectors.story_comments(story))
    return {"story": story, "comments": comments, "comment_form": comment_form or CommentForm(), "added": added}


@posts(CommentForm)
@require_POST
def comment_add(request, pk):
    story = get_published_story_for(request.user, pk)
    form = CommentForm(request.POST)
    comment = None
    if form.is_valid():
        try:
            comment = services.comment_add(by=request.user, story=story, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error("body", error.message_dict.get("body"))
    if request.htmx:
        if comment:
            messages.success(request, _("Comment added."))
        context = _comment_context(request, story, None if form.is_valid() else form, added=comment)
        # htmx swaps only 2xx answers: the form with its errors comes back as 200.
        return render(request, "stories/detail.html#comments", context)
    if form.is_valid():
        messages.success(request, _("Comment added."))
        return redirect(story.get_absolute_url() + "#comments")
    return render(request, "stories/comment_form.html", {"story": story, "form": form}, status=400)


def _get_comment(request, pk, comment_pk):
    story = get_published_story_for(request.user, pk)
    return story, get_object_or_404(story.comments.select_related("author"), pk=comment_pk)


@posts(CommentForm)
@require_http_methods(["GET", "POST"])
def comment_edit(request, pk, comment_pk):
    story, comment = _get_comment(request, pk, comment_pk)
    require(request.user, "comment.edit", comment)
    # Its own ids: on the story page the form to add a comment is there too.
    form = CommentForm(request.POST or None, initial={"body": comment.body}, auto_id=f"id_comment-{comment.pk}-%s")
    if request.method == "POST" and form.is_valid():
        services.comment_update(by=request.user, comment=comment, body=form.cleaned_data["body"])
        messages.success(request, _("Comment updated."))
        if request.htmx:
            (comment,) = _comments_for(request.user, [comment])
            return render(request, "stories/detail.html#comment", {"story": story, "comment": comment})
        return redirect(story.get_absolute_url() + "#comments")
    context = {"story": story, "comment": comment, "form": form}
    status = 400 if form.is_bound and form.errors else 200
    if request.htmx:
        # The form opens where the comment was; the one who asked for it goes on typing there (lifeline.js).
        form.fields["body"].widget.attrs["data-focus-after-swap"] = ""
        return render(request, "stories/comment_form.html#edit-form", context)
    return render(request, "stories/comment_form.html", context, status=status)


@require_POST
def comment_delete(request, pk, comment_pk):
    story, comment = _get_comment(request, pk, comment_pk)
    services.comment_delete(by=request.user, comment=comment)
    messages.success(request, _("Comment deleted."))
    if request.htmx:  # the whole section: its heading counts the comments
        return render(request, "stories/detail.html#comments", _comment_context(request, story))
    return redirect(story.get_absolute_url() + "#comments")


# -- Atom -------------------------------------------------------------------------------------------


def _feed_view(kind, *, signed_in=False):
    """A feed as a view for GET and HEAD that answers a reader's If-None-Match with 304 (an ETag of
    the body)."""
    view = require_safe(conditional_page(feeds.StoriesFeed(kind, signed_in=signed_in)))
    return view if signed_in else login_not_required(view)


atom = _feed_view(feeds.ALL, signed_in=True)  # the signed-in browser's feed
reader_feed = _feed_view(feeds.ALL)
reader_feed_customer = _feed_view(feeds.CUSTOMER)
reader_feed_theme = _feed_view(feeds.THEME)
reader_feed_following = _feed_view(feeds.FOLLOWING)


@require_GET
def subscribe(request):
    """The person's private feed addresses, to paste into a feed reader."""
    require(request.user, "story.view")
    context = {"themes": selectors.themes()}
    if request.GET.get("customer"):  # from a customer page: its feed first
        context["customer"] = selectors.feed_customer(request.GET["customer"])
    elif request.GET.get("theme"):  # from the stories filtered by a theme
        context["theme"] = next((t for t in context["themes"] if t.slug == request.GET["theme"]), None)
    return render(request, "stories/subscribe.html", context)


@require_POST
def subscribe_reset(request):
    services.feed_token_reset(by=request.user)
    messages.success(request, _("Your feeds have new addresses. The old ones no longer work: subscribe again with the new ones."))
    return redirect("stories:subscribe")
