"""Edit forms never overwrite each other silently (optimistic locking).

Every edited model has a `version` column. The edit form carries the version it was
opened at (every page sends it; a post without one is saved unguarded, as before) and a
signed snapshot of the values it showed (`add_version`). The save runs in `saving(...)`:
one conditional UPDATE raises the version only if it is still the one the form was
opened at; if someone saved in between, nothing is written and `StaleEdit` is raised.
`StaleEdit.show_on(form)` puts on the form what changed since it was opened (field:
value then → value now) and moves the form to the current version, so the person can
review their entries and save again deliberately.
"""

from contextlib import contextmanager

from django import forms
from django.core import signing
from django.db import transaction
from django.db.models import F

VERSION, SEEN = "version", "seen"
SALT = "musicbeats.versions"
REFUSED = "Someone else saved this since you opened it; nothing was saved. Changed since then:"


class StaleEdit(Exception):
    def __init__(self, form, current):
        super().__init__(REFUSED)
        self.form = form
        self.current = current

    def changes(self) -> list[str]:
        """`Label: value when you opened the form → value now`, one per changed field."""
        seen = _unsign(self.form.data.get(SEEN, ""))
        now = snapshot(self.current)
        lines = []
        for name, value in now.items():
            if name in seen and seen[name] != value:
                field = self.current.fields[name]
                label = field.label or name.replace("_", " ").capitalize()
                lines.append(f"{label}: {_shown(field, seen[name])} → {_shown(field, value)}")
        return lines or ["(the same values were saved again)"]

    def show_on(self, form) -> None:
        """Tell the person what changed, keep their entries, and let the next save
        through as a deliberate one (the form now carries the current version)."""
        form.add_error(None, [REFUSED, *self.changes()])
        data = form.data.copy()
        data[VERSION] = str(self.current.initial[VERSION])
        data[SEEN] = self.current.initial[SEEN]
        form.data = data


class _Hidden:
    """A bookkeeping field: never counts as a change the person made (`has_changed`)."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


class VersionField(_Hidden, forms.IntegerField):
    pass


class SeenField(_Hidden, forms.CharField):
    pass


def add_version(form, instance):
    """Give an edit form of `instance` its hidden version and snapshot of shown values."""
    form.fields[VERSION] = VersionField(
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        error_messages={
            "invalid": "This form is out of date: reload the page.",
            "min_value": "This form is out of date: reload the page.",
            "max_value": "This form is out of date: reload the page.",
        },
    )
    form.fields[SEEN] = SeenField(required=False)
    if not form.is_bound:  # (a no-JS search round trip brings both back in `initial`)
        form.initial.setdefault(VERSION, instance.version)
        if SEEN not in form.initial:
            form.initial[SEEN] = signing.dumps(snapshot(form), salt=SALT, compress=True)
    return form


def snapshot(form) -> dict:
    """The values an unbound form shows, as plain strings (lists for multi-choices)."""
    values = {}
    for name in form.fields:
        if name in (VERSION, SEEN):
            continue
        values[name] = _plain(form[name].value())
    return values


@contextmanager
def saving(form, instance, *, current):
    """Save `instance` (the block) only if nobody saved it since the form was opened.

    `current` makes the unbound edit form (with `add_version`) of the row as stored now,
    re-read from the database; it is called only on a refusal, to list what changed.
    One transaction: an error in the block rolls the version back too.
    """
    expected = form.cleaned_data.get(VERSION)
    model = instance._meta.model
    if expected is None:  # a post without a version (a script): saved unguarded, as before
        with transaction.atomic():
            yield
        return
    with transaction.atomic():
        bumped = model._base_manager.filter(pk=instance.pk, version=expected).update(
            version=F(VERSION) + 1
        )
        if not bumped:
            raise StaleEdit(form, current())
        instance.version = expected + 1
        yield
        if form.errors:  # the save was refused onto the form: keep the old version
            transaction.set_rollback(True)


def model_form(form_class, instance, data=None, **kwargs):
    """An edit ModelForm of `instance` with its version (`add_version`)."""
    return add_version(form_class(data, instance=instance, **kwargs), instance)


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)) or (
        hasattr(value, "__iter__") and not isinstance(value, str)
    ):
        return sorted(str(getattr(v, "pk", v)) for v in value)
    return str(getattr(value, "pk", value))


def _shown(field, value):
    """A stored value as the person knows it: a choice's label, not its id."""
    if value == "" or value == []:
        return "(empty)"
    choices = getattr(field, "choices", None)
    if choices is not None:
        labels = {str(key): str(label) for key, label in _flat(choices)}
        if isinstance(value, list):
            return ", ".join(labels.get(v, v) for v in value) or "(empty)"
        return labels.get(value, value)
    if isinstance(value, list):
        return ", ".join(value)
    return value


def _flat(choices):
    for key, label in choices:
        if isinstance(label, (list, tuple)):
            yield from _flat(label)
        else:
            yield getattr(key, "value", key), label


def _unsign(value) -> dict:
    try:
        return signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return {}
