"""`/profile/` for every role, and allauth's password and email pages with our User."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import Institute, Role, User
from tests.factories import (
    PASSWORD,
    EnrollmentFactory,
    GuardianshipFactory,
    StudentFactory,
    UserFactory,
)

PROFILE = reverse("profile")
EDIT = reverse("profile_edit")


@pytest.mark.parametrize("role", list(Role))
def test_everyone_sees_their_own_profile_with_links_to_change_things(client, users_by_role, role):
    user = users_by_role[role]
    client.force_login(user)
    page = client.get(PROFILE).content.decode()
    assert user.full_name in page and user.email in page
    for name in ("profile_edit", "account_change_password", "account_email"):
        assert f'href="{reverse(name)}"' in page


@pytest.mark.parametrize("role", list(Role))
def test_everyone_edits_their_own_name_and_phone(client, users_by_role, role):
    user = users_by_role[role]
    client.force_login(user)
    assert client.get(EDIT).status_code == 200
    response = client.post(EDIT, {"full_name": "  New   Name ", "phone": "+91 90000 00001"})
    assert response.status_code == 302
    user = User.objects.get(pk=user.pk)
    assert (user.full_name, user.phone) == ("New Name", "+919000000001")  # E.164
    assert user.role == role


def test_profile_edit_refuses_a_huge_name_and_cannot_change_email_or_role(client, student):
    client.force_login(student)
    response = client.post(EDIT, {"full_name": "z" * 10_000, "phone": ""})
    assert response.status_code == 400
    assert "at most 150 characters" in response.content.decode()
    client.post(EDIT, {"full_name": "Sai", "phone": "", "email": "x@example.test", "role": "admin"})
    user = User.objects.get(pk=student.pk)
    assert (user.email, user.role) == ("student@example.test", Role.STUDENT)


def test_student_sees_own_classes(client, student):
    EnrollmentFactory(student=student.student, batch__name="Tabla Tue")
    client.force_login(student)
    assert "Tabla Tue" in client.get(PROFILE).content.decode()


def test_guardian_sees_each_child_with_their_classes(client, guardian, student):
    sibling = StudentFactory(user__full_name="Sibling Student", user__email=None)
    GuardianshipFactory(student=sibling, guardian=guardian)
    EnrollmentFactory(student=student.student, batch__name="Keyboard Sat")
    EnrollmentFactory(student=sibling, batch__name="Violin Thu")
    client.force_login(guardian)
    for url in (PROFILE, "/"):
        page = client.get(url).content.decode()
        assert "Sai Student" in page and "Sibling Student" in page
        assert "Keyboard Sat" in page and "Violin Thu" in page
    child = client.get(reverse("profile_student", args=[sibling.pk])).content.decode()
    assert "Violin Thu" in child and "Keyboard Sat" not in child


def test_nobody_reaches_another_familys_child_by_changing_the_id(
    client, guardian, student, other_student
):
    other_url = reverse("profile_student", args=[other_student.pk])
    client.force_login(guardian)
    assert client.get(other_url).status_code == 404
    client.force_login(student)
    assert client.get(reverse("profile_student", args=[student.pk])).status_code == 200
    assert client.get(other_url).status_code == 404
    # A guardian's own id, a teacher's, a number that is nobody's: all 404.
    for pk in (guardian.pk, 999999):
        assert client.get(reverse("profile_student", args=[pk])).status_code == 404


@pytest.mark.parametrize("children", [1, 20])
def test_guardian_profile_query_budget(client, db, children, django_assert_max_num_queries):
    parent = UserFactory(role=Role.GUARDIAN)
    for _ in range(children):
        link = GuardianshipFactory(guardian=parent)
        EnrollmentFactory(student=link.student)
        EnrollmentFactory(student=link.student)
    client.force_login(parent)
    Institute.get()
    # session, user, children, enrolments; the institute's currency (money filter) and
    # the children's fee balances (fees)
    with django_assert_max_num_queries(6):
        assert client.get(PROFILE).status_code == 200
    # the dashboard: the same, with each child's dues (fees)
    with django_assert_max_num_queries(6):
        assert client.get("/").status_code == 200


def test_teacher_profile_shows_what_they_teach(client, teacher):
    from tests.factories import BatchFactory, InstrumentFactory

    InstrumentFactory(name="Mridangam").teachers.add(teacher)
    BatchFactory(teacher=teacher, name="Mridangam Sun")
    client.force_login(teacher)
    page = client.get(PROFILE).content.decode()
    assert "Mridangam" in page and "Mridangam Sun" in page
    assert "₹" not in page  # a teacher never sees fees


# --- Password and email through allauth ------------------------------------------------


@pytest.fixture(autouse=True)
def _allauth_fetches_lazily(request, monkeypatch):
    """allauth's own code follows `EmailAddress.user` lazily; the suite's FETCH_RAISE
    guards our views, not the library's, so the email tests let it."""
    if "email" in request.node.name:
        from django.db.models import query as django_query
        from django.db.models.fetch_modes import FETCH_ONE

        monkeypatch.setattr(django_query, "DEFAULT_FETCH_MODE", FETCH_ONE)


