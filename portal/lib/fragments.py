"""Shared fragments: what many people see alike, rendered once and kept until what it shows changes.

A fragment names the topics it shows (`"stories"`, `"people"`, …). Every write to a model of a
topic moves that topic's generation (`watch` connects save, delete and many-to-many signals; code
that writes with `bulk_create` or `update()` calls `bump` itself), and a fragment's cache key
carries the generations of its topics, so the first request after a change renders afresh and the
old entries simply age out. Keys also carry the language and the time zone.

Nothing that depends on who is looking goes into a fragment: permissions, "you follow this", "you
have read this" and the actions a person may take are added by the caller on every request.

A worker also keeps the fragments it used last in its own memory (`_Local`). A key names the
generations it was rendered at, which every request reads afresh from the cache, so a kept copy is
never served after a change; it only saves the round trip to fetch the same bytes again.
"""

import contextvars
import hashlib
import threading
import time
from collections import OrderedDict

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.choices import BaseChoiceIterator
from django.utils import timezone, translation


# Topics seen by `watch`: a request reads all their generations at once, the first time it needs one.
TOPICS = set()
# This request's generations and fragments (RequestMemo): several fragments on one page ask Redis for
# the generations once, and a fragment asked for twice is fetched once.
_memo = contextvars.ContextVar("fragments_memo", default=None)


class _Memo:
    def __init__(self):
        self.generations, self.values = {}, {}


class _Local:
    """The fragments this worker used last, by key: at most `settings.FRAGMENT_LOCAL_ITEMS`, each for at
    most FRAGMENT_MAX_AGE seconds, as in the shared cache."""

    def __init__(self):
        self._items, self._lock = OrderedDict(), threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def set_many(self, values):
        limit = settings.FRAGMENT_LOCAL_ITEMS
        if limit <= 0:
            return
        expires = time.monotonic() + settings.FRAGMENT_MAX_AGE
        with self._lock:
            for key, value in values.items():
                self._items[key] = (expires, value)
                self._items.move_to_end(key)
            while len(self._items) > limit:
                self._items.popitem(last=False)

    def clear(self):
        with self._lock:
            self._items.clear()


local = _Local()


def _generation_key(topic):
    return f"fragments:generation:{topic}"


def bump(*topics):
    """Mark everything showing `topics` as out of date: now, and again when the transaction commits
    (so a request that read the generation between the two cannot keep the old rows under the new one)."""

    def move():
        moved = {topic: time.time_ns() for topic in topics}
        cache.set_many({_generation_key(topic): value for topic, value in moved.items()}, timeout=None)
        memo = _memo.get()
        if memo is not None:
            memo.generations.update(moved)

    move()
    transaction.on_commit(move)


def _fetch(topics):
    keys = {topic: _generation_key(topic) for topic in topics}
    found = cache.get_many(keys.values())
    values = {}
    for topic, key in keys.items():
        if key not in found:
            cache.add(key, time.time_ns(), timeout=None)  # the first process to start a topic sets it
            found[key] = cache.get(key)
        values[topic] = found[key]
    return values


def generations(topics):
    memo = _memo.get()
    if memo is None:
        values = _fetch(topics)
    else:
        values = memo.generations
        if any(topic not in values for topic in topics):
            values.update(_fetch((TOPICS | set(topics)) - values.keys()))
    return [values[topic] for topic in topics]


