"""What the summary, statement and cash-close pages share: the range, htmx, exports."""

from django.http import HttpResponseBadRequest

from fees.exports import FORMATS


def wants_fragment(request) -> bool:
    """An htmx request for the figures only (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def export_format(request) -> str | None:
    """`?export=csv` or `?export=xlsx`; None for the page itself."""
    value = request.GET.get("export")
    return value if value in FORMATS else None


def bad_export(request):
    """An unknown `?export=` value: say so plainly rather than show the page."""
    if "export" in request.GET and export_format(request) is None:
        return HttpResponseBadRequest(
            "Unknown export format: use export=csv or export=xlsx.", content_type="text/plain"
        )
    return None
