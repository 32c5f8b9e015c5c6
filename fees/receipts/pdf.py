"""The receipt as a PDF (weasyprint): one builder for the page's PDF link and the
receipt that is mailed to the family (`accounts.notifications.attachments`)."""

from accounts.institute.memory import remember_institute
from accounts.models import Institute, Role, User
from fees import selectors
from fees.access import family_receipt
from fees.models import Payment
from musicbeats.money import ZERO, amount_in_words

ATTACHMENT = "receipt_pdf"
MIMETYPE = "application/pdf"


def receipt_context(payment: Payment, *, viewer, thermal: bool = False) -> dict:
    """What the receipt (page, print, PDF) shows of `payment` to `viewer`: a family
    payment lists the children `viewer` may see (`fees.access.family_receipt`)."""
    institute = Institute.get()
    remember_institute(institute)
    allocations = selectors.payment_allocations(payment.pk)
    family = family_receipt(viewer, payment) if payment.group_id else None
    total = family["total"] if family else payment.amount
    return {
        "payment": payment,
        "institute": institute,
        "allocations": allocations,
        "payer_guardians": list(payment.student.guardians.order_by("full_name", "pk")),
        "unallocated": payment.amount - sum((a.amount for a in allocations), ZERO),
        "family": family,
        "amount_words": amount_in_words(total, institute.currency),
        "thermal": thermal,
    }


def filename(payment: Payment) -> str:
    return payment.receipt_number.replace("/", "-") + ".pdf"


def render_pdf(context: dict, *, request=None, base_url: str = "/") -> bytes:
    """The PDF of a receipt's `context` (fees/receipt_pdf.html, css/receipt-pdf.css)."""
    from django.contrib.staticfiles import finders
    from django.template.loader import render_to_string
    from weasyprint import CSS, HTML

    html = render_to_string("fees/receipt_pdf.html", context, request=request)
    stylesheet = CSS(filename=finders.find("css/receipt-pdf.css"))
    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[stylesheet])


def attachment(arg: str) -> tuple[str, bytes, str]:
    """The attachment builder registered as "receipt_pdf": `arg` is "<payment id>" (the
    receipt as the office sees it) or "<payment id>.<user id>" (as that family member
    may see it: a guardian, their own children of a family payment). LookupError when
    the payment (or user) no longer exists."""
    payment_id, _, user_id = str(arg).partition(".")
    payment = Payment.objects.select_related("student__user", "recorded_by", "voided_by").get(
        pk=int(payment_id)
    )
    viewer = User.objects.get(pk=int(user_id)) if user_id else _OFFICE
    context = receipt_context(payment, viewer=viewer)
    return filename(payment), render_pdf(context), MIMETYPE


class _Office:
    """Who sees every child's lines of a family payment (`family_receipt` asks the role)."""

    role = Role.OFFICE
    pk = None


_OFFICE = _Office()
