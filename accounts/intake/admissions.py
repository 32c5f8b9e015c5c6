"""Online admission: the public form's flood guard, and the office's decision.

A family's request is stored by the public form (`accounts/intake/views/admissions.py`). The
office accepts it here, which creates the student and (unless the family is already
known by the guardian's email) the guardian, links them, optionally enrols the child in a
batch, and emails the guardian. Deciding is claimed first with a conditional UPDATE
(`status = pending` → `accepted`): of two clicks, two tabs or a retry, exactly one
transaction wins; the other changes nothing and is told the request was already decided.
"""

import logging
import time
from dataclasses import dataclass
from smtplib import SMTPException
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.by_name import attendance_models
from accounts.institute.memory import institute_name
from accounts.models import AdmissionRequest, Role, Student, User
from accounts.notifications.service import send_email
from accounts.people.services import create_person, create_student, send_invitation
from accounts.validators import single_line
from musicbeats.client_address import client_key
from musicbeats.enrolment import not_ended_by

if TYPE_CHECKING:  # annotations only: accounts does not import attendance at run time
    from attendance.models import Enrollment

logger = logging.getLogger(__name__)

# The public form accepts this many requests per client address per hour (the shared
# cache counts them, so every worker process sees the same count). The address is the
# real client's behind our proxies (musicbeats/client_address.py), so one family or robot
# never uses up another's allowance.
REQUESTS_PER_HOUR = 5
WINDOW_SECONDS = 60 * 60


# --- flood guard --------------------------------------------------------------------------


def _bucket(request) -> str:
    return f"admission-rate:{client_key(request)}:{int(time.time() // WINDOW_SECONDS)}"


def is_rate_limited(request) -> bool:
    """True when this client has already sent REQUESTS_PER_HOUR requests this hour."""
    return cache.get(_bucket(request), 0) >= REQUESTS_PER_HOUR


def count_submission(request) -> None:
    """Count one real submission against the client. Honeypot posts are not counted:
    they store nothing, and counting them would let a robot use up the allowance of
    the people who share its address."""
    bucket = _bucket(request)
    cache.add(bucket, 0, timeout=WINDOW_SECONDS)
    try:
        cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=WINDOW_SECONDS)


# --- the office's decision -----------------------------------------------------------------


class AdmissionError(Exception):
    """The request cannot be accepted as it stands. Nothing was changed."""


class AlreadyDecided(AdmissionError):
    """Someone (perhaps the same person, a moment ago) decided this request already."""


@dataclass
class Admitted:
    student: Student
    guardian: User
    guardian_created: bool
    enrollment: "Enrollment | None"
    # What the guardian was sent: "invitation" (set a password), "notice" (they can
    # already log in: the new child is on their account), or "failed" (mail server down).
    email: str = ""


def already_decided_message(admission: AdmissionRequest) -> str:
    who = admission.decided_by.full_name if admission.decided_by else "someone"
    when = timezone.localtime(admission.decided_at).strftime("%-d %b %Y, %H:%M")
    return (
        f"This request was already {admission.get_status_display().lower()} by {who} "
        f"on {when}. Nothing was changed."
    )


def existing_guardian(admission: AdmissionRequest) -> User | None:
    """The account that already uses the guardian's email (a sibling's guardian), if any."""
    return User.objects.filter(email=admission.guardian_email.strip().lower()).first()


def guardian_problem(user: User | None) -> str:
    """Why `user` (who holds the guardian's email) cannot become this child's guardian."""
    if user is None:
        return ""
    if user.role != Role.GUARDIAN:
        return (
            f"The email {user.email} belongs to a {user.get_role_display().lower()} account "
            f"({user.full_name}), not a guardian. Ask the family for another email, or "
            "decline the request."
        )
    if not user.is_active:
        return (
            f"The guardian account for {user.email} ({user.full_name}) is deactivated. "
            "Reactivate it first, then accept."
        )
    return ""


