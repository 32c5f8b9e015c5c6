from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_small
from accounts.models import Student, User


def test_seed_demo_creates_the_demo_accounts_and_is_idempotent(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = list(User.objects.order_by("email").values_list("email", "role", "password"))
    assert len(first) >= 10
    for email, _name, _phone, role in DEMO_ACCOUNTS:
        user = User.objects.get(email=email)
        assert user.role == role
        assert user.check_password(DEMO_PASSWORD)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(User.objects.order_by("email").values_list("email", "role", "password")) == first


def test_seed_demo_if_empty_leaves_a_used_database_alone(db, office_user):
    call_command("seed_demo", "--if-empty", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert User.objects.count() == 1


# The large institute (200,000 payments, 500,000 marks) takes many minutes, most on
# PostgreSQL: a slow variant, run by `make soak` (and seeded by every `make bench`).
@pytest.mark.soak
def test_seed_demo_large_scale(db):
    call_command("seed_demo", "--scale", "large", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert User.objects.filter(role="student").count() >= 2000
    assert User.objects.filter(role="teacher").count() >= 60


def test_demo_dates_count_from_the_institutes_day_on_a_utc_machine(db):
    """00:30 on 1 January in Kolkata, on a server whose clock is in UTC (still 31
    December there): the demo's dates count from the institute's day."""
    with time_machine.travel(datetime(2026, 12, 31, 19, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        seed_small(DEMO_PASSWORD)
    kavya = Student.objects.get(user__email="student@musicbeats.test")
    assert kavya.joined_on == date(2027, 1, 1) - timedelta(days=400)
