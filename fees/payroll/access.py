"""Who may see whose pay: one helper per kind of object (teacher, month)."""

from datetime import date

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from musicbeats.dates import parse_month


def get_teacher_for(request, pk: int) -> User:
    """The teacher `pk` whose pay `request.user` may see: staff see every teacher's; a
    teacher only their own (404 for anyone else's: they may not know it exists)."""
    if request.user.role == Role.TEACHER and request.user.pk != pk:
        raise Http404("No such pay statement.")
    return get_object_or_404(User, pk=pk, role=Role.TEACHER)


def month_or_404(text: str) -> date:
    try:
        return parse_month(text)
    except ValueError:
        raise Http404("No such month.") from None
