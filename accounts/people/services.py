"""Writes that touch several rows of people: creating people, invitations, leaving.

Views and imports call these; they validate nothing a form already validates, but they
keep the rows consistent (a student always has a profile and a roll number; an
invitation is only sent to someone who can log in).
"""

import uuid
from datetime import date, timedelta

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.db import transaction
from django.db.models import DateField, Value
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.by_name import attendance_models
from accounts.institute.memory import institute_name
from accounts.models import Guardianship, Role, Student, User
from accounts.notifications.service import send_email
from accounts.sessions.services import end_sessions
from accounts.validators import single_line
from musicbeats.enrolment import not_ended_by


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
        "institute_name": institute_name(),
    }
    # Through the outbox: recorded here, sent by the task (a mail server that is down
    # leaves the row to be retried, never an error on the office's page).
    send_email(
        user.email,
        single_line(f"{institute_name()}: set your MusicBeats password"),
        render_to_string("accounts/email/invitation.txt", context),
        user=user,
        event=f"account:invitation:{user.pk}:{uuid.uuid4().hex}",
    )
    user.invited_at = timezone.now()
    user.save(update_fields=["invited_at"])


@transaction.atomic
def create_person(
    *, role: Role, full_name: str, email: str | None, phone: str = "", phone_login: bool = False
) -> User:
    """A user of any role. Without an email they have no login (a young child) unless
    they sign in with their phone (`phone_login`, families only)."""
    return User.objects.create_user(
        email or None, full_name=full_name, phone=phone, role=role, phone_login=phone_login
    )


