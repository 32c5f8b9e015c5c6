"""The one student search rule (`accounts.people.selectors.search_students`), used by the
people list, the fee desk, the ledger filter, the enrol picker and the guardian form."""

import pytest

from accounts.models import Role, Student
from accounts.people.selectors import search_students
from tests.factories import GuardianshipFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


def found(q):
    return list(search_students(Student.objects.order_by("pk"), q))


@pytest.fixture
def kavya(db):
    kavya = StudentFactory(
        user__full_name="Kavya Nair",
        user__email="kavya@example.test",
        user__phone="+91 98450-10004",
        roll_number="MB-0042",
    )
    parent = UserFactory(
        role=Role.GUARDIAN,
        full_name="Lakshmi Iyer",
        email="lakshmi@example.test",
        phone="+91 99000 11122",
    )
    GuardianshipFactory(student=kavya, guardian=parent)
    StudentFactory(user__full_name="Someone Else", user__phone="", roll_number="MB-0100")
    return kavya


@pytest.mark.parametrize(
    "q",
    [
        "kavya",  # name
        "NAIR",
        "mb-0042",  # roll number
        "0042",
        "kavya@example",  # email
        "9845010004",  # phone, digits only
        "98450 10004",  # phone as typed, one word
        "+91-98450",
        "lakshmi",  # guardian's name
        "lakshmi@example",  # guardian's email
        "99000 111",  # guardian's phone
        "kavya lakshmi",  # every word, each anywhere
    ],
)
def test_search_finds_by_name_roll_email_phone_and_guardian(kavya, q):
    assert found(q) == [kavya], q


def test_every_word_must_match(kavya):
    StudentFactory(user__full_name="Kavya Other")
    assert found("kavya nair") == [kavya]


def test_blank_search_leaves_the_rows_alone(kavya):
    assert len(found("   ")) == 2


def test_short_digit_runs_are_not_phone_searches(kavya):
    assert found("45 10") == []  # 4510 is in no name, roll, email or phone


def test_two_guardians_matching_give_one_row(kavya):
    other = UserFactory(role=Role.GUARDIAN, full_name="Lakshmi Two")
    GuardianshipFactory(student=kavya, guardian=other)
    assert found("lakshmi") == [kavya]
