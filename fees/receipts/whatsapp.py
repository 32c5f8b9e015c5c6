"""The "Send on WhatsApp" button: a `https://wa.me/<digits>?text=<summary>` link.

Nothing is sent by the app: the link opens WhatsApp (the app on a phone, WhatsApp Web on
the office PC) with the summary typed in, to the family's number, and the person presses
send. The office sees one button per guardian with a phone (the family payment's payer
first), else one to the student's phone, else one that lets WhatsApp ask for a contact
(`https://wa.me/?text=…`). A family on its own receipt gets that last one: they forward
their receipt to whom they choose.
"""

from dataclasses import dataclass
from urllib.parse import quote

from django.utils import dateformat

from fees.templatetags.fees_report import balance
from musicbeats.money import money

NO_PHONE_TITLE = "No phone number on file: WhatsApp asks you to choose a contact"
CHOOSE_TITLE = "WhatsApp asks you to choose a contact"


@dataclass(frozen=True)
class WhatsAppLink:
    url: str
    label: str  # the button's text
    title: str  # the button's tooltip: where it goes


def wa_url(phone: str, text: str) -> str:
    """`https://wa.me/919845012345?text=…` for an E.164 phone; `https://wa.me/?text=…`
    (WhatsApp asks for a contact) without one."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


def links_to(people, fallback, text: str) -> list[WhatsAppLink]:
    """One link per person in `people` (users) with a phone, each number once; none:
    the `fallback` user's phone (the student's); neither: the choose-a-contact link."""
    links, seen = [], set()
    for person in people:
        if person is None or not person.is_active:
            continue
        if person.phone and person.phone not in seen:
            seen.add(person.phone)
            links.append(
                WhatsAppLink(
                    wa_url(person.phone, text),
                    f"Send on WhatsApp to {person.full_name}",
                    f"Opens WhatsApp with this message to {person.phone}",
                )
            )
    if links:
        return links
    if fallback is not None and fallback.is_active and fallback.phone:
        return [
            WhatsAppLink(
                wa_url(fallback.phone, text),
                f"Send on WhatsApp to {fallback.full_name}",
                f"Opens WhatsApp with this message to {fallback.phone}",
            )
        ]
    return [choose_a_contact(text, NO_PHONE_TITLE)]


def choose_a_contact(text: str, title: str = CHOOSE_TITLE) -> WhatsAppLink:
    return WhatsAppLink(wa_url("", text), "Send on WhatsApp", title)


def receipt_text(*, institute, receipt_number, students, amount, paid_on, method, url) -> str:
    """The receipt's summary: institute, number, student(s), amount (Indian grouping),
    date, method, and the absolute link to the receipt."""
    names = ", ".join(students)
    return "\n".join(
        [
            f"{institute}: fee receipt {receipt_number}",
            f"Student{'s' if len(students) > 1 else ''}: {names}",
            f"Amount: {money(amount)}",
            f"Date: {dateformat.format(paid_on, 'j F Y')}",
            f"Paid by: {method}",
            f"Receipt: {url}",
        ]
    )


def statement_text(*, institute, student_name, roll_number, owed, on, url) -> str:
    """The statement's summary: institute, student, the balance today, the family's page."""
    return "\n".join(
        [
            f"{institute}: fees of {student_name} (roll no. {roll_number})",
            f"Balance on {dateformat.format(on, 'j F Y')}: {balance(owed)}",
            f"See what is due and pay: {url}",
        ]
    )


def receipt_links(request, context: dict) -> list[WhatsAppLink]:
    """The receipt page's buttons (none on a void receipt). `context` is the receipt's
    (`fees.views.payments._receipt_context`): no query of its own. A family payment sums
    up what the viewer sees of it (`family`: its members and total)."""
    from django.urls import reverse

    payment, family = context["payment"], context["family"]
    if payment.is_void:
        return []
    members = [m["payment"] for m in family["members"]] if family else [payment]
    text = receipt_text(
        institute=context["institute"].name,
        receipt_number=payment.receipt_number,
        students=[m.student.user.full_name for m in members],
        amount=family["total"] if family else payment.amount,
        paid_on=payment.paid_on,
        method=payment.get_method_display(),
        url=request.build_absolute_uri(reverse("fees:payment_detail", args=[payment.pk])),
    )
    if not context.get("office"):
        return [choose_a_contact(text)]
    payer = family["group"].payer if family and family["group"] else None
    return links_to([payer, *context["payer_guardians"]], payment.student.user, text)


def statement_links(request, *, institute, student, owed, on) -> list[WhatsAppLink]:
    """The office's buttons on a student's statement: the balance today and the family's
    own page, /fees/mine/ (one query: the guardians)."""
    from django.urls import reverse

    text = statement_text(
        institute=institute.name,
        student_name=student.user.full_name,
        roll_number=student.roll_number,
        owed=owed,
        on=on,
        url=request.build_absolute_uri(reverse("fees:mine")),
    )
    guardians = student.guardians.order_by("full_name", "pk").only(
        "full_name", "phone", "is_active"
    )
    return links_to(list(guardians), student.user, text)
