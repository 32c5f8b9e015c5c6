"""Progress URLs (namespace "progress"), under `/teaching/levels/`."""

from django.urls import path

from attendance.teaching.progress.views import queue, students

app_name = "progress"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("<id:pk>/confirm/", queue.confirm, name="confirm"),
    path("<id:pk>/decline/", queue.decline, name="decline"),
    path("students/<id:pk>/propose/", students.propose, name="propose"),
    path("students/<id:pk>/set/", students.set_level, name="set_level"),
]