class RequestMemo:
    """Middleware: each request reads the fragments' generations once (one round trip to the cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set(_Memo())
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)


def fragment_key(name, topics, parts=()):
    raw = "\x1f".join(
        [name, translation.get_language() or "", timezone.get_current_timezone_name()]
        + [str(g) for g in generations(topics)]
        + [str(part) for part in parts]
    )
    return f"fragments:{name}:{hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()}"


def cached_many(name, *, topics, ids, render):
    """{id: value} for each of `ids`, each kept as a fragment of its own (a card per customer, shared
    by everyone who shows that customer), read in one round trip; `render(missing_ids)` gives
    {id: value} for those not kept, in one go."""
    base = fragment_key(name, topics)
    keys = {pk: f"{base}:{pk}" for pk in ids}
    memo = _memo.get()
    known = memo.values if memo is not None else {}
    values = {}
    for pk, key in keys.items():
        value = known[key] if key in known else local.get(key)
        if value is not None and not _outdated(value):
            values[pk] = value
    wanted = [key for pk, key in keys.items() if pk not in values]
    found = cache.get_many(wanted) if wanted else {}
    found = {pk: found[key] for pk, key in keys.items() if key in found and not _outdated(found[key])}
    missing = [pk for pk in ids if pk not in values and pk not in found]
    if missing:
        fresh = render(missing)
        cache.set_many({keys[pk]: value for pk, value in fresh.items()}, settings.FRAGMENT_MAX_AGE)
        found.update(fresh)
    local.set_many({keys[pk]: value for pk, value in found.items()})
    values.update(found)
    if memo is not None:
        memo.values.update((keys[pk], value) for pk, value in values.items())
    return values


def cached(name, *, topics, parts=(), render, per_person=False):
    """`render()`'s value for this name, topics' generations, language, time zone and `parts`
    (whatever else decides what the fragment shows: filters, page cursor, …).

    What the clock alone changes (a meeting ends and leaves "Upcoming"), the value says with a
    `changes_at` attribute (an aware datetime, or None): once that moment has passed, it is rendered
    afresh.

    `per_person`: the fragment is one person's (their id in `parts`, say a home panel). It is kept in
    the shared cache only: in a worker's memory it would crowd out what everyone reads."""
    key = fragment_key(name, topics, parts)
    memo = _memo.get()
    value = memo.values.get(key) if memo is not None else None  # asked for twice in one request
    if value is None and not per_person:
        value = local.get(key)
    if value is None or _outdated(value):
        value = cache.get(key)
        if value is None or _outdated(value):
            value = render()
            cache.set(key, value, settings.FRAGMENT_MAX_AGE)
        if not per_person:
            local.set_many({key: value})
    if memo is not None:
        memo.values[key] = value
    return value


def _outdated(value):
    changes_at = getattr(value, "changes_at", None)
    return changes_at is not None and changes_at <= timezone.now()


def watch(topic, *models, unshown=()):
    """Bump `topic` whenever a row of one of `models` is saved or deleted, or a many-to-many link
    (pass the through model) is added or removed through its manager (add, remove, set, clear: Django
    sends no signal for link rows deleted by a queryset). A save of only `unshown` fields (say,
    last_login) changes nothing a fragment shows."""
    unshown = frozenset(unshown)
    TOPICS.add(topic)

    def changed(sender, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields and unshown.issuperset(update_fields):
            return
        if kwargs.get("action", "post_").startswith("post_"):
            bump(topic)

    for model in models:
        uid = f"fragments-{topic}-{model._meta.label_lower}"
        post_save.connect(changed, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
        m2m_changed.connect(changed, sender=model, dispatch_uid=f"{uid}-m2m", weak=False)


class SharedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose options are the same for everyone (the feed's teams and themes): listed
    once and kept as a fragment named `shared_as` until a row of `topics` changes. A chosen value is
    looked up in that same list, so a filter by team costs no query either."""

    def __init__(self, *args, shared_as, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.shared_as, self.topics = shared_as, tuple(topics)

    def __deepcopy__(self, memo):
        shared = self.__dict__.pop("_shared", None)  # each form's copy asks for its own, once
        try:
            return super().__deepcopy__(memo)
        finally:
            if shared is not None:
                self._shared = shared

    def _get_choices(self):
        if not hasattr(self, "shared_as"):  # while ModelChoiceField.__init__ runs
            return super()._get_choices()
        if "_shared" not in self.__dict__:
            self._shared = SharedChoices(self, super()._get_choices())
        return self._shared

    choices = property(_get_choices, forms.ChoiceField.choices.fset)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        rows = self.choices.rows()
        if str(value) not in rows:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        names, values = rows[str(value)]
        return self.queryset.model.from_db(self.queryset.db, names, values)


class SharedChoices(BaseChoiceIterator):
    """The options of a SharedModelChoiceField, with the loaded fields of each row, fetched from the
    cache (or the database, once) when first needed. A choice iterator, so Django's forms take it as
    it is instead of listing (and so fetching) the options whenever a form is made."""

    def __init__(self, field, iterator):
        self.field, self.iterator, self.options = field, iterator, None

    def _list(self):
        rows = []
        for value, label in self.iterator:
            instance = getattr(value, "instance", None)
            loaded = [] if instance is None else [
                f.attname for f in instance._meta.concrete_fields if f.attname in instance.__dict__
            ]
            rows.append((str(value), str(label), loaded, [getattr(instance, name) for name in loaded]))
        return rows

    def _rows(self):
        if self.options is None:
            self.options = cached(f"choices:{self.field.shared_as}", topics=self.field.topics, render=self._list)
        return self.options

    def rows(self):
        """{value: (field names, their values)} of the rows (not the empty label)."""
        return {value: (names, values) for value, _label, names, values in self._rows() if names}

    def __iter__(self):
        return iter([(value, label) for value, label, _names, _values in self._rows()])

    def __len__(self):
        return len(self._rows())

    def __bool__(self):
        return True  # the empty label at least
