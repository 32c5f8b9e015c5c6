"""CSV import of students: upload, preview every row's problems, import all or nothing.

The uploaded text is kept on the server in a `StudentImport` row between the preview and
the import; the confirm form only names that row and the SHA-256 of the text previewed.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import allow_roles
from accounts.intake import csv_checks, imports
from accounts.intake.forms import ConfirmImportForm, StudentImportForm
from accounts.models import STAFF_ROLES, StudentImport

SHOW_PROBLEM_ROWS = 200
SHOW_READY_ROWS = 20


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def student_import(request):
    """Upload a CSV: the page documents the columns and links a sample file."""
    form = StudentImportForm()
    if request.method == "POST":
        form = StudentImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                stored = imports.store_upload(
                    raw=upload.read(csv_checks.MAX_BYTES + 1), filename=upload.name, by=request.user
                )
            except csv_checks.ImportFileError as problem:
                form.add_error("file", str(problem))
            else:
                return redirect("student_import_preview", pk=stored.pk)
    recent = StudentImport.objects.select_related("uploaded_by").defer("content")[:5]
    return render(
        request,
        "accounts/imports/upload.html",
        {"form": form, "columns": csv_checks.COLUMNS, "recent": recent},
        status=400 if form.errors else 200,
    )


def _preview(request, upload, report, *, status=200):
    bad = report.bad_rows
    context = {
        "upload": upload,
        "report": report,
        "bad_rows": bad[:SHOW_PROBLEM_ROWS],
        "hidden_bad": max(len(bad) - SHOW_PROBLEM_ROWS, 0),
        "ready_rows": [row for row in report.rows if not row.problems][:SHOW_READY_ROWS],
        "ready_count": len(report.rows) - len(bad),
        "confirm_form": ConfirmImportForm(initial={"sha256": upload.sha256}),
        "columns": csv_checks.COLUMNS,
    }
    return render(request, "accounts/imports/preview.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def student_import_preview(request, pk):
    """GET: each row's problems. POST: import every row, or none."""
    upload = get_object_or_404(
        StudentImport.objects.select_related("uploaded_by", "imported_by").defer("content")
        if request.method == "POST"
        else StudentImport.objects.select_related("uploaded_by", "imported_by"),
        pk=pk,
    )
    if request.method != "POST":
        if upload.status == StudentImport.Status.IMPORTED:
            return render(request, "accounts/imports/done.html", {"upload": upload})
        return _preview(request, upload, imports.preview(upload))

    form = ConfirmImportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Confirm the import from its preview page.")
        return redirect("student_import_preview", pk=upload.pk)
    try:
        count = imports.import_students(
            upload, by=request.user, confirmed_sha256=form.cleaned_data["sha256"]
        )
    except csv_checks.AlreadyImported:
        messages.info(request, "This file was already imported; nothing was imported twice.")
    except csv_checks.ImportRefused as refused:
        messages.error(request, f"Nothing was imported: {refused}")
        return _preview(request, upload, refused.report, status=409)
    except csv_checks.ImportFileError as problem:
        messages.error(request, f"Nothing was imported: {problem}")
    else:
        messages.success(request, f"Imported {count:,} students.")
    return redirect("student_import_preview", pk=upload.pk)


@require_safe
@allow_roles(*STAFF_ROLES)
def student_import_sample(request):
    """A sample CSV with every column (UTF-8 with a byte-order mark, so Excel opens it
    with the right characters)."""
    response = HttpResponse("\ufeff" + imports.sample_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="musicbeats-students-sample.csv"'
    return response
