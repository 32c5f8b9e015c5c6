"""The office's message texts (`/notifications/templates/`): checking, previewing, storing.

A text is plain words with named placeholders in single braces, `{student}`, filled by
plain substitution (texts.render). It is never Django template code and never
`str.format` with the office's text as the format: `{student.__class__}`,
`{student!r}`, `{amount:>30}`, `{0}` and `{{ settings.SECRET_KEY }}` are refused here,
before anything is stored, with a message naming what was wrong.
"""

from django.db import transaction
from django.utils import timezone

from accounts.notifications import texts
from accounts.notifications.models import Kind, MessageTemplate

# The edit page edits English; MessageTemplate.language leaves room for others.
LANGUAGE = "en"

# What the preview fills each placeholder with (a name missing here shows as itself).
SAMPLES = {
    "name": "Gita Sharma",
    "institute": "MusicBeats Academy",
    "link": "https://musicbeats.example/fees/mine/",
    "student": "Riya Sharma",
    "students": "Riya Sharma and Arjun Sharma",
    "lines": "Riya Sharma, Keyboard, January 2027: ₹1,500.00\n"
    "Arjun Sharma, Tabla, January 2027: ₹1,200.00",
    "amount": "₹2,700.00",
    "due_date": "10 Jan 2027",
    "upi_link": "upi://pay?pa=musicbeats@upi&am=2700.00",
    "batch": "Keyboard Grade 2",
    "change": "moved to Sunday 10 Jan, 11:00",
    "when": "Saturday 9 Jan, 10:00",
    "teacher": "Tara Iyer",
    "receipt": "MB/2026-27/00042",
    "paid_on": "7 Dec 2026",
    "method": "UPI",
    "subject": "Your sign-in code",
    "text": "Your MusicBeats sign-in code is 123456.",
}


def placeholders(kind: str) -> list[str]:
    return list(texts.PLACEHOLDERS.get(kind, ()))


def problems(kind: str, text: str) -> list[str]:
    """What is wrong with `text` as the `kind`'s message, each said in words; [] if fine."""
    if "{{" in text or "}}" in text:
        return [
            "Double braces such as “{{ … }}” are not allowed: a placeholder takes single "
            "braces, like {name}."
        ]
    try:
        bad = texts.unknown_placeholders(kind, text)
    except ValueError:
        return ["A brace is not closed or not opened: every “{” needs its “}”, like {name}."]
    return [_why(shown) for shown in dict.fromkeys(bad)]


def _why(shown: str) -> str:
    inner = shown[1:-1]
    if inner == "" or inner.isdigit():
        return f"{shown} has no name: write a placeholder by its name, like {{name}}."
    if any(mark in inner for mark in "!:.[]"):
        return f"{shown} is not allowed: a placeholder is only a name in braces, like {{name}}."
    return f"{shown} is not a placeholder of this message: use only the names listed."


def preview(kind: str, subject: str, body: str) -> tuple[str, str]:
    """The subject and body as a person would read them, with sample values."""
    values = {name: SAMPLES.get(name, f"[{name}]") for name in placeholders(kind)}
    return texts.fill(subject, values), texts.fill(body, values)


def current_texts() -> list[dict]:
    """Every kind with the text in use: the office's English one, else the default."""
    stored = {row.kind: row for row in MessageTemplate.objects.filter(language=LANGUAGE).order_by()}
    rows = []
    for kind, label in texts_kinds():
        subject, body = texts.DEFAULTS[kind]
        row = stored.get(kind)
        rows.append(
            {
                "kind": kind,
                "label": label,
                "subject": row.subject if row else subject,
                "body": row.body if row else body,
                "customised": row is not None,
            }
        )
    return rows


def texts_kinds() -> list[tuple[str, str]]:
    """The kinds the office writes the text of: all but "account" (sign-in codes, password
    resets and invitations pass their text through; see texts.DEFAULTS)."""
    return [(kind.value, kind.label) for kind in Kind if kind != Kind.ACCOUNT]


def current(kind: str) -> tuple[str, str, bool]:
    """(subject, body, customised) of `kind` in English."""
    row = MessageTemplate.objects.filter(kind=kind, language=LANGUAGE).first()
    if row is not None:
        return row.subject, row.body, True
    subject, body = texts.DEFAULTS[kind]
    return subject, body, False


@transaction.atomic
def save_text(*, kind: str, subject: str, body: str, by) -> None:
    """Store the office's English text for `kind` (checked by the caller's form)."""
    MessageTemplate.objects.update_or_create(
        kind=kind,
        language=LANGUAGE,
        defaults={"subject": subject, "body": body, "updated_at": timezone.now(), "updated_by": by},
    )


@transaction.atomic
def reset_text(*, kind: str) -> bool:
    """Back to the built-in text; True when there was an office text to remove."""
    deleted, _ = MessageTemplate.objects.filter(kind=kind, language=LANGUAGE).delete()
    return bool(deleted)
