"""Lesson notes, under /teaching/notes/ (namespace "notes")."""

from django.urls import path

from attendance.teaching.notes.views import reading, writing

app_name = "notes"

urlpatterns = [
    path("", reading.mine, name="mine"),
    path("lessons/<id:pk>/", writing.lesson_notes, name="lesson"),
]
