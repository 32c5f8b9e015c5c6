"""Dues: the month's fees from enrolments, late fees, one-off charges, concessions.

Nothing here changes money without the office seeing first what will happen: the
monthly dues and late fee pages show a preview on GET and act on POST.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES, Institute
from fees import selectors, services
from fees.access import student_or_404
from fees.forms import ChargeForm, ConcessionForm, MonthForm
from fees.models import Charge
from musicbeats.form_tokens import EXPIRED, AlreadyDone, add_token, made_before, once
from musicbeats.ids import parse_id
from musicbeats.money import ZERO
from musicbeats.versions import StaleEdit, add_version, saving


def _month_form(request):
    data = request.POST if request.method == "POST" else request.GET
    if "month" not in data:
        return MonthForm({"month": timezone.localdate().strftime("%Y-%m")})
    return MonthForm(data)


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def dues_generate(request):
    """The month's dues from enrolments: a preview of what will be created, then create
    them (running it again creates nothing twice)."""
    form = _month_form(request)
    context = {"form": form, "institute": Institute.get()}
    if form.is_valid():
        month = form.cleaned_data["month"]
        if request.method == "POST":
            made = services.generate_dues(month=month, by=request.user)
            messages.success(request, f"{made} monthly dues created for {month:%B %Y}.")
            return redirect(reverse("fees:dues_generate") + f"?month={month:%Y-%m}")
        planned = services.plan_monthly_dues(month)
        context.update(
            month=month,
            planned=planned,
            planned_total=sum((p.amount for p in planned), ZERO),
            existing=Charge.objects.filter(kind=Charge.Kind.MONTHLY, period=month).count(),
        )
    return render(request, "fees/dues_generate.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def late_fees(request):
    """Late fees for a month: who would get one (dues still open after the due day),
    then add them to those the office ticked. At most one per student and month."""
    form = _month_form(request)
    institute = Institute.get()
    context = {"form": form, "institute": institute}
    if form.is_valid():
        month = form.cleaned_data["month"]
        if request.method == "POST":
            sent = request.POST.getlist("students")
            student_ids = [parse_id(value) for value in sent]
            if None in student_ids:
                # Only a tampered or broken form sends these: add nothing, say why.
                messages.error(
                    request,
                    "Some of the students sent are not students on this list; "
                    "no late fee was added. Tick them again below.",
                )
            else:
                made = services.apply_late_fees(
                    month=month, by=request.user, student_ids=student_ids
                )
                messages.success(request, f"{made} late fees added for {month:%B %Y}.")
            return redirect(reverse("fees:late_fees") + f"?month={month:%Y-%m}")
        context.update(
            month=month,
            due_date=month.replace(day=institute.due_day),
            planned=services.plan_late_fees(month),
            applied=Charge.objects.filter(kind=Charge.Kind.LATE, period=month).count(),
        )
    return render(request, "fees/late_fees.html", context)


def _charge_added(request, charge, student):
    """The answer to the charge form, the first time and on a resubmit of the same form."""
    messages.success(request, f"{charge.description} added for {student.user.full_name}.")
    return redirect(reverse("fees:payment_new") + f"?student={student.pk}")


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def charge_new(request):
    """A one-off charge (admission, exam, instrument rental, books…) for a student."""
    student_id = request.POST.get("student") or request.GET.get("student")
    if not student_id:
        q = request.GET.get("q", "").strip()[:80]
        return render(
            request,
            "fees/charge_new.html",
            {"q": q, "results": selectors.picker_students(q) if q else []},
        )
    student = student_or_404(student_id)
    form = add_token(ChargeForm(request.POST or None))
    resent = request.method == "POST" and not form.is_valid()
    first = made_before(request.POST, "charge") if resent else None
    if first and (charge := Charge.objects.filter(pk=first, student=student).first()):
        return _charge_added(request, charge, student)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once(form, "charge") as claim:
                charge = services.add_charge(
                    student=student,
                    kind=data["kind"],
                    amount=data["amount"],
                    description=data["description"],
                    due_on=data["due_on"],
                    by=request.user,
                )
                claim.made(charge)
        except AlreadyDone as done:
            charge = Charge.objects.filter(pk=done.object_id, student=student).first()
            if charge is None:
                form.add_error(None, EXPIRED)
            else:
                return _charge_added(request, charge, student)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _charge_added(request, charge, student)
    return render(request, "fees/charge_new.html", {"student": student, "form": form})


def _charge_or_404(pk):
    charge = (
        Charge.objects.with_amounts()
        .select_related("student__user", "concession_by")
        .filter(pk=pk)
        .first()
    )
    if charge is None:
        raise Http404("No such charge.")
    return charge


def _concession_form(charge, data=None):
    """The concession form carries the charge's version: two people granting a
    concession on one charge do not silently replace each other's."""
    initial = {}
    if charge.concession_amount:
        initial = {
            "kind": charge.concession_kind,
            "amount": charge.concession_amount,
            "reason": charge.concession_reason,
        }
    return add_version(ConcessionForm(data, charge=charge, initial=initial), charge)


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def concession_new(request, pk):
    """A concession or waiver on one charge, with its kind and reason."""
    charge = _charge_or_404(pk)
    form = _concession_form(charge, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with saving(form, charge, current=lambda: _concession_form(_charge_or_404(pk))):
                services.grant_concession(
                    charge=charge,
                    amount=data["amount"],
                    kind=data["kind"],
                    reason=data["reason"],
                    by=request.user,
                )
        except StaleEdit as stale:
            stale.show_on(form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Concession saved on {charge.description}.")
            return redirect(reverse("fees:payment_new") + f"?student={charge.student_id}")
    return render(request, "fees/concession_new.html", {"charge": charge, "form": form})
