"""Intake: the public admission form, the office's admission requests, the CSV import.

Included at the site root; the paths sit beside the people pages (`people/…`), which
have their own URL module. `people/students/import/` does not collide with
`people/students/<id:pk>/`.
"""

from django.urls import path

from accounts.intake.views import admissions, imports

urlpatterns = [
    path("admission/", admissions.admission_form, name="admission_form"),
    path("admission/thanks/", admissions.admission_thanks, name="admission_thanks"),
    path("people/admissions/", admissions.admission_list, name="admission_list"),
    path("people/admissions/<id:pk>/", admissions.admission_detail, name="admission_detail"),
    path("people/students/import/", imports.student_import, name="student_import"),
    path(
        "people/students/import/sample.csv",
        imports.student_import_sample,
        name="student_import_sample",
    ),
    path(
        "people/students/import/<id:pk>/",
        imports.student_import_preview,
        name="student_import_preview",
    ),
]
