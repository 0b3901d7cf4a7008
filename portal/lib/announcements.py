"""News worth telling people about where they already talk: a story published, a decision that awaits
customer impact reviews or was decided, a customer meeting opened with listener seats.

The app where it happens announces it from its service, inside the write's transaction:

    announce(STORY_PUBLISHED, story.pk)

and whoever listens (the webhooks app posts it to Slack and Teams channels) hears it through Django's
`announced` signal, connected in its AppConfig.ready(). Listeners only enqueue work to run after the
commit, so a rolled-back write announces nothing and a listener never fails the write. The apps that
announce never import the ones that listen (DESIGN.md: dependencies point one way)."""

from django.dispatch import Signal

STORY_PUBLISHED = "story_published"
DECISION_IN_REVIEW = "decision_in_review"
DECISION_DECIDED = "decision_decided"
MEETING_OPENED = "meeting_opened"
KINDS = (STORY_PUBLISHED, DECISION_IN_REVIEW, DECISION_DECIDED, MEETING_OPENED)

# Sent with kind= (one of KINDS) and pk= (the story's, decision's or meeting's primary key).
announced = Signal()


def announce(kind, pk):
    if kind not in KINDS:
        raise ValueError(f"Unknown announcement {kind!r}")
    announced.send(sender=None, kind=kind, pk=pk)
