from django.core.management import call_command

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from accounts.models import User


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


def test_seed_demo_large_scale(db):
    call_command("seed_demo", "--scale", "large", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert User.objects.filter(role="student").count() >= 2000
    assert User.objects.filter(role="teacher").count() >= 60
