"""Writes that touch several rows of people: creating people, invitations, leaving.

Views and imports call these; they validate nothing a form already validates, but they
keep the rows consistent (a student always has a profile and a roll number; an
invitation is only sent to someone who can log in).
"""

from datetime import date

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import DateField, Q, Value
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Guardianship, Role, Student, User


def invitation_link(user: User, *, base_url: str) -> str:
    """An allauth password-reset link: following it lets the person set a password."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path


def send_invitation(user: User, *, base_url: str) -> None:
    """Email `user` a link to set their password, and remember when it was sent.

    `base_url` is the site's address as the office sees it (`request.build_absolute_uri("/")`).
    Sending again (the office's "resend") makes a fresh link; the old one still works
    until a password is set, which invalidates every link.
    """
    if not user.email or not user.is_active:
        raise ValueError("Only an active person with an email can be invited.")
    context = {
        "user": user,
        "link": invitation_link(user, base_url=base_url),
        "institute_name": settings.INSTITUTE_NAME,
    }
    send_mail(
        subject=f"{settings.INSTITUTE_NAME}: set your MusicBeats password",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    user.invited_at = timezone.now()
    user.save(update_fields=["invited_at"])


@transaction.atomic
def create_person(*, role: Role, full_name: str, email: str | None, phone: str = "") -> User:
    """A user of any role. Without an email they have no login (a young child)."""
    return User.objects.create_user(email or None, full_name=full_name, phone=phone, role=role)


@transaction.atomic
def create_student(
    *,
    full_name: str,
    email: str | None = None,
    phone: str = "",
    date_of_birth: date | None = None,
    address: str = "",
    joined_on: date | None = None,
    notes: str = "",
    roll_number: str | None = None,
    guardians: list[User] = (),
    relation: str = "",
) -> Student:
    """A student with their user, a roll number (next free `MB-NNNN` unless given) and
    links to `guardians`."""
    user = create_person(role=Role.STUDENT, full_name=full_name, email=email, phone=phone)
    student = Student.objects.create(
        user=user,
        roll_number=roll_number or Student.next_roll_number(),
        date_of_birth=date_of_birth,
        address=address,
        joined_on=joined_on or timezone.localdate(),
        notes=notes,
    )
    Guardianship.objects.bulk_create(
        [Guardianship(student=student, guardian=g, relation=relation) for g in guardians]
    )
    return student


@transaction.atomic
def deactivate_student(student: Student, *, on: date | None = None) -> None:
    """The student leaves: off rosters and pickers, history kept. Open enrolments end."""
    on = on or timezone.localdate()
    if on < student.joined_on:
        raise ValueError("A student cannot leave before joining.")
    from attendance.models import Enrollment  # classes build on people, not the reverse

    # An enrolment that starts after `on` ends the day it starts (never before it).
    Enrollment.objects.filter(student=student).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on)
    ).update(left_on=Greatest("joined_on", Value(on, output_field=DateField())))
    student.left_on = on
    student.save(update_fields=["left_on"])
    student.user.is_active = False
    student.user.save(update_fields=["is_active"])


@transaction.atomic
def reactivate_student(student: Student) -> None:
    """The student comes back. Enrolments are not reopened: the office enrols anew."""
    student.left_on = None
    student.save(update_fields=["left_on"])
    student.user.is_active = True
    student.user.save(update_fields=["is_active"])
