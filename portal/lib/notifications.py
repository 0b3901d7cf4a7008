"""Does a person want a kind of email? The digests app owns the preferences and plugs its answer
in here from DigestsConfig.ready(), so the apps below it (decisions, meetings) can ask before
sending an action-caused email without importing it. Without digests, everyone wants everything."""

_check = None


def set_preference_check(check):
    """`check(user, kind) -> bool`, kind being one of digests.models.Kind's values."""
    global _check
    _check = check


def wants(user, kind):
    return True if _check is None else _check(user, kind)
