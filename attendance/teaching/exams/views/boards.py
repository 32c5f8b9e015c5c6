"""Exam boards and their grades (office, admin): small forms, nothing deleted; a board
that stops examining is made inactive and is no longer offered for new sessions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from attendance.teaching.exams import selectors
from attendance.teaching.exams.forms import BoardForm, GradeForm
from attendance.teaching.exams.models import ExamGrade
from attendance.teaching.exams.views.objects import get_board_for, get_grade_for

GET_POST = ["GET", "HEAD", "POST"]
TEMPLATES = "attendance/teaching/exams/"


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def boards(request):
    """Every board with its grades; a form to add a board."""
    form = BoardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        board = form.save()
        messages.success(request, f"{board.name} added. Now give it its grades.")
        return redirect("exams:board", pk=board.pk)
    context = {"form": form, "boards": selectors.boards_with_grades()}
    return render(request, TEMPLATES + "boards.html", context)


def _board_page(request, board, *, form=None, grade_form=None):
    grades = ExamGrade.objects.filter(board=board).select_related("instrument")
    context = {
        "board": board,
        "form": form or BoardForm(instance=board),
        "grade_form": grade_form or GradeForm(board=board),
        "grades": grades.order_by("position", "name", "pk"),
    }
    return render(request, TEMPLATES + "board.html", context)


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def board(request, pk):
    """A board: rename it, its maximum marks, active or not; its grades and a form to
    add one (posted to `grade_new`)."""
    board = get_board_for(request, pk)
    form = BoardForm(request.POST or None, instance=board)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{board.name} saved.")
        return redirect("exams:board", pk=board.pk)
    return _board_page(request, board, form=form)


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def grade_new(request, pk):
    """Add a grade to a board (the board page's form posts here; a GET shows that page)."""
    board = get_board_for(request, pk)
    if request.method != "POST":
        return _board_page(request, board)
    grade_form = GradeForm(request.POST, board=board)
    if grade_form.is_valid():
        grade = grade_form.save(commit=False)
        grade.board = board
        grade.save()
        messages.success(request, f"{grade.name} added to {board.name}.")
        return redirect("exams:board", pk=board.pk)
    return _board_page(request, board, grade_form=grade_form)


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def grade_edit(request, pk):
    """Rename a grade, its order, instrument and entry fee (entries keep their fee)."""
    grade = get_grade_for(request, pk)
    form = GradeForm(request.POST or None, instance=grade, board=grade.board)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{grade.board.name} {grade.name} saved.")
        return redirect("exams:board", pk=grade.board_id)
    return render(request, TEMPLATES + "grade_edit.html", {"grade": grade, "form": form})