def batch_choices(admission: AdmissionRequest | None = None):
    """Active batches with their current enrolment count (`taken`), the requested
    instrument's first."""
    (Batch,) = attendance_models("Batch")
    today = timezone.localdate()
    current = not_ended_by(today, "enrollments__")
    batches = (
        Batch.objects.filter(is_active=True)
        .select_related("instrument")
        .annotate(taken=Count("enrollments", filter=current))
    )
    if admission is not None and admission.instrument_id:
        batches = batches.alias(
            wanted=Case(
                When(instrument_id=admission.instrument_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("wanted", "instrument__name", "name", "id")
    else:
        batches = batches.order_by("instrument__name", "name", "id")
    return batches


def _enrol(student: Student, batch_id: int) -> "Enrollment":
    """Through the one enrolment service (its batch lock, seat count and clash check),
    so acceptance follows the same rules as the batch page."""
    from django.core.exceptions import ValidationError

    from attendance.classes import services as classes

    (Batch,) = attendance_models("Batch")
    batch = Batch.objects.filter(pk=batch_id, is_active=True).first()
    if batch is None:
        raise AdmissionError("That batch is no longer open. Choose another one.")
    try:
        return classes.enroll(student=student, batch=batch, joined_on=student.joined_on)
    except ValidationError as error:
        raise AdmissionError(
            " ".join(error.messages) + " Choose another batch, or accept without one."
        ) from None


def _notes(admission: AdmissionRequest) -> str:
    lines = [f"Admitted from online request #{admission.pk}."]
    if admission.instrument_id:
        lines.append(f"Wants to learn: {admission.instrument.name}.")
    if admission.preferred_times:
        lines.append(f"Preferred times: {admission.preferred_times}")
    if admission.message:
        lines.append(f"Message from the family: {admission.message}")
    return "\n".join(lines)


def _accept(admission_id: int, *, by: User, batch_id: int | None) -> Admitted:
    claimed = AdmissionRequest.objects.filter(
        pk=admission_id, status=AdmissionRequest.Status.PENDING
    ).update(status=AdmissionRequest.Status.ACCEPTED, decided_at=timezone.now(), decided_by=by)
    admission = AdmissionRequest.objects.select_related("instrument", "decided_by").get(
        pk=admission_id
    )
    if not claimed:
        raise AlreadyDecided(already_decided_message(admission))

    guardian = existing_guardian(admission)
    if problem := guardian_problem(guardian):
        raise AdmissionError(problem)
    guardian_created = guardian is None
    if guardian_created:
        guardian = create_person(
            role=Role.GUARDIAN,
            # single_line: a request stored before names were checked may hold a line
            # break, which must not reach a name (or an email subject).
            full_name=single_line(admission.guardian_name),
            email=admission.guardian_email,
            phone=admission.guardian_phone,
        )
    student = create_student(
        full_name=single_line(admission.child_name),
        date_of_birth=admission.date_of_birth,
        notes=_notes(admission),
        guardians=[guardian],
        relation=admission.relation,
    )
    enrollment = _enrol(student, batch_id) if batch_id else None
    AdmissionRequest.objects.filter(pk=admission_id).update(student=student)
    return Admitted(student, guardian, guardian_created, enrollment)


def _tell_family(admitted: Admitted, *, base_url: str) -> str:
    guardian = admitted.guardian
    try:
        if guardian.has_usable_password():
            context = {
                "guardian": guardian,
                "student": admitted.student,
                "enrollment": admitted.enrollment,
                "institute_name": institute_name(),
                "login_url": base_url.rstrip("/") + "/accounts/login/",
            }
            # Through the outbox: recorded here, sent by the task (and retried there).
            send_email(
                guardian.email,
                # One line whatever the names hold: a line break in a header makes the
                # mail library raise ValueError, which once turned Accept into a 500
                # after the student was saved.
                single_line(f"{institute_name()}: {admitted.student.user.full_name} is admitted"),
                render_to_string("accounts/admissions/email_admitted.txt", context),
                user=guardian,
                event=f"account:admitted:{admitted.student.pk}",
            )
            return "notice"
        send_invitation(guardian, base_url=base_url)
        return "invitation"
    except (SMTPException, OSError, ValueError):
        # ValueError: a header the mail library refuses. The acceptance stands either way.
        logger.exception("Admission accepted, but the email to %s failed", guardian.email)
        return "failed"


def accept_admission(
    admission_id: int, *, by: User, base_url: str, batch_id: int | None = None
) -> Admitted:
    """Accept a pending request: student, guardian (new, or the family's existing one),
    the link between them, an enrolment in `batch_id` if given; then email the guardian.

    Raises AlreadyDecided when the request is not pending (nothing changes, no email) and
    AdmissionError when it cannot be accepted as it stands (nothing changes). The email
    goes out after the commit, so a rolled-back acceptance never mails anyone; a mail
    server failure leaves the acceptance in place and says so (`email == "failed"`).
    """
    try:
        with transaction.atomic():
            admitted = _accept(admission_id, by=by, batch_id=batch_id)
    except IntegrityError as error:
        # Another desk created the same guardian email at the same moment.
        logger.warning("Admission %s: integrity error %s", admission_id, error)
        raise AdmissionError(
            "Someone else changed these people at the same moment. Nothing was saved; try again."
        ) from error
    admitted.email = _tell_family(admitted, base_url=base_url)
    return admitted
