"""`/people/…`: the office's pages for students, guardians and teachers. The student's
and the guardian's own pages are `musicbeats.people` (they show fees and attendance;
`musicbeats.people_urls` adds them under the same names)."""

from django.urls import path

from accounts.people.views import guardians, history, persons, students, teachers

app_name = "people"

urlpatterns = [
    path("students/", students.student_list, name="student_list"),
    path("students/export.csv", students.student_export, name="student_export"),
    path("students/new/", students.student_add, name="student_add"),
    path("students/<id:pk>/edit/", students.student_edit, name="student_edit"),
    path("students/<id:pk>/leave/", students.student_deactivate, name="student_deactivate"),
    path("students/<id:pk>/reactivate/", students.student_reactivate, name="student_reactivate"),
    path("guardians/", guardians.guardian_list, name="guardian_list"),
    path("guardians/export.csv", guardians.guardian_export, name="guardian_export"),
    path("guardians/new/", guardians.guardian_add, name="guardian_add"),
    path("guardians/<id:pk>/edit/", guardians.guardian_edit, name="guardian_edit"),
    path("teachers/", teachers.teacher_list, name="teacher_list"),
    path("teachers/export.csv", teachers.teacher_export, name="teacher_export"),
    path("teachers/new/", teachers.teacher_add, name="teacher_add"),
    path("teachers/<id:pk>/", teachers.teacher_detail, name="teacher_detail"),
    path("teachers/<id:pk>/edit/", teachers.teacher_edit, name="teacher_edit"),
    path("<id:pk>/deactivate/", persons.person_deactivate, name="person_deactivate"),
    path("<id:pk>/reactivate/", persons.person_reactivate, name="person_reactivate"),
    path("<id:pk>/invite/", persons.person_invite, name="person_invite"),
    path("<id:pk>/sessions/end/", persons.person_end_sessions, name="person_end_sessions"),
    path("<id:pk>/history/", history.person_history, name="person_history"),
]
