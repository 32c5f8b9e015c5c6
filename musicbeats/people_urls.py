"""`/people/…`: accounts' people pages, with the student and guardian pages from
`musicbeats.people` (they gather fees and attendance, which accounts may not import)."""

from django.urls import path

from accounts.people.urls import urlpatterns as accounts_people
from musicbeats import people

app_name = "people"

urlpatterns = [
    path("students/<id:pk>/", people.student_detail, name="student_detail"),
    path("guardians/<id:pk>/", people.guardian_detail, name="guardian_detail"),
    *accounts_people,
]
