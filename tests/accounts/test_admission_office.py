"""The office's admission requests: list, detail, accept (once), decline (with a reason)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from accounts.intake import admissions
from accounts.models import AdmissionRequest, Guardianship, Role, Student, User
from attendance.models import Enrollment
from tests.factories import (
    AdmissionRequestFactory,
    BatchFactory,
    EnrollmentFactory,
    GuardianshipFactory,
    StudentFactory,
    UserFactory,
)

LIST = "/people/admissions/"


def detail(admission):
    return f"/people/admissions/{admission.pk}/"


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- list ---------------------------------------------------------------------------------


def test_list_shows_pending_first_oldest_waiting_at_the_top(client, office_user):
    now = timezone.now()
    declined = AdmissionRequestFactory(child_name="Declined Child", created_at=now)
    declined.decline(by=office_user, reason="Duplicate")
    old = AdmissionRequestFactory(child_name="Old Pending", created_at=now - timedelta(days=3))
    new = AdmissionRequestFactory(child_name="New Pending", created_at=now - timedelta(hours=1))
    client.force_login(office_user)
    response = client.get(LIST)
    assert response.status_code == 200
    assert [a.pk for a in response.context["page"].object_list] == [old.pk, new.pk, declined.pk]
    counts = response.context["counts"]
    assert counts == {"all": 3, "pending": 2, "accepted": 0, "declined": 1}
    page = response.content.decode()
    assert page.index("Old Pending") < page.index("New Pending") < page.index("Declined Child")


def test_list_filters_by_status(client, office_user):
    AdmissionRequestFactory(child_name="Waiting")
    AdmissionRequestFactory(child_name="Refused").decline(by=office_user, reason="Full")
    client.force_login(office_user)
    response = client.get(LIST, {"status": "declined"})
    assert [a.child_name for a in response.context["page"].object_list] == ["Refused"]
    # An unknown status shows everything instead of failing.
    assert len(client.get(LIST, {"status": "bogus"}).context["page"].object_list) == 2


def test_list_search_finds_by_child_guardian_email_and_phone(client, office_user):
    AdmissionRequestFactory(child_name="Zoya Qureshi", guardian_email="q@example.test")
    AdmissionRequestFactory(child_name="Neel Bose", guardian_phone="+91 99999 00000")
    client.force_login(office_user)
    for query, expected in [
        ("zoya", "Zoya Qureshi"),
        ("q@ex", "Zoya Qureshi"),
        ("99999", "Neel Bose"),
    ]:
        response = client.get(LIST, {"q": query})
        assert [a.child_name for a in response.context["page"].object_list] == [expected]


def test_list_search_is_an_htmx_fragment(client, office_user):
    AdmissionRequestFactory(child_name="Zoya Qureshi")
    AdmissionRequestFactory(child_name="Neel Bose")
    client.force_login(office_user)
    response = client.get(LIST, {"q": "zoya"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Zoya Qureshi" in body
    assert "Neel Bose" not in body
    assert "<html" not in body
    assert "<h1" not in body
    empty = client.get(LIST, {"q": "nobody"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert "No request matches" in empty.content.decode()


def test_list_page_works_without_javascript(client, office_user):
    client.force_login(office_user)
    page = client.get(LIST).content.decode()
    assert 'method="get" action="/people/admissions/"' in page
    assert 'hx-get="/people/admissions/"' in page


def test_list_paginates(client, office_user):
    AdmissionRequestFactory.create_batch(30)
    client.force_login(office_user)
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 25
    second = client.get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 5


@pytest.mark.parametrize("rows", [10, 200])
def test_list_query_budget_does_not_grow(client, office_user, rows, django_assert_max_num_queries):
    instruments = [AdmissionRequestFactory().instrument for _ in range(3)]
    for n in range(rows):
        admission = AdmissionRequestFactory(instrument=instruments[n % 3])
        if n % 4 == 0:
            admission.decline(by=office_user, reason="No seats")
    client.force_login(office_user)
    # session, user, counts, page count, page rows
    with django_assert_max_num_queries(5):
        response = client.get(LIST)
    assert response.status_code == 200
    with django_assert_max_num_queries(5):
        client.get(LIST, {"q": "a", "status": "pending"}, HTTP_HX_REQUEST="true")


def test_navigation_and_dashboard_lead_to_the_requests(client, office_user, admin_user):
    AdmissionRequestFactory.create_batch(2)
    AdmissionRequestFactory().decline(by=office_user, reason="Moved away")
    for user in (office_user, admin_user):
        client.force_login(user)
        response = client.get("/")
        page = response.content.decode()
        assert response.context["pending_admissions"] == 2
        assert 'href="/people/admissions/"' in page
        assert "admission requests waiting" in page
        assert 'href="/people/students/import/"' in page


# --- detail -------------------------------------------------------------------------------


def test_detail_shows_the_request(client, office_user):
    admission = AdmissionRequestFactory(
        child_name="Ira Kulkarni", preferred_times="Weekday evenings", message="Shy at first"
    )
    client.force_login(office_user)
    response = client.get(detail(admission))
    page = response.content.decode()
    assert response.status_code == 200
    for text in ["Ira Kulkarni", "Weekday evenings", "Shy at first", admission.guardian_email]:
        assert text in page
    assert "Accept and create the student" in page
    assert "Decline the request" in page


def test_detail_of_unknown_request_is_404(client, office_user):
    client.force_login(office_user)
    assert client.get("/people/admissions/999999/").status_code == 404
    assert client.post("/people/admissions/999999/", {"action": "accept"}).status_code == 404


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.GUARDIAN])
def test_other_roles_cannot_decide(client, users_by_role, role):
    admission = AdmissionRequestFactory()
    client.force_login(users_by_role[role])
    assert client.post(detail(admission), {"action": "accept"}).status_code == 403
    assert client.post(detail(admission), {"action": "decline", "reason": "x"}).status_code == 403
    admission.refresh_from_db()
    assert admission.is_pending


def test_anonymous_cannot_decide(client, db):
    admission = AdmissionRequestFactory()
    response = client.post(detail(admission), {"action": "accept"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Student.objects.count() == 0


def test_detail_recognises_a_known_family(client, office_user, guardian, student):
    admission = AdmissionRequestFactory(guardian_email=guardian.email.upper())
    client.force_login(office_user)
    page = client.get(detail(admission)).content.decode()
    assert "A known family" in page
    assert student.full_name in page
    assert student.student.roll_number in page


def test_detail_warns_of_a_possible_duplicate_child(client, office_user, guardian, student):
    admission = AdmissionRequestFactory(guardian_email=guardian.email, child_name=student.full_name)
    client.force_login(office_user)
    assert "Check for a duplicate" in client.get(detail(admission)).content.decode()


def test_detail_warns_when_the_email_belongs_to_staff(client, office_user, teacher):
    admission = AdmissionRequestFactory(guardian_email=teacher.email)
    client.force_login(office_user)
    page = client.get(detail(admission)).content.decode()
    assert "belongs to a teacher account" in page


def test_unknown_action_is_a_bad_request(client, office_user):
    admission = AdmissionRequestFactory()
    client.force_login(office_user)
    assert client.post(detail(admission), {"action": "approve-all"}).status_code == 400


# --- accepting ----------------------------------------------------------------------------


def test_accepting_creates_student_guardian_link_and_invitation(client, office_user):
    admission = AdmissionRequestFactory(
        child_name="Ira Kulkarni",
        guardian_name="Deepa Kulkarni",
        guardian_email="deepa@example.test",
        guardian_phone="+91 98450 11111",
        relation="Mother",
        preferred_times="Saturday mornings",
    )
    client.force_login(office_user)
    response = client.post(detail(admission), {"action": "accept"}, follow=True)
    assert response.status_code == 200
    student = Student.objects.select_related("user").get()
    guardian = User.objects.get(email="deepa@example.test")
    assert student.user.full_name == "Ira Kulkarni"
    assert student.user.email is None
    assert student.date_of_birth == admission.date_of_birth
    assert student.roll_number.startswith("MB-")
    assert "Preferred times: Saturday mornings" in student.notes
    assert guardian.role == Role.GUARDIAN
    assert guardian.full_name == "Deepa Kulkarni"
    assert guardian.phone == "+91 98450 11111"
    assert not guardian.has_usable_password()
    link = Guardianship.objects.get()
    assert (link.student_id, link.guardian_id, link.relation) == (student.pk, guardian.pk, "Mother")
    admission.refresh_from_db()
    assert admission.status == AdmissionRequest.Status.ACCEPTED
    assert admission.decided_by_id == office_user.pk
    assert admission.student_id == student.pk
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["deepa@example.test"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert any(
        "invitation to set a password went to deepa@example.test" in m
        for m in messages_of(response)
    )
    page = response.content.decode()
    assert student.roll_number in page
    assert "Accept and create the student" not in page


def test_accepting_twice_creates_one_student_guardian_and_email(client, office_user):
    admission = AdmissionRequestFactory(guardian_email="deepa@example.test")
    client.force_login(office_user)
    client.post(detail(admission), {"action": "accept"})
    second = client.post(detail(admission), {"action": "accept"}, follow=True)
    assert Student.objects.count() == 1
    assert User.objects.filter(role=Role.GUARDIAN).count() == 1
    assert len(mail.outbox) == 1
    assert any("already accepted by Omana Office" in m for m in messages_of(second))


def test_accept_service_called_twice_raises_already_decided(office_user):
    admission = AdmissionRequestFactory()
    admissions.accept_admission(admission.pk, by=office_user, base_url="http://testserver/")
    with pytest.raises(admissions.AlreadyDecided, match="already accepted"):
        admissions.accept_admission(admission.pk, by=office_user, base_url="http://testserver/")
    assert Student.objects.count() == 1
    assert User.objects.filter(role=Role.GUARDIAN).count() == 1
    assert len(mail.outbox) == 1


def test_sibling_is_linked_to_the_existing_guardian_who_is_told_by_email(
    client, office_user, guardian, student
):
    admission = AdmissionRequestFactory(guardian_email=guardian.email, guardian_name="Someone Else")
    client.force_login(office_user)
    response = client.post(detail(admission), {"action": "accept"}, follow=True)
    assert User.objects.filter(role=Role.GUARDIAN).count() == 1
    new_child = Student.objects.exclude(pk=student.pk).get()
    assert set(
        Guardianship.objects.filter(guardian=guardian).values_list("student", flat=True)
    ) == {
        student.pk,
        new_child.pk,
    }
    assert len(mail.outbox) == 1
    assert "is admitted" in mail.outbox[0].subject
    assert "/accounts/password/reset/key/" not in mail.outbox[0].body
    assert any("Linked to the existing guardian Gita Guardian" in m for m in messages_of(response))


def test_existing_guardian_who_never_set_a_password_gets_an_invitation(office_user):
    parent = UserFactory(role=Role.GUARDIAN, email="parent@example.test")
    parent.set_unusable_password()
    parent.save()
    GuardianshipFactory(guardian=parent)
    admission = AdmissionRequestFactory(guardian_email="parent@example.test")
    admitted = admissions.accept_admission(admission.pk, by=office_user, base_url="http://x/")
    assert admitted.email == "invitation"
    assert not admitted.guardian_created
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.parametrize("role", [Role.TEACHER, Role.OFFICE, Role.STUDENT])
def test_email_of_a_non_guardian_account_is_refused_and_nothing_changes(client, office_user, role):
    UserFactory(role=role, email="taken@example.test", full_name="Already Here")
    admission = AdmissionRequestFactory(guardian_email="taken@example.test")
    client.force_login(office_user)
    response = client.post(detail(admission), {"action": "accept"}, follow=True)
    assert any(f"belongs to a {role.label.lower()} account" in m for m in messages_of(response))
    admission.refresh_from_db()
    assert admission.is_pending
    assert admission.decided_at is None
    assert Student.objects.count() == 0
    assert mail.outbox == []


def test_deactivated_guardian_is_refused(client, office_user):
    UserFactory(role=Role.GUARDIAN, email="gone@example.test", is_active=False)
    admission = AdmissionRequestFactory(guardian_email="gone@example.test")
    client.force_login(office_user)
    response = client.post(detail(admission), {"action": "accept"}, follow=True)
    assert any("is deactivated" in m for m in messages_of(response))
    admission.refresh_from_db()
    assert admission.is_pending
    assert Student.objects.count() == 0


def test_accepting_into_a_batch_enrols_at_the_batch_fee(client, office_user):
    batch = BatchFactory(monthly_fee=Decimal("1800.00"), capacity=2)
    admission = AdmissionRequestFactory(instrument=batch.instrument)
    client.force_login(office_user)
    page = client.get(detail(admission)).content.decode()
    assert f"{batch.name} · {batch.instrument.name} · 2 of 2 seats free" in page
    response = client.post(detail(admission), {"action": "accept", "batch": batch.pk}, follow=True)
    enrollment = Enrollment.objects.get()
    assert enrollment.batch_id == batch.pk
    assert enrollment.monthly_fee == Decimal("1800.00")
    assert enrollment.joined_on == timezone.localdate()
    assert any(f"enrolled in {batch.name}" in m for m in messages_of(response))


def test_full_batch_is_refused_and_nothing_changes(client, office_user):
    batch = BatchFactory(capacity=1)
    EnrollmentFactory(batch=batch)
    EnrollmentFactory(batch=BatchFactory(), student=StudentFactory())  # another batch
    admission = AdmissionRequestFactory()
    client.force_login(office_user)
    assert "full" in client.get(detail(admission)).content.decode()
    response = client.post(detail(admission), {"action": "accept", "batch": batch.pk}, follow=True)
    assert any(f"{batch.name} is full" in m for m in messages_of(response))
    admission.refresh_from_db()
    assert admission.is_pending
    assert Student.objects.count() == 2  # the two enrolled before
    assert mail.outbox == []


@pytest.mark.dates
def test_seat_of_a_student_who_left_is_free_again(office_user):
    batch = BatchFactory(capacity=1)
    today = timezone.localdate()
    EnrollmentFactory(
        batch=batch,
        student__joined_on=today - timedelta(days=30),
        left_on=today - timedelta(days=1),
    )
    admission = AdmissionRequestFactory()
    admitted = admissions.accept_admission(
        admission.pk, by=office_user, base_url="http://x/", batch_id=batch.pk
    )
    assert admitted.enrollment.batch == batch


def test_inactive_batch_is_not_a_choice(client, office_user):
    batch = BatchFactory(is_active=False)
    admission = AdmissionRequestFactory()
    client.force_login(office_user)
    response = client.post(detail(admission), {"action": "accept", "batch": batch.pk})
    assert response.status_code == 200
    assert "batch" in response.context["accept_form"].errors
    admission.refresh_from_db()
    assert admission.is_pending


def test_mail_failure_keeps_the_acceptance_and_says_so(client, office_user, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(admissions, "send_invitation", broken)
    admission = AdmissionRequestFactory()
    client.force_login(office_user)
    response = client.post(detail(admission), {"action": "accept"}, follow=True)
    assert any("could not be sent" in m for m in messages_of(response))
    admission.refresh_from_db()
    assert admission.status == AdmissionRequest.Status.ACCEPTED
    assert Student.objects.count() == 1


# --- declining ----------------------------------------------------------------------------


def test_declining_needs_a_reason(client, office_user):
    admission = AdmissionRequestFactory()
    client.force_login(office_user)
    for reason in ["", "   "]:
        response = client.post(detail(admission), {"action": "decline", "reason": reason})
        assert response.status_code == 200
        assert "reason" in response.context["decline_form"].errors
    too_long = client.post(detail(admission), {"action": "decline", "reason": "r" * 10_000})
    assert "at most 500 characters" in " ".join(too_long.context["decline_form"].errors["reason"])
    admission.refresh_from_db()
    assert admission.is_pending


def test_declining_keeps_the_reason_and_emails_nobody(client, office_user):
    admission = AdmissionRequestFactory()
    client.force_login(office_user)
    response = client.post(
        detail(admission), {"action": "decline", "reason": "We teach no harp."}, follow=True
    )
    admission.refresh_from_db()
    assert admission.status == AdmissionRequest.Status.DECLINED
    assert admission.decline_reason == "We teach no harp."
    assert admission.decided_by_id == office_user.pk
    assert mail.outbox == []
    assert Student.objects.count() == 0
    assert "Reason: We teach no harp." in response.content.decode()


def test_a_decided_request_cannot_be_decided_again(client, office_user, admin_user):
    declined = AdmissionRequestFactory()
    accepted = AdmissionRequestFactory()
    client.force_login(office_user)
    client.post(detail(declined), {"action": "decline", "reason": "Too young"})
    client.post(detail(accepted), {"action": "accept"})
    client.force_login(admin_user)
    for admission, action in [(declined, "accept"), (declined, "decline"), (accepted, "decline")]:
        response = client.post(
            detail(admission), {"action": action, "reason": "again"}, follow=True
        )
        assert any("already" in m and "Nothing was changed" in m for m in messages_of(response))
    declined.refresh_from_db()
    accepted.refresh_from_db()
    assert (declined.status, declined.decline_reason) == ("declined", "Too young")
    assert accepted.status == "accepted"
    assert Student.objects.count() == 1
    assert len(mail.outbox) == 1


def test_decline_model_method_decides_once(office_user, admin_user):
    admission = AdmissionRequestFactory()
    assert admission.decline(by=office_user, reason="Full") is True
    assert AdmissionRequest.objects.get(pk=admission.pk).decline(by=admin_user, reason="x") is False
    with pytest.raises(ValueError):
        AdmissionRequestFactory().decline(by=office_user, reason=" ")


def test_database_refuses_a_declined_request_without_reason(office_user):
    from django.db import IntegrityError, transaction

    admission = AdmissionRequestFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AdmissionRequest.objects.filter(pk=admission.pk).update(
            status="declined", decided_at=timezone.now(), decline_reason=""
        )
