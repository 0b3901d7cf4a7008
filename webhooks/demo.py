"""A demo Slack channel, disabled, so `make run` posts nowhere: an admin sees how a channel is set up and
can point it at a local receiver (README) before enabling it. Re-runnable."""

from .models import Channel
from .services import channel_save

NAME = "#customer-stories (example)"
# Slack's documented example address: it names no real workspace.
EXAMPLE_URL = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"


def seed(*, teams, people, customers, **_ctx):
    admin = people["admin"]
    channel = Channel.objects.filter(name=NAME).first()
    if channel is None:
        channel = Channel(name=NAME, service=Channel.Service.SLACK, enabled=False, post_reviews=False)
        channel_save(by=admin, channel=channel, webhook_url=EXAMPLE_URL)
    finance = teams.get("finance")
    if finance is not None:
        channel.teams.set([finance])
    return channel