def test_password_change_page_works_and_looks_like_ours(client, student):
    client.force_login(student)
    page = client.get(reverse("account_change_password")).content.decode()
    assert "Change your password" in page and 'class="narrow"' in page
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "tanpura-drone-77", "password2": "tanpura-drone-77"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=student.pk).check_password("tanpura-drone-77")


def confirmation_link(message):
    return re.search(r"http://testserver(/accounts/confirm-email/[^\s]+)", message.body).group(1)


def test_a_person_changes_their_email_through_a_confirmation_link(client, guardian):
    client.force_login(guardian)
    page = client.get(reverse("account_email")).content.decode()
    assert "guardian@example.test" in page and "New email address" in page
    response = client.post(
        reverse("account_email"), {"email": "Gita.New@Example.test", "action_add": ""}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=guardian.pk).email == "guardian@example.test"  # not yet
    assert [m.to for m in mail.outbox] == [["gita.new@example.test"]]
    page = client.get(reverse("account_email")).content.decode()
    assert "We sent a confirmation link to" in page
    link = confirmation_link(mail.outbox[0])
    assert "Confirm" in client.get(link).content.decode()
    client.post(link)
    user = User.objects.get(pk=guardian.pk)
    assert user.email == "gita.new@example.test"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [
        "gita.new@example.test"
    ]
    # The old address is told; the old login no longer works, the new one does.
    assert any(m.to == ["guardian@example.test"] for m in mail.outbox[1:])
    client.logout()
    old = client.post(
        reverse("account_login"), {"login": "guardian@example.test", "password": PASSWORD}
    )
    assert old.status_code == 200
    new = client.post(
        reverse("account_login"), {"login": "gita.new@example.test", "password": PASSWORD}
    )
    assert new.status_code == 302


def test_changing_to_an_email_someone_else_logs_in_with_is_refused(client, guardian, teacher):
    client.force_login(guardian)
    client.post(reverse("account_email"), {"email": "TEACHER@example.test", "action_add": ""})
    links = [confirmation_link(m) for m in mail.outbox if "confirm-email" in m.body]
    for link in links:
        response = client.post(link, follow=True)
        assert response.status_code == 200
    assert User.objects.get(pk=guardian.pk).email == "guardian@example.test"
    assert User.objects.get(pk=teacher.pk).email == "teacher@example.test"


def test_the_login_email_cannot_be_removed(client, guardian):
    client.force_login(guardian)
    client.get(reverse("account_email"))  # allauth records the address
    client.post(reverse("account_email"), {"email": guardian.email, "action_remove": ""})
    assert User.objects.get(pk=guardian.pk).email == "guardian@example.test"
    assert EmailAddress.objects.filter(user=guardian, email=guardian.email).exists()


def test_when_the_office_changes_an_email_only_the_new_one_logs_in(client, office_user, guardian):
    client.force_login(guardian)
    client.get(reverse("account_email"))  # allauth has a row for the old address
    client.force_login(office_user)
    response = client.post(
        reverse("people:guardian_edit", args=[guardian.pk]),
        {"full_name": guardian.full_name, "email": "Gita@Family.test", "save": "1"},
    )
    assert response.status_code == 302
    rows = EmailAddress.objects.filter(user=guardian)
    assert list(rows.values_list("email", "verified", "primary")) == [
        ("gita@family.test", True, True)
    ]
    client.logout()
    assert (
        client.post(
            reverse("account_login"), {"login": "guardian@example.test", "password": PASSWORD}
        ).status_code
        == 200
    )
    assert (
        client.post(
            reverse("account_login"), {"login": "gita@family.test", "password": PASSWORD}
        ).status_code
        == 302
    )
    # The person's own email page shows the new address, with nothing pending.
    page = client.get(reverse("account_email")).content.decode()
    assert "gita@family.test" in page and "We sent a confirmation link" not in page


def test_the_email_confirmation_link_works_when_logged_out(client, guardian):
    client.force_login(guardian)
    client.post(reverse("account_email"), {"email": "gita.phone@example.test", "action_add": ""})
    link = confirmation_link(mail.outbox[0])
    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm your email address" in page.content.decode()
    client.post(link)
    assert User.objects.get(pk=guardian.pk).email == "gita.phone@example.test"


def test_a_broken_confirmation_link_says_so(client, guardian):
    client.force_login(guardian)
    response = client.get("/accounts/confirm-email/not-a-key/")
    assert "This confirmation link has expired or is not valid." in response.content.decode()
