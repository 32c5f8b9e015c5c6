"""The office's student and guardian pages (`/people/students/<id>/`,
`/people/guardians/<id>/`). Like the dashboard (`musicbeats.dashboard`), they gather each
app's figures through that app's own selectors (the person from accounts, balances, dues
and payments from fees, marks and enrolments from attendance), here in the project
package: accounts imports neither fees nor attendance (issue 10; `lint-imports` checks
it) and no app imports another's views. The templates stay in accounts/templates/.

Each page costs a fixed number of queries whatever the number of payments, marks,
enrolments or children (tests/accounts/test_people_links.py counts them)."""

from datetime import timedelta

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import allow_roles
from accounts.institute.memory import current_institute
from accounts.models import STAFF_ROLES, Student
from accounts.people import selectors as people
from attendance.rollcall.selectors import history
from attendance.teaching.exams.selectors import entries_of_students
from attendance.teaching.notes.selectors import notes_for_student
from attendance.teaching.progress.selectors import office_progress
from fees import selectors as fees
from musicbeats.money import ZERO

ATTENDANCE_DAYS = 30  # the attendance box counts the marks of the last 30 days
DUES_SHOWN = 5  # the oldest open dues listed; the statement lists them all
PAYMENTS_SHOWN = 5
MARKS_SHOWN = 5
NOTES_SHOWN = 5  # the latest lesson notes a student may read


def may_see_fees(user) -> bool:
    """Who sees money on these pages: the office and the admin (a teacher never sees
    fees, DESIGN.md; today only staff reach these pages at all)."""
    return user.role in STAFF_ROLES


def _fees_of(student_id: int) -> dict:
    """Balance, the oldest open dues and the latest payments: five queries."""
    account = fees.student_account(student_id)
    return {
        "account": account,
        "dues_shown": account.open_dues[:DUES_SHOWN],
        "dues_more": max(0, len(account.open_dues) - DUES_SHOWN),
        "payments": fees.recent_payments(student_id, limit=PAYMENTS_SHOWN),
    }


def _attendance_of(student: Student, user) -> dict:
    """The last 30 days' tally and latest marks: two queries."""
    today = timezone.localdate()
    start = today - timedelta(days=ATTENDANCE_DAYS - 1)
    (row,) = history([student], start, today, user=user)
    return {"tally": row["tally"], "marks": row["marks"][:MARKS_SHOWN], "since": start}


@require_safe
@allow_roles(*STAFF_ROLES)
def student_detail(request, pk):
    """A student's details, guardians, fees, attendance and classes, with what to do next:
    record a payment, the statement, enrol, edit."""
    student = people.student_detail(pk).first()
    if student is None:
        raise Http404("No such student.")
    current_institute()  # the money filter's currency, read before the page counts on it
    context = {"student": student, "show_fees": may_see_fees(request.user)}
    if context["show_fees"]:
        context.update(_fees_of(student.pk))
    context["attendance"] = _attendance_of(student, request.user)
    context["lesson_notes"] = list(notes_for_student(student.pk)[:NOTES_SHOWN])  # one query
    context["exam_entries"] = list(entries_of_students([student.pk]))  # one query
    context["progress"] = office_progress(student.pk)  # four queries
    return render(request, "accounts/students/detail.html", context)


@require_safe
@allow_roles(*STAFF_ROLES)
def guardian_detail(request, pk):
    """A guardian's details and children, with each child's balance and the family's."""
    guardian = people.guardian_detail(pk).first()
    if guardian is None:
        raise Http404("No such guardian.")
    context = {"guardian": guardian, "show_fees": may_see_fees(request.user)}
    if context["show_fees"] and guardian.links:
        ids = [link.student_id for link in guardian.links]
        students = fees.with_balances(Student.objects.filter(pk__in=ids))
        balances = {s.pk: s.balance_total for s in students}
        for link in guardian.links:
            link.balance = balances.get(link.student_id, ZERO)
        context["family_balance"] = sum(balances.values(), ZERO)
    return render(request, "accounts/guardians/detail.html", context)
