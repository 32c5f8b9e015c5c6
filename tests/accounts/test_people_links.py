"""The office's student and guardian pages lead somewhere (issue 13, item 7): fees,
payments, attendance and classes on a student's page with Record payment, Statement,
Enrol and Edit; each child's balance and the family's on a guardian's page; Record payment
on the statement for the office only. Money stays off any page a role may not see it on,
and each page costs the same number of queries at 1 or many payments, marks, children."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from fees.models import Charge
from fees.services import void_payment
from musicbeats import people
from tests.factories import (
    BatchFactory,
    ChargeFactory,
    EnrollmentFactory,
    GuardianshipFactory,
    LessonFactory,
    MarkFactory,
    PaymentFactory,
    StudentFactory,
    UserFactory,
)


def student_url(student_user):
    return reverse("people:student_detail", args=[student_user.pk])


def desk_url(student_id):
    return f"{reverse('fees:payment_new')}?student={student_id}"


def statement_url(student_id):
    return reverse("fees:student_statement", args=[student_id])


def dues(student, count, amount=Decimal("1000.00")):
    """`count` dues, one per month back from this month, oldest first."""
    month = timezone.localdate().replace(day=1)
    months = []
    for _ in range(count):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return [
        ChargeFactory(
            student=student,
            kind=Charge.Kind.OTHER,
            description=f"Fee for {m:%b %Y}",
            period=m,
            due_on=m.replace(day=10),
            amount=amount,
        )
        for m in reversed(months)
    ]


def marks(student, batch, statuses):
    """One mark a day, back from today, in lessons of `batch`."""
    today = timezone.localdate()
    return [
        MarkFactory(
            lesson=LessonFactory(batch=batch, scheduled_on=today - timedelta(days=i)),
            student=student,
            status=status,
        )
        for i, status in enumerate(statuses)
    ]


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


@pytest.fixture
def pupil(student):
    """The `student` fixture's Student, enrolled in one batch at ₹1,800 a month."""
    profile = student.student
    batch = BatchFactory(name="Veena Tue", monthly_fee=Decimal("1800.00"))
    EnrollmentFactory(student=profile, batch=batch)
    return profile


# --- The student's page ---------------------------------------------------------------


@pytest.mark.dates
@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICE])
def test_student_page_shows_fees_attendance_classes_and_the_actions(client, pupil, role):
    client.force_login(UserFactory(role=role))
    charges = dues(pupil, 2, Decimal("1800.00"))
    payment = PaymentFactory(student=pupil, amount=Decimal("1000.00"))
    batch = pupil.enrollments.select_related("batch__room", "batch__teacher").get().batch
    marks(pupil, batch, ["present", "present", "late", "absent"])

    response = client.get(student_url(pupil.user))
    assert response.status_code == 200
    html = response.content.decode()
    # Balance 3,600 - 1,000; the oldest due is part paid, the newer one open in full.
    assert "₹2,600.00 due" in html
    assert charges[0].description in html and "₹800.00" in html
    assert charges[1].description in html
    # The payment with its receipt link; attendance counts; the class with fee and link.
    assert reverse("fees:payment_detail", args=[payment.pk]) in html
    assert payment.receipt_number in html
    tally = response.context["attendance"]["tally"]
    assert (tally.present, tally.late, tally.absent, tally.excused) == (2, 1, 1, 0)
    assert reverse("rollcall:student", args=[pupil.pk]) in html
    assert reverse("classes:batch_detail", args=[batch.pk]) in html
    assert "₹1,800.00" in html
    # What to do next.
    assert desk_url(pupil.pk) in html
    assert statement_url(pupil.pk) in html
    enrol = f"{reverse('classes:enroll')}?student={pupil.pk}&amp;next="
    assert enrol in html
    assert reverse("people:student_edit", args=[pupil.pk]) in html


def test_record_payment_opens_the_desk_with_the_student_chosen(office, pupil):
    dues(pupil, 1)
    response = office.get(desk_url(pupil.pk))
    assert response.status_code == 200
    assert response.context["student"] == pupil
    assert response.context["account"].balance == Decimal("1000.00")


