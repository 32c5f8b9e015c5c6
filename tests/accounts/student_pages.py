"""Shared by the student pages' tests (test_students.py, test_student_edit.py)."""

from django.urls import reverse
from django.utils import timezone

LIST = reverse("people:student_list")
ADD = reverse("people:student_add")
HTMX = {"HTTP_HX_REQUEST": "true"}


def student_form(**overrides):
    data = {
        "full_name": "Riya Das",
        "email": "",
        "phone": "+91 98450 55555",
        "date_of_birth": "2015-06-01",
        "address": "12, MG Road, Bengaluru",
        "joined_on": timezone.localdate().isoformat(),
        "notes": "",
        "new_guardian_name": "Mala Das",
        "new_guardian_phone": "+91 98450 66666",
        "new_guardian_email": "mala.das@example.test",
        "new_guardian_relation": "Mother",
        "save": "1",
    }
    data.update(overrides)
    return data


def names(response):
    return [s.user.full_name for s in response.context["page"].object_list]
