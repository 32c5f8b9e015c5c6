"""The roster's four mark buttons, rendered in Python: a 30-student roster has 120 of
them, and as template markup they cost more than all of the page's queries."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

BUTTONS = (("present", "Present"), ("absent", "Absent"), ("late", "Late"), ("excused", "Excused"))


@register.simple_tag
def mark_buttons(student_pk, status, lesson_url, can_mark):
    """`<button>`s that post `mark=<student>:<status>` with htmx (or as a plain form)."""
    pk = str(student_pk)
    disabled = "" if can_mark else " disabled"
    return format_html(
        '<div class="roster-marks" role="group" aria-labelledby="name-{}">{}</div>',
        pk,
        format_html_join(
            "",
            '<button type="submit" id="mark-{0}-{1}" name="mark" value="{0}:{1}" '
            'class="btn mark-btn mark-{1}" aria-pressed="{2}" hx-post="{3}" '
            'hx-target="#student-{0}" hx-swap="outerHTML"{4}>{5}</button>',
            (
                (pk, value, "true" if status == value else "false", lesson_url, disabled, label)
                for value, label in BUTTONS
            ),
        ),
    )


@register.simple_tag
def tally_cells(tally):
    """A report row's counts and percentage: six `<td>`s (a tag, not an include: a
    report page has 50 rows)."""
    percent = "—" if tally.percent is None else f"{tally.percent} %"
    return format_html(
        '<td class="text-end">{}</td><td class="text-end">{}</td><td class="text-end">{}</td>'
        '<td class="text-end">{}</td><td class="text-end">{}</td>'
        '<td class="text-end fw-semibold">{}</td>',
        tally.present,
        tally.late,
        tally.absent,
        tally.excused,
        tally.total,
        percent,
    )
