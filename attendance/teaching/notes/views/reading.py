"""Families read the notes: `/teaching/notes/` ("Practice" in their menu).

A student sees their own; a guardian each linked child in turn (`?student=<id>` picks
the child when there are several). At the top "Practise this week" (per batch the child
is in, the latest practice), then the notes, newest first, 20 to a page. What a student
may read is `selectors.visible_to`.
"""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import allow_roles
from accounts.models import Role, Student
from attendance.teaching.notes.selectors import notes_for_student, page_of, practice_now
from musicbeats.ids import parse_id

MAX_PAGE = 10_000


def _children(user) -> list[Student]:
    if user.role == Role.STUDENT:
        return list(Student.objects.filter(user=user).select_related("user"))
    return list(
        Student.objects.filter(guardianships__guardian=user)
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )


def _page_number(request) -> int:
    number = parse_id(request.GET.get("page")) or 1
    return min(number, MAX_PAGE)


@require_safe
@allow_roles(Role.STUDENT, Role.GUARDIAN)
def mine(request):
    """The practice and the lesson notes of the student, or of the guardian's child."""
    children = _children(request.user)
    wanted = parse_id(request.GET.get("student"))
    child = next((c for c in children if c.pk == wanted), children[0] if children else None)
    context = {
        "children": children,
        "child": child,
        "is_guardian": request.user.role == Role.GUARDIAN,
    }
    if child is not None:
        context["practice"] = practice_now(child.pk, today=timezone.localdate())
        context["page"] = page_of(notes_for_student(child.pk), _page_number(request))
    template = "attendance/teaching/notes/mine.html"
    return render(request, f"{template}#notes" if request.htmx else template, context)
