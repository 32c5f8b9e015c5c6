"""The one change-history engine: django-simple-history records become lines of changes.

Every history page (a person's at `/people/<id>/history/`, a batch's and an enrolment's
under `/classes/`) reads its records and hands them here: each record is compared with
the previous record of the same object, the fields that differ become (label, before,
after) in words, and the names of related rows (teacher, room, batch…) are fetched with
one query per model for all the records at once.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Student, User
from musicbeats.money import money

# Fields never shown in a change history: keys, and bookkeeping nobody typed.
HIDDEN_FIELDS = {"id", "created_at", "date_joined"}
ACTIONS = {"+": "Created", "~": "Changed", "-": "Removed"}


@dataclass
class Change:
    """One line of a change history: who did what to which thing, when, and the values
    that changed as (label, before, after) in words (before is "" when created)."""

    when: datetime
    order: int  # the history row's id: ties on `when` keep the order of writing
    who: str  # the person's name, "" for the system
    action: str  # Created, Changed or Removed
    kind: str  # what was changed: "account", "the batch", "enrolment of Sai"
    subject: str = ""  # which one, when `kind` does not say: a batch's or guardian's name
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    reason: str = ""

    @property
    def summary(self) -> str:
        return f"{self.action} {self.kind}"


def fields_of(history_model, wanted: list[tuple[str, str]] | None = None):
    """(history model field, label) for the fields a history shows: `wanted` as
    (attname, label), or every tracked field but keys and bookkeeping, labelled by their
    verbose names."""
    if wanted is not None:
        by_attname = {f.attname: f for f in history_model._meta.concrete_fields}
        return [(by_attname[attname], label) for attname, label in wanted]
    model = history_model.instance_type
    shown = []
    for model_field in model._meta.concrete_fields:
        if model_field.name in HIDDEN_FIELDS or model_field.primary_key:
            continue
        try:
            tracked = history_model._meta.get_field(model_field.name)
        except FieldDoesNotExist:  # left out of the history, e.g. the password
            continue
        shown.append((tracked, str(tracked.verbose_name)))
    return shown


def _target(related_field):
    """The model a foreign key's name is read from: a student's id is their user's id."""
    model = related_field.related_model
    return User if model is Student else model


def _label_column(model) -> str | None:
    if model is User:
        return "full_name"
    try:
        model._meta.get_field("name")
    except FieldDoesNotExist:
        return None
    return "name"


def related_names(records, fields, known: dict | None = None) -> dict:
    """{(model, id): name} for every related row the `fields` of `records` point to, one
    query per model, skipping those `known` already."""
    names = dict(known or {})
    wanted: dict = {}
    for record in records:
        for history_field, _label in fields(type(record)):
            if not history_field.is_relation or history_field.name == "history_user":
                continue
            value = getattr(record, history_field.attname)
            target = _target(history_field)
            if value is not None and (target, value) not in names:
                wanted.setdefault(target, set()).add(value)
    for target, ids in wanted.items():
        column = _label_column(target)
        if column is not None:
            names.update(
                ((target, pk), name)
                for pk, name in target.objects.filter(pk__in=ids).values_list("pk", column)
            )
    return names


def shown(history_field, value, names: dict) -> str:
    """A stored value in words: a name for a related row, the label of a choice, money
    with its sign, a date as 18 Nov 2026."""
    if value is None or value == "":
        return "—"
    if history_field.is_relation:
        return names.get((_target(history_field), value), f"#{value} (removed)")
    if history_field.choices:
        return str(dict(history_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(history_field, models.DecimalField) and history_field.decimal_places == 2:
        return money(value)
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "j M Y, H:i")
    if isinstance(value, date):
        return date_format(value, "j M Y")
    return str(value)


def _previous(records) -> dict:
    """{(history model, history_id): the previous record of the same object, or None}."""
    latest: dict = {}
    previous = {}
    unique = {(type(r), r.history_id): r for r in records}.values()
    for record in sorted(unique, key=lambda r: (r.history_date, r.history_id)):
        key = (type(record), getattr(record, record.instance_type._meta.pk.attname))
        previous[type(record), record.history_id] = latest.get(key)
        latest[key] = record
    return previous


def _changed(record, before, fields, names) -> list[tuple[str, str, str]]:
    if record.history_type == "-":
        return []
    changes = []
    for history_field, label in fields:
        new = getattr(record, history_field.attname)
        if before is None or record.history_type == "+":
            if new not in (None, ""):
                changes.append((label, "", shown(history_field, new, names)))
            continue
        old = getattr(before, history_field.attname)
        if old != new:
            changes.append(
                (label, shown(history_field, old, names), shown(history_field, new, names))
            )
    return changes


def changes(records, *, fields, names: dict, kind, subject=None, earlier=()) -> list[Change]:
    """A `Change` for each of `records` (each compared with the previous record of the
    same object among `records` and `earlier`), oldest first. `fields(history_model)`
    gives the (field, label) pairs shown; `kind(record)` and `subject(record)` say what
    and which. A change that changed no shown field is left out."""
    previous = _previous([*earlier, *records])
    lines = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        changed = _changed(
            record, previous.get((type(record), record.history_id)), fields(type(record)), names
        )
        if record.history_type == "~" and not changed:
            continue
        user = record.history_user
        lines.append(
            Change(
                when=record.history_date,
                order=record.history_id,
                who=(user.full_name or user.email) if user else "",
                action=ACTIONS[record.history_type],
                kind=kind(record),
                subject=subject(record) if subject else "",
                changes=changed,
                reason=record.history_change_reason or "",
            )
        )
    return lines


def newest_first(lines: list[Change]) -> list[Change]:
    return sorted(lines, key=lambda line: (line.when, line.order), reverse=True)
