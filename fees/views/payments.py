"""Payments: the fast fee desk, the ledger, the receipt (page, print, PDF), void, remarks."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES, Guardianship, Role, Student
from accounts.people.selectors import search_students
from fees import desk_checks, selectors, services
from fees.access import family_receipt, get_payment_for, student_or_404
from fees.day_close import is_closed
from fees.forms import LedgerFilterForm, PaymentForm, RemarksForm, VoidForm
from fees.models import Payment
from fees.receipts import pdf, whatsapp
from musicbeats.csv_export import csv_response, dated
from musicbeats.dates import month_start
from musicbeats.ids import parse_id
from musicbeats.money import is_plain_amount, money_sum

PAYER_ROLES = (Role.ADMIN, Role.OFFICE, Role.STUDENT, Role.GUARDIAN)
PAGE_SIZE = 50


def _active_children(guardian):
    """How many active children a guardian has (a subquery: the desk's one query for
    its guardians stays one); two or more offer the family payment."""
    return Coalesce(
        Subquery(
            Guardianship.objects.filter(guardian=guardian, student__user__is_active=True)
            .values("guardian")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def _desk_context(student: Student, form: PaymentForm | None = None, start=None) -> dict:
    account = selectors.student_account(student.pk)
    if form is None:
        initial = {"amount": account.outstanding} if account.outstanding > 0 else {}
        initial.update(_start_values(start or {}))
        form = PaymentForm(initial=initial)
    guardians = list(
        student.guardians.order_by("full_name")
        .only("full_name", "phone")
        .annotate(children=_active_children(OuterRef("pk")))
    )
    return {"student": student, "account": account, "form": form, "guardians": guardians}


def _start_values(query) -> dict:
    """A starting point from the address ("Record again" after a void): `amount` and
    `method`, each only when well formed (the form checks them again on save)."""
    values = {}
    amount = query.get("amount", "")[:12]
    if amount and is_plain_amount(amount):
        values["amount"] = amount
    if query.get("method") in Payment.Method.values:
        values["method"] = query["method"]
    return values


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def payment_new(request):
    """The fee desk: find a family, see what is due, take the money, print the receipt.

    GET `?q=` searches (the htmx request fills #results); `?student=` opens the desk for
    that student (htmx: #desk); `?saved=` shows the receipt just recorded. POST records a
    payment once per form (its token): a second submit of the same form shows the first
    payment's receipt.
    """
    q = request.GET.get("q", "").strip()[:80]
    context = {"q": q, "results": selectors.picker_students(q) if q else []}
    if request.method == "POST":
        student = student_or_404(request.POST.get("student"))
        form = PaymentForm(request.POST)
        payment, created = _already_recorded(request.POST.get("token")), False
        if payment is None and form.is_valid():
            context["confirm"] = _slips_to_confirm(student, form)
            if context["confirm"]:
                # A twin of this form (a double click) may have saved since the first
                # look, making this one look like an overpayment: show that payment.
                payment = _already_recorded(request.POST.get("token"))
            else:
                payment, created = _record(request, student, form)
        if payment is None:
            form.focus_first_error()
            context.update(_desk_context(student, form))
            return _render_desk(request, context)
        if not request.htmx:
            url = reverse("fees:payment_new") + f"?saved={payment.pk}"
            if not created:
                url += "&repeat=1"
            return redirect(url)
        context.update(saved=payment, saved_again=not created, **_saved_context(payment))
        response = _render_desk(request, context)
        response["HX-Push-Url"] = reverse("fees:payment_new") + f"?saved={payment.pk}"
        return response

    if request.htmx and request.htmx.target == "results":
        return render(request, "fees/payment_new.html#results", context)
    saved_id = request.GET.get("saved")
    if saved_id:
        saved = _payment_or_404(saved_id)
        context.update(saved=saved, saved_again=bool(request.GET.get("repeat")))
        context.update(_saved_context(saved))
    elif request.GET.get("student"):
        context.update(_desk_context(student_or_404(request.GET["student"]), start=request.GET))
    return _render_desk(request, context)


def _render_desk(request, context):
    if request.htmx and request.htmx.target == "desk":
        return render(request, "fees/payment_new.html#desk", context)
    return render(request, "fees/payment_new.html", context)


def _already_recorded(token):
    if not token:
        return None
    try:
        return Payment.objects.select_related("student__user").filter(idempotency_key=token).first()
    except ValidationError:  # not a UUID: the form reports it
        return None


def _slips_to_confirm(student, form):
    """What the desk asks before recording (a large credit, an old date), or None once
    the form confirms exactly these (the same amount and date)."""
    data = form.cleaned_data
    outstanding = selectors.student_account(student.pk).outstanding
    slips = desk_checks.slips(
        amount=data["amount"], outstanding=outstanding, paid_on=data["paid_on"]
    )
    if not slips or form.confirmed(slips):
        return None
    return slips


def save_from_desk(form, save, first_of_token):
    """Run a desk's `save()` (which returns `(record, created)`). A refusal goes on the
    form: a duplicate reference on Reference (with the payment it is on), any other rule
    above the form; `(None, False)`. The same form saved at the same moment elsewhere (two
    tabs, a retry) won the idempotency key and this one rolled back: `first_of_token()`
    gives the first record."""
    try:
        return save()
    except desk_checks.DuplicateReference as error:
        form.add_error("reference", error)
        form.duplicate_of = error.payment
    except ValidationError as error:
        form.add_error(None, error)
    except IntegrityError:
        first = first_of_token()
        if first is None:
            raise
        return first, False
    return None, False


def _record(request, student, form):
    data = form.cleaned_data
    return save_from_desk(
        form,
        lambda: services.record_payment(
            student=student,
            amount=data["amount"],
            method=data["method"],
            reference=data["reference"],
            remarks=data["remarks"],
            paid_on=data["paid_on"],
            recorded_by=request.user,
            idempotency_key=data["token"],
            override_reason=data.get("closed_day_reason", ""),
            reference_override=data["reference_override"],
        ),
        lambda: _already_recorded(data["token"]),
    )


def _payment_or_404(pk) -> Payment:
    payment_id = parse_id(pk)
    payment = (
        Payment.objects.select_related("student__user").filter(pk=payment_id).first()
        if payment_id
        else None
    )
    if payment is None:
        raise Http404("No such payment.")
    return payment


def _saved_context(payment):
    return {"saved_allocations": selectors.payment_allocations(payment.pk)}


# The ledger -------------------------------------------------------------------------


def _ledger_queryset(form):
    payments = Payment.objects.all()
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("start"):
        payments = payments.filter(paid_on__gte=data["start"])
    if data.get("end"):
        payments = payments.filter(paid_on__lte=data["end"])
    if data.get("method"):
        payments = payments.filter(method=data["method"])
    if data.get("status") == "valid":
        payments = payments.filter(voided_at__isnull=True)
    elif data.get("status") == "void":
        payments = payments.filter(voided_at__isnull=False)
    q = (data.get("q") or "").strip()
    if q:
        # Matching students first (a small set), then their payments by index: much
        # faster than a LIKE over every payment's joined student name.
        students = search_students(Student.objects.all(), q).values("pk")
        payments = payments.filter(
            Q(student_id__in=students) | Q(receipt_number__icontains=q) | Q(reference__icontains=q)
        )
    return payments


def _ledger_form(request):
    today = timezone.localdate()
    params = request.GET.copy()
    if "start" not in params and "end" not in params:
        # The office's usual view: this month so far. Widen it with the dates.
        params["start"] = month_start(today).isoformat()
        params["end"] = today.isoformat()
    return LedgerFilterForm(params)


# What a ledger row shows (fewer columns: less to fetch and convert on every page).
LEDGER_COLUMNS = [
    "receipt_number",
    "paid_on",
    "method",
    "reference",
    "amount",
    "voided_at",
    "void_reason",
    "student__roll_number",
    "student__user__full_name",
    "recorded_by__full_name",
    "group_id",
]


@require_safe
@allow_roles(*STAFF_ROLES)
def payment_list(request):
    """The ledger: every payment (void ones struck through), filtered, with the totals of
    what is listed computed in the database; `?format=csv` exports the same rows."""
    form = _ledger_form(request)
    payments = _ledger_queryset(form)
    if request.GET.get("format") == "csv":
        return _ledger_csv(payments)
    totals = payments.aggregate(
        count=Count("id"),
        void_count=Count("id", filter=Q(voided_at__isnull=False)),
        total=money_sum("amount", filter=Q(voided_at__isnull=True)),
    )
    pages = max(1, -(-totals["count"] // PAGE_SIZE))
    try:
        page = min(max(1, int(request.GET.get("page", "1"))), pages)
    except ValueError:
        page = 1
    rows = list(
        payments.select_related("student__user", "recorded_by")
        .only(*LEDGER_COLUMNS)
        .order_by("-paid_on", "-id")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    )
    query = request.GET.copy()
    query.pop("page", None)
    for key in ("start", "end"):
        if key not in query and form.is_valid() and form.cleaned_data.get(key):
            query[key] = form.cleaned_data[key].isoformat()
    context = {
        "form": form,
        "rows": rows,
        "totals": totals,
        "page": page,
        "pages": pages,
        "query": query.urlencode(),
        "valid_count": totals["count"] - totals["void_count"],
    }
    if request.htmx and request.htmx.target == "ledger":
        return render(request, "fees/payment_list.html#ledger", context)
    return render(request, "fees/payment_list.html", context)


CSV_HEADER = [
    "receipt_number",
    "paid_on",
    "roll_number",
    "student",
    "method",
    "reference",
    "amount",
    "void",
    "void_reason",
    "remarks",
    "recorded_by",
    "recorded_at",
]


def _ledger_csv(payments):
    rows = (
        payments.order_by("paid_on", "id")
        .values_list(
            "receipt_number",
            "paid_on",
            "student__roll_number",
            "student__user__full_name",
            "method",
            "reference",
            "amount",
            "voided_at",
            "void_reason",
            "remarks",
            "recorded_by__full_name",
            "recorded_at",
        )
        .iterator(chunk_size=2000)
    )

    def lines():
        for row in rows:
            row = list(row)
            row[7] = "void" if row[7] else ""
            row[11] = timezone.localtime(row[11]).isoformat(timespec="seconds")
            yield row

    return csv_response(dated("payments"), CSV_HEADER, lines())


# The receipt ------------------------------------------------------------------------


def _receipt_context(request, payment):
    thermal = request.GET.get("format") == "thermal" or request.GET.get("size") == "thermal"
    return pdf.receipt_context(payment, viewer=request.user, thermal=thermal)


@require_safe
@allow_roles(*PAYER_ROLES)
def payment_detail(request, pk):
    """The receipt, for staff and the payer's family (anyone else: 404). Prints on A4 or,
    with `?format=thermal`, on an 80 mm roll; `?format=pdf` is the PDF."""
    if request.GET.get("format") == "pdf":
        return payment_pdf(request, pk)
    payment = get_payment_for(request, pk)
    context = _receipt_context(request, payment)
    context["office"] = request.user.role in STAFF_ROLES
    context["share_url"] = request.build_absolute_uri()
    context["whatsapp"] = whatsapp.receipt_links(request, context)
    if context["office"]:
        context["void_form"] = VoidForm(
            closed_day=request.user.role == Role.ADMIN and is_closed(payment.paid_on)
        )
        context["remarks_form"] = RemarksForm(initial={"remarks": payment.remarks})
        context["remark_edits"] = list(payment.remark_edits.select_related("edited_by"))
    return render(request, "fees/payment_detail.html", context)


@require_safe
@allow_roles(*PAYER_ROLES)
def payment_pdf(request, pk):
    """The receipt as a PDF (weasyprint), A4 or `?size=thermal` for an 80 mm roll."""
    payment = get_payment_for(request, pk)
    context = _receipt_context(request, payment)
    content = pdf.render_pdf(context, request=request, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(content, content_type=pdf.MIMETYPE)
    response["Content-Disposition"] = f'inline; filename="{pdf.filename(payment)}"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def payment_void(request, pk):
    """Void a payment: GET asks first (receipt, amount, student, the reason); POST voids
    it with the reason. It stays listed, struck through, in no total; the receipt then
    offers "Record again" for the same student."""
    payment = get_payment_for(request, pk)
    if payment.is_void:
        if request.method == "POST":
            messages.info(request, f"Receipt {payment.receipt_number} was already void.")
        return redirect("fees:payment_detail", pk=payment.pk)
    closed_day = request.user.role == Role.ADMIN and is_closed(payment.paid_on)
    form = VoidForm(request.POST if request.method == "POST" else None, closed_day=closed_day)
    if request.method == "POST" and form.is_valid():
        try:
            services.void_payment(
                payment=payment,
                by=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
                override_reason=form.cleaned_data.get("closed_day_reason", ""),
            )
        except ValidationError as error:  # a closed day (fees.day_close)
            form.add_error(None, error)
        else:
            messages.success(request, f"Receipt {payment.receipt_number} is void.")
            return redirect("fees:payment_detail", pk=payment.pk)
    if form.errors:
        form.fields["reason"].widget.attrs["autofocus"] = True
    family = family_receipt(request.user, payment) if payment.group_id else None
    context = {"payment": payment, "form": form, "family": family}
    return render(request, "fees/payment_void.html", context, status=400 if form.errors else 200)


@require_POST
@allow_roles(*STAFF_ROLES)
def payment_remarks(request, pk):
    """Change a payment's remarks (the change is kept: who, when, before, after)."""
    payment = get_payment_for(request, pk)
    form = RemarksForm(request.POST)
    if form.is_valid():
        changed = services.edit_remarks(
            payment=payment, remarks=form.cleaned_data["remarks"], by=request.user
        )
        if changed:
            messages.success(request, "Remarks saved.")
    else:
        messages.error(request, "Remarks are at most 300 characters.")
    return redirect("fees:payment_detail", pk=payment.pk)
