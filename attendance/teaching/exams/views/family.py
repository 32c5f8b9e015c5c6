"""Families' exams page: a student's own entries and results, a guardian's children's."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.access import allow_roles
from accounts.models import Role, Student
from attendance.teaching.exams import selectors


def family_students(user) -> list[Student]:
    """The students whose exams `user` may see: themself, or their linked children."""
    if user.role == Role.STUDENT:
        return list(Student.objects.filter(user=user).select_related("user"))
    return list(
        Student.objects.filter(guardianships__guardian=user)
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )


@require_safe
@allow_roles(Role.STUDENT, Role.GUARDIAN)
def mine(request):
    """Entries and results, newest session first, per child: two queries."""
    students = family_students(request.user)
    by_student = {student.pk: [] for student in students}
    for entry in selectors.entries_of_students(list(by_student)):
        by_student[entry.student_id].append(entry)
    for student in students:
        student.exam_entries_shown = by_student[student.pk]
    title = "My exams" if request.user.role == Role.STUDENT else "My children's exams"
    if request.user.role == Role.GUARDIAN and len(students) == 1:
        title = "My child's exams"
    return render(
        request,
        "attendance/teaching/exams/mine.html",
        {"students": students, "title": title, "many": len(students) > 1},
    )
