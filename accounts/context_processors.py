from django.urls import reverse

from accounts.institute.memory import institute_name
from accounts.models import Role
from accounts.notifications.bell import bell

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
        ("Outbox (emails, texts)", "notifications:outbox"),
    ],
)
CLASSES_MENU = (
    "Classes",
    [
        ("Batches", "classes:batch_list"),
        ("Catalogue", "classes:catalogue"),
        ("Week schedule", "timetable:week"),
        ("Timetable", "timetable:slots"),
        ("Exams", "exams:sessions"),
        ("Level moves", "progress:queue"),
    ],
)
FEES_MENU = (
    "Fees",
    [
        ("New payment", "fees:payment_new"),
        ("Payments ledger", "fees:payment_list"),
        ("Monthly dues", "fees:dues_generate"),
        ("Summary", "fees:summary"),
        ("Cash close", "fees:cash_close"),
        ("Closed days", "fees:closed_days"),
        ("Reported UPI payments", "fees:upi_queue"),
        ("Import bank/UPI statement", "fees:statement_upload"),
        ("Teacher pay", "payroll:month"),
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
# The office's notification settings (accounts/notifications/): the texts and defaults.
NOTIFICATION_SETTINGS = [
    ("Message texts", "notifications:templates"),
    ("Notification defaults", "notifications:defaults"),
]
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
                *NOTIFICATION_SETTINGS,
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
        ("Settings", NOTIFICATION_SETTINGS),
    ],
    Role.TEACHER: [
        ("Dashboard", "dashboard"),
        ("Today", "rollcall:today"),
        ("Schedule", "timetable:week"),
        ("Pay", "payroll:mine"),
    ],
    Role.STUDENT: [
        ("Dashboard", "dashboard"),
        ("Schedule", "timetable:week"),
        ("Attendance", "rollcall:mine"),
        ("Practice", "notes:mine"),
        ("Exams", "exams:mine"),
        ("Fees", "fees:mine"),
    ],
    Role.GUARDIAN: [
        ("Dashboard", "dashboard"),
        ("Schedule", "timetable:week"),
        ("Attendance", "rollcall:mine"),
        ("Practice", "notes:mine"),
        ("Exams", "exams:mine"),
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
    # The bell's unread count (accounts/notifications/bell.py): lazy, and free with the user.
    context.update(bell(request))
    # The menu folds below 992 px (a tablet), where it would overflow, except a teacher's:
    # teachers mark attendance on tablets and keep it open from 768 px (their Sessions
    # link then waits on the profile page until 992 px, to leave room for the bell).
    # Families read on phones; their longer menu overflowed a 768 px tablet, and with
    # "Practice" (lesson notes) a 992 px screen too: theirs folds below 1200 px.
    breakpoints = {Role.TEACHER: "md", Role.STUDENT: "xl", Role.GUARDIAN: "xl"}
    context["nav_breakpoint"] = breakpoints.get(user.role, "lg")
    return context
