"""The admin's backups page: the newest backups, a download each, and "Back up now"."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import allow_roles
from accounts.models import Role
from musicbeats.backups import archive
from musicbeats.backups.archive import BackupError
from musicbeats.backups.services import take_backup

SHOWN = 30


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(Role.ADMIN)
def backup_list(request):
    """The newest backups in BACKUP_DIR; a POST takes one now (seconds for SQLite)."""
    if request.method == "POST":
        try:
            backup = take_backup(request=request)
        except BackupError as error:
            messages.error(request, f"The backup failed: {error}")
        else:
            messages.success(request, f"Backup {backup.name} written.")
        return redirect("backups")
    backups = archive.list_backups()
    return render(
        request,
        "musicbeats/backups.html",
        {
            "backups": backups[:SHOWN],
            "more": max(len(backups) - SHOWN, 0),
            "folder": archive.backup_dir(),
        },
    )


@require_GET
@allow_roles(Role.ADMIN)
def backup_download(request, name):
    """One backup file, by its name only (anything else is a 404), never cached."""
    backup = archive.find(name)
    if backup is None:
        raise Http404("No such backup.")
    response = FileResponse(
        backup.path.open("rb"),
        as_attachment=True,
        filename=backup.name,
        content_type="application/octet-stream",
    )
    response["Cache-Control"] = "no-store"
    return response
