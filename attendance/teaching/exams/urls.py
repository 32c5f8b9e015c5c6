"""Grade exams' URLs (namespace "exams"), under `/teaching/exams/`."""

from django.urls import path

from attendance.teaching.exams.views import boards, entries, family, sessions

app_name = "exams"

urlpatterns = [
    path("", sessions.sessions, name="sessions"),
    path("sessions/new/", sessions.session_new, name="session_new"),
    path("sessions/<id:pk>/", entries.session, name="session"),
    path("sessions/<id:pk>/edit/", sessions.session_edit, name="session_edit"),
    path("sessions/<id:pk>/entries.csv", sessions.session_csv, name="session_csv"),
    path(
        "sessions/<id:pk>/entries/<id:entry_pk>/result/",
        entries.entry_result,
        name="entry_result",
    ),
    path("boards/", boards.boards, name="boards"),
    path("boards/<id:pk>/", boards.board, name="board"),
    path("boards/<id:pk>/grades/", boards.grade_new, name="grade_new"),
    path("grades/<id:pk>/", boards.grade_edit, name="grade_edit"),
    path("mine/", family.mine, name="mine"),
]
