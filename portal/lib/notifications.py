"""Does a person want a kind of email, and how do they stop it? The digests app owns the preferences and
the one-click unsubscribe links, and plugs its answers in here from DigestsConfig.ready(), so the apps
below it (decisions, meetings, loops, survey) can ask before sending an action-caused email without
importing it. Without digests, everyone wants everything and no email offers an unsubscribe link."""

from dataclasses import dataclass, field

_check = None
_subscriptions = None


@dataclass(frozen=True)
class Subscription:
    """A person who wants a kind of email: the link that turns off just that kind (RFC 8058 one-click),
    the headers carrying it (List-Unsubscribe, List-Unsubscribe-Post), and the notification settings page."""

    unsubscribe_url: str = ""
    headers: dict = field(default_factory=dict)
    settings_url: str = ""

    def context(self):
        """What an email template shows in its footer."""
        return {"unsubscribe_url": self.unsubscribe_url, "settings_url": self.settings_url}


def set_preference_check(check):
    """`check(user, kind) -> bool`, kind being one of digests.models.Kind's values."""
    global _check
    _check = check


def set_subscriptions(lookup):
    """`lookup(users, kind) -> {user pk: Subscription}` naming only those of `users` who want email of `kind`."""
    global _subscriptions
    _subscriptions = lookup


def wants(user, kind):
    return True if _check is None else _check(user, kind)


def subscriptions(users, kind):
    """{user pk: Subscription} for those of `users` who want email of `kind` (one query for any number);
    someone missing turned that kind off, is inactive or has no email address: send them nothing."""
    users = list(users)
    if _subscriptions is None:
        return {user.pk: Subscription() for user in users if user.is_active and user.email}
    return _subscriptions(users, kind)


def subscription(user, kind):
    """`user`'s Subscription to `kind`, or None when they are not to get it."""
    return subscriptions([user], kind).get(user.pk)
