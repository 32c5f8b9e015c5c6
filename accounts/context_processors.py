from django.conf import settings
from django.urls import reverse

from accounts.models import STAFF_ROLES, Role

# The navigation, by role: each entry names a page the role may use. A test checks that
# every link here resolves to a view whose access rule lets that role in.
NAVIGATION = {
    Role.ADMIN: [
        ("Dashboard", "dashboard"),
        ("Fees", "fees:payment_list"),
        ("New payment", "fees:payment_new"),
        ("Summary", "fees:summary"),
        ("Cash close", "fees:cash_close"),
        ("Institute settings", "institute_settings"),
        ("Admin site", "admin:index"),
    ],
    Role.OFFICE: [
        ("Dashboard", "dashboard"),
        ("Fees", "fees:payment_list"),
        ("New payment", "fees:payment_new"),
        ("Summary", "fees:summary"),
        ("Cash close", "fees:cash_close"),
    ],
    Role.TEACHER: [("Dashboard", "dashboard")],
    Role.STUDENT: [("Dashboard", "dashboard"), ("Fees", "fees:mine")],
    Role.GUARDIAN: [("Dashboard", "dashboard"), ("Fees", "fees:mine")],
}


def navigation(request):
    user = getattr(request, "user", None)
    context = {"institute_name": settings.INSTITUTE_NAME, "nav_items": []}
    if user is None or not user.is_authenticated:
        return context
    path = request.path
    items = []
    for label, name in NAVIGATION.get(user.role, []):
        url = reverse(name)
        active = path == url if url == "/" else path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    context["nav_items"] = items
    # Staff work at office PCs and have many pages: their menu folds below 992 px (a
    # tablet), where it would overflow; teachers and families keep it open from 768 px.
    context["nav_breakpoint"] = "lg" if user.role in STAFF_ROLES else "md"
    return context
