"""Online admission: the public form, and the office's list and decision pages."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import allow_roles, public
from accounts.intake import admissions
from accounts.intake.forms import AcceptAdmissionForm, AdmissionForm, DeclineAdmissionForm
from accounts.models import STAFF_ROLES, AdmissionRequest, Student, User
from musicbeats.form_tokens import AlreadyDone, add_token, made_before, once

PER_PAGE = 25
STATUSES = ["all", *AdmissionRequest.Status.values]


@require_http_methods(["GET", "HEAD", "POST"])
@public
def admission_form(request):
    """A family asks for admission. Robots filling the hidden field get the same thanks
    page, store nothing and count nothing (so they never use up the allowance of people
    at their address); more than REQUESTS_PER_HOUR stored requests from one client
    address (the real client's, musicbeats/client_address.py) get a 429."""
    if request.method == "POST":
        if admissions.is_rate_limited(request):
            return render(
                request,
                "accounts/admissions/limited.html",
                {"limit": admissions.REQUESTS_PER_HOUR},
                status=429,
            )
        form = add_token(AdmissionForm(request.POST))
        if not form.is_valid() and made_before(request.POST, "admission"):
            admissions.count_submission(request)
            return redirect("admission_thanks")
        if form.is_bot:
            return redirect("admission_thanks")
        if form.is_valid():
            # A double click or a resend of the same form (its token) or of the same
            # child is one request, not two; every one of them gets the same thanks.
            data = form.cleaned_data
            try:
                with once(form, "admission") as claim:
                    first = (
                        AdmissionRequest.objects.pending()
                        .filter(
                            child_name__iexact=data["child_name"].strip(),
                            date_of_birth=data["date_of_birth"],
                            guardian_email=data["guardian_email"],
                        )
                        .first()
                    )
                    claim.made(first or form.save())
            except AlreadyDone:
                pass
            admissions.count_submission(request)
            return redirect("admission_thanks")
    else:
        form = add_token(AdmissionForm())
    return render(request, "accounts/admissions/form.html", {"form": form})


@require_safe
@public
def admission_thanks(request):
    return render(request, "accounts/admissions/thanks.html")


@require_safe
@allow_roles(*STAFF_ROLES)
def admission_list(request):
    """Requests, pending first (oldest waiting at the top), with counts per status and a
    live search (htmx swaps `#results`)."""
    status = request.GET.get("status", "all")
    if status not in STATUSES:
        status = "all"
    query = request.GET.get("q", "").strip()[:100]
    counts = AdmissionRequest.objects.aggregate(
        all=Count("id"),
        **{s: Count("id", filter=Q(status=s)) for s in AdmissionRequest.Status.values},
    )
    requests = AdmissionRequest.objects.select_related("instrument", "decided_by")
    if status != "all":
        requests = requests.filter(status=status)
    if query:
        requests = requests.filter(
            Q(child_name__icontains=query)
            | Q(guardian_name__icontains=query)
            | Q(guardian_email__icontains=query)
            | Q(guardian_phone__icontains=query)
        )
    page = Paginator(requests.pending_first(), PER_PAGE).get_page(request.GET.get("page"))
    tabs = [
        (value, label, counts[value])
        for value, label in [("all", "All"), *AdmissionRequest.Status.choices]
    ]
    context = {"page": page, "status": status, "query": query, "counts": counts, "tabs": tabs}
    template = "accounts/admissions/list.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return render(request, template, context)


def _family(admission: AdmissionRequest) -> User | None:
    """The account already using the guardian's email, with its children (siblings)."""
    return (
        User.objects.filter(email=admission.guardian_email.strip().lower())
        .prefetch_related(
            Prefetch(
                "wards", queryset=Student.objects.select_related("user").order_by("user__full_name")
            )
        )
        .first()
    )


def _detail(request, admission, *, accept_form=None, decline_form=None, status=200):
    family = _family(admission) if admission.is_pending else None
    batches = admissions.batch_choices(admission)
    context = {
        "admission": admission,
        "family": family,
        "family_problem": admissions.guardian_problem(family),
        "same_name": family is not None
        and any(
            ward.user.full_name.strip().lower() == admission.child_name.strip().lower()
            for ward in family.wards.all()
        ),
        "accept_form": accept_form or AcceptAdmissionForm(batches=batches),
        "decline_form": decline_form or DeclineAdmissionForm(),
    }
    return render(request, "accounts/admissions/detail.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def admission_detail(request, pk):
    """One request; while pending, the office accepts it (POST action=accept, optional
    batch) or declines it (POST action=decline, reason required)."""
    admission = get_object_or_404(
        AdmissionRequest.objects.select_related("instrument", "decided_by", "student__user"),
        pk=pk,
    )
    if request.method != "POST":
        return _detail(request, admission)
    action = request.POST.get("action")
    if action == "accept":
        return _accept(request, admission)
    if action == "decline":
        return _decline(request, admission)
    return HttpResponseBadRequest("Choose accept or decline.")


def _accept(request, admission):
    form = AcceptAdmissionForm(request.POST, batches=admissions.batch_choices(admission))
    if not form.is_valid():
        return _detail(request, admission, accept_form=form)
    batch = form.cleaned_data["batch"]
    try:
        admitted = admissions.accept_admission(
            admission.pk,
            by=request.user,
            base_url=request.build_absolute_uri("/"),
            batch_id=batch.pk if batch else None,
        )
    except admissions.AlreadyDecided as refusal:
        messages.warning(request, str(refusal))
        return redirect("admission_detail", pk=admission.pk)
    except admissions.AdmissionError as refusal:
        messages.error(request, f"Not accepted: {refusal}")
        return redirect("admission_detail", pk=admission.pk)
    student, guardian = admitted.student, admitted.guardian
    done = f"Accepted: {student.user.full_name} is student {student.roll_number}"
    if admitted.enrollment:
        done += f", enrolled in {admitted.enrollment.batch.name}"
    if admitted.guardian_created:
        done += f". {guardian.full_name} is a new guardian"
    else:
        done += f". Linked to the existing guardian {guardian.full_name}"
    if admitted.email == "invitation":
        messages.success(
            request, f"{done}; an invitation to set a password went to {guardian.email}."
        )
    elif admitted.email == "notice":
        messages.success(request, f"{done}; {guardian.email} was told by email.")
    else:
        messages.warning(
            request,
            f"{done}. The email to {guardian.email} could not be sent: resend the "
            "invitation from the guardian's profile.",
        )
    return redirect("admission_detail", pk=admission.pk)


def _decline(request, admission):
    form = DeclineAdmissionForm(request.POST)
    if not form.is_valid():
        return _detail(request, admission, decline_form=form)
    if admission.decline(by=request.user, reason=form.cleaned_data["reason"]):
        messages.success(request, f"Declined the request for {admission.child_name}.")
    else:
        admission = AdmissionRequest.objects.select_related("decided_by").get(pk=admission.pk)
        messages.warning(request, admissions.already_decided_message(admission))
    return redirect("admission_detail", pk=admission.pk)
