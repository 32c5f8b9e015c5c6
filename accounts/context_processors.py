from django.conf import settings
from django.urls import reverse

from accounts.models import Role

# The navigation, by role: each entry names a page the role may use. A test checks that
# every link here resolves to a view whose access rule lets that role in.
NAVIGATION = {
    Role.ADMIN: [
        ("Dashboard", "dashboard"),
        ("Attendance reports", "rollcall:report_students"),
        ("Admin site", "admin:index"),
    ],
    Role.OFFICE: [("Dashboard", "dashboard"), ("Attendance reports", "rollcall:report_students")],
    Role.TEACHER: [("Dashboard", "dashboard"), ("Today", "rollcall:today")],
    Role.STUDENT: [("Dashboard", "dashboard"), ("My attendance", "rollcall:mine")],
    Role.GUARDIAN: [("Dashboard", "dashboard"), ("My attendance", "rollcall:mine")],
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
    return context
