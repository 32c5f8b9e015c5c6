from django.conf import settings
from django.urls import reverse

from accounts.models import Role

# The navigation, by role: each entry names a page the role may use. A test checks that
# every link here resolves to a view whose access rule lets that role in.
NAVIGATION = {
    Role.ADMIN: [("Dashboard", "dashboard"), ("Admin site", "admin:index")],
    Role.OFFICE: [("Dashboard", "dashboard")],
    Role.TEACHER: [("Dashboard", "dashboard")],
    Role.STUDENT: [("Dashboard", "dashboard")],
    Role.GUARDIAN: [("Dashboard", "dashboard")],
}
# The schedule (every role) and the timetable grid (the office).
for _role in Role:
    NAVIGATION[_role].append(("Schedule", "schedule:week"))
for _role in (Role.ADMIN, Role.OFFICE):
    NAVIGATION[_role].append(("Timetable", "schedule:slots"))


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
    # Only the most specific match is current (/schedule/slots/ is not also /schedule/).
    longest = max((len(item["url"]) for item in items if item["active"]), default=0)
    for item in items:
        item["active"] = item["active"] and len(item["url"]) == longest
    context["nav_items"] = items
    return context
