"""`{% grid_cards cell %}`: the lesson or slot cards of one grid cell, built in Python.

The office's week has hundreds of cards; rendering each through template tags cost most
of the page's time, so a card is one f-string with every value escaped here.
"""

from functools import lru_cache
from html import escape

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe

from attendance.timetable.base import when_short

register = template.Library()

PLACEHOLDER = 987654321


def _url(name):
    return _cached_url(name, get_script_prefix())


@lru_cache(maxsize=16)
def _cached_url(name, _prefix):
    """`/schedule/lessons/{}/`: reversed once, not for each of hundreds of cards."""
    return reverse(name, args=[PLACEHOLDER]).replace(str(PLACEHOLDER), "{}")


def _card(entry, *, kind, by, link, viewer_id):
    item = entry.item
    title = escape(item.batch_name)
    if link:
        title = f'<a class="wk-title" href="{link.format(item.pk)}">{title}</a>'
    else:
        title = f'<span class="wk-title">{title}</span>'
    heading = f"<strong>{escape(entry.heading)}</strong>"
    if by == "teacher":
        meta = heading + (f" · {escape(item.room_name)}" if item.room_id else "")
    elif item.teacher_id != viewer_id:
        meta = f"{heading} · {escape(item.teacher_name)}"
    else:
        meta = heading
    parts = [
        f'<span class="wk-time">{entry.span}</span>',
        title,
        f'<span class="wk-meta">{meta}</span>',
    ]
    css = "wk-card"
    if kind == "lessons" and entry.moved_away:
        where = when_short(item.date, item.starts_at, beside=item.moved_from_date)
        parts += _who(entry)
        parts.append(f'<span class="wk-change">Moved to {where}</span>')
        css = "wk-card wk-moved-away"
    elif kind == "lessons":
        parts += _lesson_notes(entry, viewer_id)
        if entry.cancelled:
            css = "wk-card wk-cancelled"
        elif item.substitute_id and item.teacher_id == viewer_id:
            css = "wk-card wk-given"
    return f'<li class="{css}">{"".join(parts)}</li>'


def _who(entry) -> list[str]:
    if not entry.who:
        return []
    names = ", ".join(escape(student.user.full_name) for student in entry.who)
    return [f'<span class="wk-who">For {names}</span>']


def _lesson_notes(entry, viewer_id) -> list[str]:
    """What is special about a lesson: who it is for, a substitute, its kind, a move,
    a cancellation, each said as the viewer needs it."""
    item = entry.item
    parts = _who(entry)
    if item.substitute_id:
        if item.teacher_id == viewer_id:
            said = f"Given to {escape(item.substitute_name)}"
        elif item.substitute_id == viewer_id:
            said = f"You teach instead of {escape(item.teacher_name)}"
        else:
            said = f"{escape(item.substitute_name)} teaches instead"
        parts.append(f'<span class="badge text-bg-warning">{said}</span>')
    if item.kind == "extra":
        parts.append('<span class="badge text-bg-info">Extra</span>')
    elif item.kind == "makeup":
        parts.append('<span class="badge text-bg-info">Make-up</span>')
    if item.moved_from_date is not None:
        where = when_short(item.moved_from_date, item.moved_from_time, beside=item.date)
        parts.append(f'<span class="wk-change">Moved from {where}</span>')
    elif item.date != item.scheduled_on:  # moved before the old place was kept
        parts.append('<span class="badge text-bg-light border">Moved</span>')
    if entry.cancelled:
        parts.append(
            '<span class="wk-reason"><strong class="wk-cancel-word">Cancelled:</strong> '
            f"{escape(item.cancel_reason)}</span>"
        )
    return parts


@register.simple_tag(takes_context=True)
def grid_cards(context, cell):
    """The cell's cards. Context: `kind` ("lessons" or "slots"), `by` ("room" or
    "teacher"), `link_mode` ("office": the lesson page, "teacher": the roll call, else no
    link) and `viewer_id` (whose own name need not be repeated)."""
    kind = context.get("kind")
    link_mode = context.get("link_mode")
    if kind == "slots":
        link = _url("timetable:slot_edit")
    elif link_mode == "office":
        link = _url("timetable:lesson")
    elif link_mode == "teacher":
        link = "/attendance/lessons/{}/"  # the roll call (rollcall's page)
    else:
        link = None
    by, viewer_id = context.get("by"), context.get("viewer_id")
    html = []
    for entry in cell.entries:
        item = entry.item
        not_theirs = (
            entry.cancelled
            or entry.moved_away
            or (getattr(item, "substitute_id", None) and item.teacher_id == viewer_id)
        )
        entry_link = None if (link_mode == "teacher" and not_theirs) else link
        html.append(_card(entry, kind=kind, by=by, link=entry_link, viewer_id=viewer_id))
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


@register.filter
def moved_from(lesson) -> str:
    """ "Tue 17:00": where a moved lesson was before (just "17:00" on its own day)."""
    if lesson.moved_from_date is None:
        return ""
    return when_short(lesson.moved_from_date, lesson.moved_from_time, beside=lesson.date)


@register.filter
def moved_to(lesson) -> str:
    """ "Thu 18:00": where a lesson moved away from its old day went."""
    return when_short(lesson.date, lesson.starts_at, beside=lesson.moved_from_date)
