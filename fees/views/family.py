"""Family payments at the desk: one sum for several children of a guardian, one receipt.

`/fees/payments/family/<guardian id>/` lists the guardian's active children, eldest
first, each with their open dues and an amount (prefilled with what they owe). The
office types each child's amount, or a total and presses Split (the family's dues oldest
first, the rest as credit on the child picked); the split shows before anything is
saved. Save records one family payment (`fees.family.record_family_payment`) once per
form (its token) and opens the family receipt.
"""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES, Role, User
from fees import services
from fees.family import family_children, split_total
from fees.forms import FamilyPaymentForm
from fees.models import Charge, Payment, PaymentGroup
from fees.selectors import OPEN_THRESHOLD
from fees.views.payments import save_from_desk
from musicbeats.ids import parse_id
from musicbeats.money import ZERO


def _guardian_or_404(pk) -> User:
    guardian_id = parse_id(pk)
    guardian = (
        User.objects.filter(pk=guardian_id, role=Role.GUARDIAN).first() if guardian_id else None
    )
    if guardian is None:
        raise Http404("No such guardian.")
    return guardian


def _open_dues(children) -> dict[int, list]:
    dues = defaultdict(list)
    for charge in (
        Charge.objects.with_amounts()
        .filter(student_id__in=[c.pk for c in children], open__gte=OPEN_THRESHOLD)
        .order_by("due_on", "id")
    ):
        dues[charge.student_id].append(charge)
    return dues


def _receipt_url(group: PaymentGroup) -> str:
    first = Payment.objects.filter(group=group).order_by("pk").values_list("pk", flat=True)[0]
    return reverse("fees:payment_detail", args=[first])


def _group_for_token(token):
    if not token:
        return None
    try:
        return PaymentGroup.objects.filter(idempotency_key=token).first()
    except ValidationError:  # not a UUID: the form reports it
        return None


def _split(request, children):
    """The form with each child's amount filled from the total (the rule of
    `fees.family.split_total`); the total stays, nothing is saved."""
    data = request.POST.copy()
    for child in children:
        data[f"child_{child.pk}"] = ""
    form = FamilyPaymentForm(data, children=children)
    if not form.is_valid():
        return form
    total = form.cleaned_data.get("amount")
    if not total:
        form.add_error("amount", "Type the total to split.")
        return form
    by_id = {c.pk: c for c in children}
    credit_to = by_id.get(form.cleaned_data.get("credit_to"))
    for child, share in split_total(children, total, credit_to=credit_to).items():
        data[f"child_{child.pk}"] = f"{share:.2f}"
    return FamilyPaymentForm(data, children=children)


def _record(request, guardian, form):
    data = form.cleaned_data
    by_id = {c.pk: c for c in form.children}
    return save_from_desk(
        form,
        lambda: services.record_family_payment(
            guardian=guardian,
            amounts=form.shares() or data["amount"],
            credit_to=by_id.get(data.get("credit_to")),
            method=data["method"],
            reference=data["reference"],
            remarks=data["remarks"],
            paid_on=data["paid_on"],
            recorded_by=request.user,
            idempotency_key=data["token"],
            override_reason=data.get("closed_day_reason", ""),
            reference_override=data.get("reference_override", ""),
        ),
        lambda: _group_for_token(data["token"]),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def family_payment_new(request, pk):
    """The family desk (see the module). A second submit of a saved form opens the
    receipt it made."""
    guardian = _guardian_or_404(pk)
    children = family_children(guardian)
    if request.method == "POST":
        group = _group_for_token(request.POST.get("token"))
        if group is not None:
            messages.info(request, f"Already recorded: receipt {group.receipt_number}.")
            return redirect(_receipt_url(group))
        if "split" in request.POST:
            form = _split(request, children)
        else:
            form = FamilyPaymentForm(request.POST, children=children)
            if form.is_valid():
                group, _created = _record(request, guardian, form)
                if group is not None:
                    messages.success(
                        request, f"Family payment saved: receipt {group.receipt_number}."
                    )
                    return redirect(_receipt_url(group))
    else:
        form = None
    dues = _open_dues(children)
    owed = {c.pk: sum((d.open for d in dues[c.pk]), ZERO) for c in children}
    if form is None:
        initial = {f"child_{pk}": amount for pk, amount in owed.items() if amount > 0}
        form = FamilyPaymentForm(children=children, initial=initial)
    rows = [
        {"child": child, "field": field, "dues": dues[child.pk], "owed": owed[child.pk]}
        for child, field in form.child_fields()
    ]
    context = {
        "guardian": guardian,
        "form": form,
        "rows": rows,
        "family_owed": sum(owed.values(), ZERO),
    }
    return render(request, "fees/family_payment_new.html", context)
