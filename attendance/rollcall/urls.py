"""Roll call and attendance reports, under /attendance/ (namespace "rollcall")."""

from django.urls import path

from attendance.rollcall.views import reports, rollcall

app_name = "rollcall"

urlpatterns = [
    path("today/", rollcall.today, name="today"),
    path("lessons/<id:pk>/", rollcall.lesson, name="lesson"),
    path("mine/", reports.mine, name="mine"),
    path("students/<id:pk>/", reports.student, name="student"),
    path("reports/", reports.by_student, name="report_students"),
    path("reports/batches/", reports.by_batch, name="report_batches"),
    path("reports/teachers/", reports.by_teacher, name="report_teachers"),
    path("reports/absentees/", reports.absentee_list, name="absentees"),
]
