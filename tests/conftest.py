import os
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import query as django_query
from django.db.models.fetch_modes import FETCH_RAISE
from django.test import Client

from accounts.models import Role
from tests.clock import DEFAULT_NOW, label, parse_instants
from tests.factories import GuardianshipFactory, StudentFactory, UserFactory

# Live-server browser tests call the ORM from Playwright's event-loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_addoption(parser):
    parser.addoption(
        "--as-of",
        default=os.environ.get("MUSICBEATS_TEST_NOW", ""),
        help=(
            "run the suite as of an instant in Asia/Kolkata: 2027-04-01T00:30, several "
            "separated by commas, 'edges', 'database-edges' or 'now' "
            f"(default {DEFAULT_NOW}; see tests/clock.py)"
        ),
    )


def pytest_configure(config):
    config.musicbeats_instants = parse_instants(config.getoption("--as-of"))


def pytest_report_header(config):
    instants = ", ".join(label(i) for i in config.musicbeats_instants)
    return f"musicbeats clock: {instants} (Asia/Kolkata)"


def pytest_generate_tests(metafunc):
    """With several instants, each date-sensitive test runs once per instant."""
    instants = metafunc.config.musicbeats_instants
    if len(instants) > 1 and metafunc.definition.get_closest_marker("dates"):
        metafunc.parametrize("_clock", instants, indirect=True, ids=label)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Query-budget tests carry the `budget` mark: the date runs leave them out (their
    sizes, not the day, are what they vary; they run at the pinned instant)."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "django_assert_max_num_queries" in names or "django_assert_num_queries" in names:
            item.add_marker(pytest.mark.budget)


@pytest.fixture(autouse=True)
def _clock(request):
    """Every test runs at a pinned instant (ticking from there), never at the real today."""
    instants = request.config.musicbeats_instants
    if hasattr(request, "param"):
        instant = request.param
    elif len(instants) == 1:
        instant = instants[0]
    else:  # several instants: unmarked tests run once, at the default
        instant = parse_instants("")[0]
    if instant is None:  # --as-of now
        yield None
        return
    # The same instant as a UTC ZoneInfo: time-machine then sets the process's TZ to UTC, as on
    # a server whose clock runs in UTC, so product code that asks the machine for today
    # (date.today(), a naive datetime.now()) instead of timezone.localdate() goes wrong
    # between 00:00 and 05:30 IST here too.
    with time_machine.travel(instant.astimezone(ZoneInfo("UTC")), tick=True):
        yield instant


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


@pytest.fixture(autouse=True)
def _staff_logins_count_as_two_factor(request):
    """Admin and office must have an authenticator app (accounts/twofactor/). The suite's
    fixtures log staff in with force_login or a password, so every login here counts as
    having one, in this one place. Tests of the rule itself carry `@pytest.mark.two_factor`
    and get the real decision (tests/accounts/test_two_factor.py, test_mfa_browser.py)."""
    if request.node.get_closest_marker("two_factor"):
        yield
        return
    from django.contrib.auth.signals import user_logged_in

    from accounts.twofactor.state import SESSION_KEY

    def mark(sender, request, user, **kwargs):
        if hasattr(request, "session"):
            request.session[SESSION_KEY] = True

    user_logged_in.connect(mark, dispatch_uid="tests-two-factor")
    yield
    user_logged_in.disconnect(dispatch_uid="tests-two-factor")


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


@pytest.fixture(params=[Role.ADMIN, Role.OFFICE])
def staff(request, users_by_role):
    """A client for each staff role in turn (admin, then office) that shows a 500 as a
    response instead of raising it (the id-parameter tests look for none)."""
    client = Client(raise_request_exception=False)
    client.force_login(users_by_role[request.param])
    return client


@pytest.fixture(autouse=True)
def text_outbox():
    """The texts (SMS/WhatsApp) sent in this test, like django.core.mail.outbox."""
    from accounts.notifications import channels

    channels.outbox.clear()
    yield channels.outbox
    channels.outbox.clear()