def test_enrol_link_opens_the_enrolment_with_the_student_fixed(office, pupil):
    response = office.get(f"{reverse('classes:enroll')}?student={pupil.pk}")
    assert response.status_code == 200
    assert pupil.user.full_name in response.content.decode()


def test_a_student_with_nothing_yet_renders_with_empty_sections(office):
    newcomer = StudentFactory(user__full_name="Nila New")
    response = office.get(student_url(newcomer.user))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Settled" in html
    assert "Nothing is due." in html
    assert "No payment yet." in html
    assert "No lesson marked in the last 30 days." in html
    assert "Not enrolled in any batch yet." in html
    assert desk_url(newcomer.pk) in html


@pytest.mark.dates
def test_only_the_oldest_dues_and_latest_payments_show_with_a_link_to_see_all(office, pupil):
    dues(pupil, 8)
    payments = [PaymentFactory(student=pupil, amount=Decimal("10.00")) for _ in range(7)]
    response = office.get(student_url(pupil.user))
    html = response.content.decode()
    assert len(response.context["dues_shown"]) == people.DUES_SHOWN
    assert "See all: 3 more open dues in the statement" in html
    shown = response.context["payments"]
    assert [p.pk for p in shown] == [p.pk for p in reversed(payments)][: people.PAYMENTS_SHOWN]
    assert payments[0].receipt_number not in html


def test_a_credit_and_a_void_payment_read_right(office, pupil):
    payment = PaymentFactory(student=pupil, amount=Decimal("500.00"))
    void = PaymentFactory(student=pupil, amount=Decimal("700.00"))
    void_payment(payment=void, by=UserFactory(role=Role.ADMIN), reason="Typed twice")
    html = office.get(student_url(pupil.user)).content.decode()
    assert "₹500.00 credit" in html
    assert payment.receipt_number in html and void.receipt_number in html
    assert "<del>₹700.00</del>" in html


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.GUARDIAN])
def test_no_one_else_reaches_the_people_pages_or_their_money(client, pupil, guardian, role):
    dues(pupil, 1)
    user = {Role.STUDENT: pupil.user, Role.GUARDIAN: guardian}.get(role) or UserFactory(role=role)
    client.force_login(user)
    for url in (student_url(pupil.user), reverse("people:guardian_detail", args=[guardian.pk])):
        response = client.get(url)
        assert response.status_code == 403
        assert "₹1,000.00" not in response.content.decode()


def test_money_sections_follow_who_may_see_fees(office, pupil, guardian, monkeypatch):
    """The pages hide every amount when the role may not see fees (a teacher, should a
    teacher ever reach them): no balance, dues, payments, fee column or desk link."""
    assert [r for r in Role if people.may_see_fees(UserFactory.build(role=r))] == [
        Role.ADMIN,
        Role.OFFICE,
    ]
    dues(pupil, 1, Decimal("1234.00"))
    PaymentFactory(student=pupil, amount=Decimal("234.00"))
    monkeypatch.setattr(people, "may_see_fees", lambda user: False)
    html = office.get(student_url(pupil.user)).content.decode()
    assert "₹" not in html
    assert "?student=" not in html.replace(f"enrol/?student={pupil.pk}", "")
    assert statement_url(pupil.pk) not in html
    assert "Attendance" in html and "Veena Tue" in html
    html = office.get(reverse("people:guardian_detail", args=[guardian.pk])).content.decode()
    assert "₹" not in html and "Family balance" not in html
    assert desk_url(pupil.pk) not in html


def test_an_unknown_student_or_guardian_is_404(office, teacher):
    assert office.get(student_url(teacher)).status_code == 404
    assert office.get(reverse("people:guardian_detail", args=[teacher.pk])).status_code == 404
    assert office.get("/people/students/999999/").status_code == 404


# --- The guardian's page ----------------------------------------------------------------


