from tests.access import ALL, PUBLIC, STAFF, Row


def _admission(request):
    from tests.factories import AdmissionRequestFactory

    return {"pk": AdmissionRequestFactory().pk}


def _student_import(request):
    from accounts.imports import store_upload

    office = request.getfixturevalue("office_user")
    raw = b"full_name,email\nRiya Das,riya@example.test\n"
    return {"pk": store_upload(raw=raw, filename="students.csv", by=office).pk}


ROWS = {
    "dashboard": Row(ALL),
    "healthz": Row(PUBLIC),
    # intake
    "admission_form": Row(PUBLIC),
    "admission_thanks": Row(PUBLIC),
    "admission_list": Row(STAFF),
    "admission_detail": Row(STAFF, kwargs=_admission),
    "student_import": Row(STAFF),
    "student_import_sample": Row(STAFF),
    "student_import_preview": Row(STAFF, kwargs=_student_import),
}
