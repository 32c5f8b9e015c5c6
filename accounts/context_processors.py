from django.urls import reverse

from accounts.institute.memory import institute_name
from accounts.models import STAFF_ROLES, Role

# The navigation, by role. An entry is a link (label, URL name) or a menu
# (label, [links]). A test checks that every link resolves to a view whose access rule
# lets that role in. Office staff get menus so that the bar fits a laptop screen.
PEOPLE_MENU = (
    "People",
    [
        ("Students", "people:student_list"),
        ("Guardians", "people:guardian_list"),
        ("Teachers", "people:teacher_list"),
        ("Admission requests", "admission_list"),
        ("Import students", "student_import"),
    ],
)
CLASSES_MENU = (
    "Classes",
    [
        ("Batches", "classes:batch_list"),
        ("Catalogue", "classes:catalogue"),
        ("Week schedule", "timetable:week"),
        ("Timetable", "timetable:slots"),
    ],
)
FEES_MENU = (
    "Fees",
    [
        ("New payment", "fees:payment_new"),
        ("Payments ledger", "fees:payment_list"),
        ("Summary", "fees:summary"),
        ("Cash close", "fees:cash_close"),
    ],
)
ATTENDANCE_MENU = (
    "Attendance",
    [
        ("By student", "rollcall:report_students"),
        ("By batch", "rollcall:report_batches"),
        ("By teacher", "rollcall:report_teachers"),
        ("Absentees", "rollcall:absentees"),
    ],
)
NAVIGATION = {
    Role.ADMIN: [
        ("Dashboard", "dashboard"),
        PEOPLE_MENU,
        CLASSES_MENU,
        FEES_MENU,
        ATTENDANCE_MENU,
        (
            "Settings",
            [
                ("Institute settings", "institute_settings"),
                ("Backups", "backups"),
                ("Admin site", "admin:index"),
            ],
        ),
    ],
    Role.OFFICE: [
        ("Dashboard", "dashboard"),
        PEOPLE_MENU,
        CLASSES_MENU,
        FEES_MENU,
        ATTENDANCE_MENU,
    ],
    Role.TEACHER: [
        ("Dashboard", "dashboard"),
        ("Today", "rollcall:today"),
        ("Schedule", "timetable:week"),
    ],
    Role.STUDENT: [
        ("Dashboard", "dashboard"),
        ("Schedule", "timetable:week"),
        ("My attendance", "rollcall:mine"),
        ("Fees", "fees:mine"),
    ],
    Role.GUARDIAN: [
        ("Dashboard", "dashboard"),
        ("Schedule", "timetable:week"),
        ("My attendance", "rollcall:mine"),
        ("Fees", "fees:mine"),
    ],
}
# Everyone's own page, last.
for _items in NAVIGATION.values():
    _items.append(("Profile", "profile"))


def _link(label, name, path):
    url = reverse(name)
    active = path == url if url == "/" else path.startswith(url)
    return {"label": label, "url": url, "active": active}


def navigation(request):
    user = getattr(request, "user", None)
    context = {"institute_name": institute_name(), "nav_items": []}
    if user is None or not user.is_authenticated:
        return context
    items = []
    for label, target in NAVIGATION.get(user.role, []):
        if isinstance(target, list):
            links = [_link(sub, name, request.path) for sub, name in target]
            items.append(
                {"label": label, "links": links, "active": any(lk["active"] for lk in links)}
            )
        else:
            items.append(_link(label, target, request.path))
    # Only the most specific match is current (/schedule/slots/ is not also /schedule/).
    links = [lk for item in items for lk in item.get("links", [item])]
    longest = max((len(lk["url"]) for lk in links if lk["active"]), default=0)
    for lk in links:
        lk["active"] = lk["active"] and len(lk["url"]) == longest
    for item in items:
        if "links" in item:
            item["active"] = any(lk["active"] for lk in item["links"])
    context["nav_items"] = items
    # Staff work at office PCs and have many pages: their menu folds below 992 px (a
    # tablet), where it would overflow; teachers and families keep it open from 768 px.
    context["nav_breakpoint"] = "lg" if user.role in STAFF_ROLES else "md"
    return context