def test_guardian_page_shows_each_childs_balance_and_the_familys(office, pupil, guardian):
    sibling = StudentFactory(user__full_name="Tara Sibling")
    GuardianshipFactory(student=sibling, guardian=guardian)
    dues(pupil, 1, Decimal("1500.00"))
    PaymentFactory(student=sibling, amount=Decimal("300.00"))  # a credit
    html = office.get(reverse("people:guardian_detail", args=[guardian.pk])).content.decode()
    assert "₹1,500.00 due" in html
    assert "₹300.00 credit" in html
    assert "₹1,200.00 due" in html  # the family
    for child in (pupil, sibling):
        assert desk_url(child.pk) in html
        assert statement_url(child.pk) in html
        assert student_url(child.user) in html
    assert f"Record payment for {sibling.user.full_name}" in html


def test_a_guardian_with_no_child_renders_without_a_family_balance(office):
    lone = UserFactory(role=Role.GUARDIAN, full_name="Lone Parent")
    html = office.get(reverse("people:guardian_detail", args=[lone.pk])).content.decode()
    assert "Not linked to any student." in html
    assert "Family balance" not in html


# --- The statement ------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_statement_offers_record_payment_to_the_office_only(client, pupil, guardian, role):
    user = {Role.STUDENT: pupil.user, Role.GUARDIAN: guardian}.get(role) or UserFactory(role=role)
    client.force_login(user)
    response = client.get(statement_url(pupil.pk))
    if role == Role.TEACHER:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = desk_url(pupil.pk) in response.content.decode()
    assert shown == (role in (Role.ADMIN, Role.OFFICE))


# --- Query budgets ----------------------------------------------------------------------
# The student's page: session and user (2), the student with guardians and classes (3),
# the fee account (4), latest payments (1), attendance tally and marks (2), the latest
# lesson notes (1), the grade exam entries (1), levels (enrolments, changes, levels; the
# "Set level" list: 4).
BUDGET_STUDENT = 18
# The guardian's page: session and user (2), guardian, children, classes (3), balances (1).
BUDGET_GUARDIAN = 6


def _student_queries(office, pupil, django_assert_max_num_queries, budget):
    with django_assert_max_num_queries(budget) as counted:
        assert office.get(student_url(pupil.user)).status_code == 200
    return len(counted.captured_queries)


@pytest.mark.dates
def test_student_page_costs_the_same_at_one_or_many_payments_and_marks(
    office, pupil, django_assert_max_num_queries
):
    batch = pupil.enrollments.select_related("batch__room", "batch__teacher").get().batch
    dues(pupil, 1)
    PaymentFactory(student=pupil, amount=Decimal("10.00"))
    marks(pupil, batch, ["present"])
    one = _student_queries(office, pupil, django_assert_max_num_queries, BUDGET_STUDENT)

    dues(pupil, 11)  # more months back
    for _ in range(25):
        PaymentFactory(student=pupil, amount=Decimal("10.00"))
    more = BatchFactory()
    EnrollmentFactory(student=pupil, batch=more)
    marks(pupil, more, ["present", "late", "absent", "excused"] * 6)
    many = _student_queries(office, pupil, django_assert_max_num_queries, BUDGET_STUDENT)
    assert many == one, (one, many)


def test_guardian_page_costs_the_same_at_one_or_many_children(
    office, guardian, pupil, django_assert_max_num_queries
):
    url = reverse("people:guardian_detail", args=[guardian.pk])
    dues(pupil, 2)
    with django_assert_max_num_queries(BUDGET_GUARDIAN) as counted:
        assert office.get(url).status_code == 200
    one = len(counted.captured_queries)

    for i in range(12):
        child = StudentFactory(user__full_name=f"Child {i}")
        GuardianshipFactory(student=child, guardian=guardian)
        EnrollmentFactory(student=child)
        dues(child, 2)
        PaymentFactory(student=child, amount=Decimal("100.00"))
    with django_assert_max_num_queries(BUDGET_GUARDIAN) as counted:
        assert office.get(url).status_code == 200
    assert len(counted.captured_queries) == one
