"""`{% grid_cards cell %}`: the lesson or slot cards of one grid cell, built in Python.

The office's week has hundreds of cards; rendering each through template tags cost most
of the page's time, so a card is one f-string with every value escaped here.
"""

from functools import lru_cache
from html import escape

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe

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
    if kind == "lessons":
        if entry.who:
            names = ", ".join(escape(student.user.full_name) for student in entry.who)
            parts.append(f'<span class="wk-who">For {names}</span>')
        if item.substitute_id:
            parts.append(
                '<span class="badge text-bg-warning">Substitute: '
                f"{escape(item.substitute_name)}</span>"
            )
        if item.kind == "extra":
            parts.append('<span class="badge text-bg-info">Extra</span>')
        elif item.kind == "makeup":
            parts.append('<span class="badge text-bg-info">Make-up</span>')
        if item.date != item.scheduled_on:
            parts.append('<span class="badge text-bg-light border">Moved</span>')
        if entry.cancelled:
            parts.append(
                '<span class="badge text-bg-danger">Cancelled</span> '
                f'<span class="wk-reason">{escape(item.cancel_reason)}</span>'
            )
    css = "wk-card wk-cancelled" if entry.cancelled else "wk-card"
    return f'<li class="{css}">{"".join(parts)}</li>'


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
        entry_link = None if (link_mode == "teacher" and entry.cancelled) else link
        html.append(_card(entry, kind=kind, by=by, link=entry_link, viewer_id=viewer_id))
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped
