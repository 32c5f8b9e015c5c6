"""The office uploads a bank/UPI statement, reviews the proposed matches, records them.

Size: Django streams an upload over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) to a temporary
file, never into memory; a request whose Content-Length is over the limit is refused
before the file is opened, and at most MAX_BYTES + 1 bytes are ever read from it.
"""

import hashlib

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from fees.models import StatementImport
from fees.upi_matching import matching
from fees.upi_matching.forms import StatementUploadForm
from fees.upi_matching.statements import MAX_BYTES, Credit, StatementError, read_statement

FORM_OVERHEAD = 64 * 1024  # the multipart envelope and the other fields


def _too_large(request) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BYTES + FORM_OVERHEAD
    except ValueError:
        return True


def _read_and_store(request, form) -> StatementImport | None:
    upload = form.cleaned_data["file"]
    raw = upload.read(MAX_BYTES + 1)
    try:
        layout, credits = read_statement(raw)
    except StatementError as problem:
        form.add_error("file", str(problem))
        return None
    return StatementImport.objects.create(
        uploaded_by=request.user,
        filename=upload.name[:200],
        sha256=hashlib.sha256(raw).hexdigest(),
        layout=layout,
        lines=[credit.as_json() for credit in credits],
    )


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def statement_upload(request):
    form, refused = StatementUploadForm(), ""
    if request.method == "POST" and _too_large(request):
        refused = (
            f"The upload is over {MAX_BYTES // 1024 // 1024} MB; a statement is much "
            "smaller. Nothing was read."
        )
    elif request.method == "POST":
        form = StatementUploadForm(request.POST, request.FILES)
        if form.is_valid():
            statement = _read_and_store(request, form)
            if statement is not None:
                return redirect("fees:statement_review", pk=statement.pk)
    recent = StatementImport.objects.select_related("uploaded_by").defer("lines")[:5]
    return render(
        request,
        "fees/upi/upload.html",
        {"form": form, "refused": refused, "recent": recent, "max_mb": MAX_BYTES // 1024 // 1024},
        status=400 if form.errors or refused else 200,
    )


def _choices(post, count) -> dict:
    return {
        index: (post.get(f"take-{index}") == "on", post.get(f"roll-{index}", "")[:20])
        for index in range(count)
    }


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def statement_review(request, pk):
    statement = get_object_or_404(StatementImport.objects.select_related("recorded_by"), pk=pk)
    status = 200
    if request.method == "POST":
        try:
            count = matching.record_statement(
                statement_id=statement.pk,
                choices=_choices(request.POST, len(statement.lines)),
                by=request.user,
            )
        except matching.AlreadyRecorded:
            messages.info(request, "This statement was already recorded; nothing twice.")
        except matching.RecordRefused as refused:
            messages.error(request, f"Nothing was recorded: {refused}")
            status = 409
        else:
            messages.success(request, f"Recorded {count} line{'s' if count != 1 else ''}.")
            return redirect("fees:statement_review", pk=statement.pk)
        if status == 200:
            return redirect("fees:statement_review", pk=statement.pk)
    proposals = matching.propose([Credit.from_json(line) for line in statement.lines])
    context = {
        "statement": statement,
        "proposals": proposals,
        "recordable": sum(1 for p in proposals if p.recordable),
        "used": sum(1 for p in proposals if not p.recordable),
    }
    return render(request, "fees/upi/review.html", context, status=status)
