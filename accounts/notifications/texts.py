"""Message texts: a subject and a body per kind, with named placeholders only.

`DEFAULTS[kind]` is the built-in English text; the office may replace it (a
`MessageTemplate` row). Placeholders are `{name}` from `PLACEHOLDERS[kind]`; the text is
filled in by plain substitution (`string.Formatter` parsing, values looked up by name),
never run as Django template code, so `{{ … }}` or `{% … %}` in an office's text is either
refused (`unknown_placeholders`) or shown as typed.
"""

from string import Formatter

from accounts.notifications.models import Kind

COMMON = ("name", "institute", "link")

PLACEHOLDERS = {
    Kind.FEE_REMINDER: (*COMMON, "students", "lines", "amount", "due_date", "upi_link"),
    Kind.LESSON_CHANGE: (*COMMON, "batch", "change", "when", "teacher"),
    Kind.LESSON_REMINDER: (*COMMON, "student", "batch", "when", "teacher"),
    Kind.ABSENCE: (*COMMON, "student", "batch", "when"),
    Kind.RECEIPT: (*COMMON, "student", "receipt", "amount", "paid_on", "method"),
    Kind.ACCOUNT: (*COMMON, "subject", "text"),
}

DEFAULTS = {
    Kind.FEE_REMINDER: (
        "{institute}: fees due {due_date}",
        "Dear {name},\n\nFees for {students} are due on {due_date}:\n\n{lines}\n\n"
        "Total: {amount}\n\nPay by UPI: {upi_link}\nYour fees: {link}\n\n"
        "If you have paid already, thank you, and please ignore this message.",
    ),
    Kind.LESSON_CHANGE: (
        "{institute}: {batch} {change}",
        "Dear {name},\n\n{batch} on {when} {change}.\n\nYour week: {link}",
    ),
    Kind.LESSON_REMINDER: (
        "{institute}: {batch} tomorrow",
        "Dear {name},\n\nA reminder: {student} has {batch} with {teacher} {when}.\n\n{link}",
    ),
    Kind.ABSENCE: (
        "{institute}: {student} was absent",
        "Dear {name},\n\n{student} was marked absent from {batch} on {when}. If this is a "
        "mistake, please tell the office.\n\n{link}",
    ),
    Kind.RECEIPT: (
        "{institute}: receipt {receipt}",
        "Dear {name},\n\nThank you: we received {amount} for {student} on {paid_on} "
        "({method}). Receipt {receipt} is attached and online: {link}",
    ),
    Kind.ACCOUNT: ("{subject}", "{text}"),
}


def placeholders_in(text: str) -> list[str]:
    """The field names a text uses, in order; raises ValueError on a malformed text
    (an unbalanced brace)."""
    return [field for _, field, _, _ in Formatter().parse(text) if field is not None]


def unknown_placeholders(kind: str, text: str) -> list[str]:
    """What a text uses that the kind does not offer (`{studnet}`, `{0}`, `{a.b}`,
    `{a!r}`, `{a:>9}` all count: only bare known names are allowed). A malformed text
    (an unbalanced brace) raises ValueError."""
    allowed = set(PLACEHOLDERS[kind])
    bad = []
    for _, field, spec, conversion in Formatter().parse(text):
        if field is None:
            continue
        if field not in allowed or spec or conversion:
            shown = "{" + field + (f"!{conversion}" if conversion else "")
            bad.append(shown + (f":{spec}" if spec else "") + "}")
    return bad


def fill(text: str, context: dict) -> str:
    """`text` with each `{name}` replaced by `context[name]` (missing names become empty);
    literal text is kept as typed. Never evaluates anything."""
    out = []
    for literal, field, _, _ in Formatter().parse(text):
        out.append(literal)
        if field is not None:
            out.append(str(context.get(field, "")))
    return "".join(out)


def texts_for(kind: str, language: str = "en") -> tuple[str, str]:
    """The office's (subject, body) for a kind, else the default."""
    from accounts.notifications.models import MessageTemplate

    row = MessageTemplate.objects.filter(kind=kind, language=language).first()
    return (row.subject, row.body) if row else DEFAULTS[kind]


def render(kind: str, context: dict, *, texts: tuple[str, str] | None = None) -> tuple[str, str]:
    """(subject, body) for a kind filled with `context`. `texts` skips the lookup (bulk
    senders read the template once)."""
    from accounts.institute.memory import institute_name

    subject, body = texts or texts_for(kind)
    context = {"institute": institute_name(), **context}
    return " ".join(fill(subject, context).split())[:200], fill(body, context)