@transaction.atomic
def create_student(
    *,
    full_name: str,
    email: str | None = None,
    phone: str = "",
    phone_login: bool = False,
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
    user = create_person(
        role=Role.STUDENT, full_name=full_name, email=email, phone=phone, phone_login=phone_login
    )
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
    """The student leaves: off rosters and pickers, history kept. Open enrolments end,
    and so do all their sessions."""
    on = on or timezone.localdate()
    if on < student.joined_on:
        raise ValueError("A student cannot leave before joining.")
    (Enrollment,) = attendance_models("Enrollment")  # classes build on people, not the reverse

    # An enrolment that starts after `on` ends the day it starts (never before it).
    Enrollment.objects.filter(student=student).filter(not_ended_by(on + timedelta(days=1))).update(
        left_on=Greatest("joined_on", Value(on, output_field=DateField()))
    )
    student.left_on = on
    student.save(update_fields=["left_on"])
    student.user.is_active = False
    student.user.save(update_fields=["is_active"])
    end_sessions(student.user)


@transaction.atomic
def reactivate_student(student: Student) -> None:
    """The student comes back. Enrolments are not reopened: the office enrols anew.
    They sign in afresh: no session from before revives."""
    student.left_on = None
    student.save(update_fields=["left_on"])
    student.user.is_active = True
    student.user.save(update_fields=["is_active"])
    # Sessions from before leaving never come back to life (deactivation ended them;
    # this ends any that escaped, e.g. made by the admin site meanwhile).
    end_sessions(student.user)


# --- People pages: editing people, guardians, teachers, login emails -------------------
#
# The office's forms validate the input; these keep the rows consistent (links, the
# login email allauth looks up, who teaches what) and refuse what the database cannot
# say by itself. A refusal is a `ValueError` whose message the page shows as it is.


def email_in_use(email: str, *, exclude: User | None = None) -> bool:
    """True when another person already logs in with `email` (in any letter case)."""
    people = User.objects.filter(email__iexact=email.strip())
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return people.exists()


def sync_login_email(user: User) -> None:
    """Make allauth's `EmailAddress` rows say what `user.email` says.

    The office sets a person's email; allauth logs people in and resets passwords through
    its own table. An address the office entered counts as verified (the institute knows
    the family, and the invitation link goes to it); any older or half-changed address
    of the person is forgotten so it can neither log in nor be "confirmed" later.
    """
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(user=user)
    if not user.email:
        addresses.delete()
        return
    addresses.exclude(email=user.email).delete()
    updated = addresses.filter(email=user.email).update(verified=True, primary=True)
    if not updated:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


def _normal_email(email: str | None) -> str | None:
    return User.objects.normalize_email(email).strip().lower() if email else None


@transaction.atomic
def update_person(
    user: User, *, full_name: str, phone: str, email: str | None = ..., phone_login: bool = ...
) -> bool:
    """Change a person's name, phone and (unless left out) email and sign-in phone
    switch. True when the email changed: the caller then invites them at the new address
    if they have no password.
    """
    changed_email = False
    if email is not ...:
        email = _normal_email(email)
        if email and email_in_use(email, exclude=user):
            raise ValueError("This email address is already in use by another person.")
        changed_email = email != user.email
        user.email = email
    user.full_name = full_name
    user.phone = phone
    if phone_login is not ...:
        user.phone_login = phone_login
    user.save()
    if changed_email:
        sync_login_email(user)
    return changed_email


def _set_links(*, student: Student, guardians: list[tuple[User, str]]) -> None:
    """`student`'s guardians become exactly `guardians` ((guardian, relation) pairs).

    Removed links are deleted (a link is not a person; its history keeps it).
    """
    wanted = {guardian.pk: relation for guardian, relation in guardians}
    current = {link.guardian_id: link for link in student.guardianships.all()}
    for guardian_id, link in current.items():
        if guardian_id not in wanted:
            link.delete()
        elif link.relation != wanted[guardian_id]:
            link.relation = wanted[guardian_id]
            link.save(update_fields=["relation"])
    Guardianship.objects.bulk_create(
        [
            Guardianship(student=student, guardian_id=guardian_id, relation=relation)
            for guardian_id, relation in wanted.items()
            if guardian_id not in current
        ]
    )


def _check_guardians(guardians) -> None:
    for guardian, _relation in guardians:
        if guardian.role != Role.GUARDIAN or not guardian.is_active:
            raise ValueError(f"{guardian.full_name} is not an active guardian.")


@transaction.atomic
def add_student(
    *,
    full_name: str,
    email: str | None,
    phone: str,
    date_of_birth: date | None,
    address: str,
    joined_on: date,
    notes: str,
    phone_login: bool = False,
    guardians: list[tuple[User, str]] = (),
    new_guardian: dict | None = None,
) -> tuple[Student, User | None]:
    """The office adds a student, linked to existing guardians and, when `new_guardian`
    (full_name, email, phone, relation) is given, to a guardian made with them.

    Returns the student and the new guardian (or None). Nothing is stored when any part
    is refused.
    """
    email = _normal_email(email)
    if email and email_in_use(email):
        raise ValueError("This email address is already in use by another person.")
    guardians = list(guardians)
    _check_guardians(guardians)
    made_guardian = None
    if new_guardian:
        made_guardian = add_guardian(
            full_name=new_guardian["full_name"],
            email=new_guardian.get("email"),
            phone=new_guardian.get("phone", ""),
            phone_login=new_guardian.get("phone_login", False),
        )
        guardians.append((made_guardian, new_guardian.get("relation", "")))
    student = create_student(
        full_name=full_name,
        email=email,
        phone=phone,
        phone_login=phone_login,
        date_of_birth=date_of_birth,
        address=address,
        joined_on=joined_on,
        notes=notes,
    )
    if email:
        sync_login_email(student.user)
    _set_links(student=student, guardians=guardians)
    return student, made_guardian


@transaction.atomic
def update_student(
    student: Student,
    *,
    full_name: str,
    email: str | None,
    phone: str,
    date_of_birth: date | None,
    address: str,
    joined_on: date,
    notes: str,
    guardians: list[tuple[User, str]],
    new_guardian: dict | None = None,
    phone_login: bool = ...,
) -> tuple[bool, User | None]:
    """Edit a student (`student` fetched with its user). Returns (email changed, the new
    guardian or None)."""
    if student.left_on and joined_on > student.left_on:
        raise ValueError("The joining date cannot be after the date the student left.")
    (Enrollment,) = attendance_models("Enrollment")

    first = (
        Enrollment.objects.filter(student=student)
        .order_by("joined_on")
        .values_list("joined_on", flat=True)
        .first()
    )
    if first and joined_on > first:
        raise ValueError(
            f"The joining date cannot be after their first enrolment ({first:%d %b %Y})."
        )
    guardians = list(guardians)
    # A guardian who was deactivated stays linked; only new links must be active.
    linked = {link.guardian_id for link in student.guardianships.all()}
    _check_guardians([(g, r) for g, r in guardians if g.pk not in linked])
    made_guardian = None
    if new_guardian:
        made_guardian = add_guardian(
            full_name=new_guardian["full_name"],
            email=new_guardian.get("email"),
            phone=new_guardian.get("phone", ""),
            phone_login=new_guardian.get("phone_login", False),
        )
        guardians.append((made_guardian, new_guardian.get("relation", "")))
    changed_email = update_person(
        student.user, full_name=full_name, phone=phone, email=email, phone_login=phone_login
    )
    student.date_of_birth = date_of_birth
    student.address = address
    student.joined_on = joined_on
    student.notes = notes
    student.save()
    _set_links(student=student, guardians=guardians)
    return changed_email, made_guardian


@transaction.atomic
def add_guardian(
    *, full_name: str, email: str | None, phone: str = "", phone_login: bool = False
) -> User:
    """A guardian (family account). With an email they can log in once invited."""
    email = _normal_email(email)
    if email and email_in_use(email):
        raise ValueError("This email address is already in use by another person.")
    guardian = create_person(
        role=Role.GUARDIAN, full_name=full_name, email=email, phone=phone, phone_login=phone_login
    )
    if email:
        sync_login_email(guardian)
    return guardian


@transaction.atomic
def set_wards(guardian: User, *, students: list[tuple[Student, str]]) -> None:
    """`guardian` is linked to exactly `students` ((student, relation) pairs)."""
    wanted = {student.pk: relation for student, relation in students}
    current = {link.student_id: link for link in guardian.guardianships.all()}
    for student, _relation in students:
        if student.pk not in current and not student.user.is_active:
            raise ValueError(f"{student.user.full_name} has left: link active students.")
    for student_id, link in current.items():
        if student_id not in wanted:
            link.delete()
        elif link.relation != wanted[student_id]:
            link.relation = wanted[student_id]
            link.save(update_fields=["relation"])
    Guardianship.objects.bulk_create(
        [
            Guardianship(student_id=student_id, guardian=guardian, relation=relation)
            for student_id, relation in wanted.items()
            if student_id not in current
        ]
    )


@transaction.atomic
def add_teacher(*, full_name: str, email: str | None, phone: str = "", instruments=()) -> User:
    """A teacher, with the instruments they teach."""
    email = _normal_email(email)
    if email and email_in_use(email):
        raise ValueError("This email address is already in use by another person.")
    teacher = create_person(role=Role.TEACHER, full_name=full_name, email=email, phone=phone)
    if email:
        sync_login_email(teacher)
    teacher.instruments_taught.set(instruments)
    return teacher


@transaction.atomic
def update_teacher(
    teacher: User, *, full_name: str, email: str | None, phone: str, instruments
) -> bool:
    """Edit a teacher and what they teach. True when the email changed."""
    changed = update_person(teacher, full_name=full_name, phone=phone, email=email)
    teacher.instruments_taught.set(instruments)
    return changed


@transaction.atomic
def deactivate_person(user: User) -> None:
    """A teacher or guardian leaves: no login (their sessions end), off pickers,
    history kept.

    A teacher who still teaches an active batch is refused: the office gives the batch
    to someone else (or closes it) first, so no roster loses its teacher silently.
    """
    if user.role == Role.STUDENT:
        raise ValueError("Students leave with a leaving date: use deactivate_student.")
    if user.role == Role.TEACHER:
        (Batch,) = attendance_models("Batch")

        names = list(
            Batch.objects.filter(teacher=user, is_active=True).values_list("name", flat=True)[:6]
        )
        if names:
            raise ValueError(
                "This teacher still teaches active batches: "
                + ", ".join(names[:5])
                + ("…" if len(names) > 5 else "")
                + ". Give them to another teacher or close them first."
            )
    user.is_active = False
    user.save(update_fields=["is_active"])
    end_sessions(user)


@transaction.atomic
def reactivate_person(user: User) -> None:
    """A teacher or guardian comes back, signing in afresh (no old session revives)."""
    user.is_active = True
    user.save(update_fields=["is_active"])
    end_sessions(user)
