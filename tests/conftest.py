import os

import pytest
from django.db.models import query as django_query
from django.db.models.fetch_modes import FETCH_RAISE

from accounts.models import Role
from tests.factories import GuardianshipFactory, StudentFactory, UserFactory

# Live-server browser tests call the ORM from Playwright's event-loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _raise_on_lazy_fetch(monkeypatch):
    """A related object loaded lazily, one row at a time, is an error in tests (N+1)."""
    monkeypatch.setattr(django_query, "DEFAULT_FETCH_MODE", FETCH_RAISE)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN, email="admin@example.test", full_name="Asha Admin")


@pytest.fixture
def office_user(db):
    return UserFactory(role=Role.OFFICE, email="office@example.test", full_name="Omana Office")


@pytest.fixture
def teacher(db):
    return UserFactory(role=Role.TEACHER, email="teacher@example.test", full_name="Tara Teacher")


@pytest.fixture
def other_teacher(db):
    return UserFactory(role=Role.TEACHER, email="teacher2@example.test", full_name="Tanvi Two")


@pytest.fixture
def student(db):
    """A student user (with a `Student` profile: `student.student`)."""
    return StudentFactory(user__email="student@example.test", user__full_name="Sai Student").user


@pytest.fixture
def other_student(db):
    """A student of another family: `student`, `guardian` must never see their data."""
    return StudentFactory(user__email="student2@example.test", user__full_name="Siya Other").user


@pytest.fixture
def guardian(db, student):
    """The guardian of `student`."""
    user = UserFactory(role=Role.GUARDIAN, email="guardian@example.test", full_name="Gita Guardian")
    GuardianshipFactory(student=student.student, guardian=user)
    return user


@pytest.fixture
def users_by_role(admin_user, office_user, teacher, student, guardian):
    return {
        Role.ADMIN: admin_user,
        Role.OFFICE: office_user,
        Role.TEACHER: teacher,
        Role.STUDENT: student,
        Role.GUARDIAN: guardian,
    }


@pytest.fixture
def client_for(client):
    """`client_for(user)` returns the test client logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login
