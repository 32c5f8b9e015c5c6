from accounts.models import Role
from tests.access import ALL, PUBLIC, STAFF, Row


def _pk(fixture):
    return lambda request: {"pk": request.getfixturevalue(fixture).pk}


def _admission(request):
    from tests.factories import AdmissionRequestFactory

    return {"pk": AdmissionRequestFactory().pk}


def _student_import(request):
    from accounts.intake.imports import store_upload

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
    # People pages: the office's alone; a teacher, student or guardian gets 403.
    "people:student_list": Row(STAFF),
    "people:student_export": Row(STAFF),
    "people:student_add": Row(STAFF),
    "people:student_detail": Row(STAFF, kwargs=_pk("student")),
    "people:student_edit": Row(STAFF, kwargs=_pk("student")),
    "people:student_deactivate": Row(STAFF, kwargs=_pk("student")),
    "people:student_reactivate": Row(STAFF, kwargs=_pk("student")),
    "people:guardian_list": Row(STAFF),
    "people:guardian_export": Row(STAFF),
    "people:guardian_add": Row(STAFF),
    "people:guardian_detail": Row(STAFF, kwargs=_pk("guardian")),
    "people:guardian_edit": Row(STAFF, kwargs=_pk("guardian")),
    "people:teacher_list": Row(STAFF),
    "people:teacher_export": Row(STAFF),
    "people:teacher_add": Row(STAFF),
    "people:teacher_detail": Row(STAFF, kwargs=_pk("teacher")),
    "people:teacher_edit": Row(STAFF, kwargs=_pk("teacher")),
    "people:person_deactivate": Row(STAFF, kwargs=_pk("teacher")),
    "people:person_reactivate": Row(STAFF, kwargs=_pk("guardian")),
    "people:person_invite": Row(STAFF, kwargs=_pk("student")),
    "people:person_history": Row(STAFF, kwargs=_pk("student")),
    # Ending a person's sessions: GET asks first (the page's button posts directly).
    "people:person_end_sessions": Row(STAFF, kwargs=_pk("guardian")),
    # Everyone's own pages.
    "profile": Row(ALL),
    "profile_edit": Row(ALL),
    # Where one is signed in, at allauth's usersessions address.
    "sessions": Row(ALL),
    # A child's page: their guardian and the student themself (another's id is 404,
    # tested in test_profile.py).
    "profile_student": Row(frozenset({Role.STUDENT, Role.GUARDIAN}), kwargs=_pk("student")),
    "institute_settings": Row(frozenset({Role.ADMIN})),
}
