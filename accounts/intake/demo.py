"""Demo admission requests: a few families waiting for the office, one already declined.

Called by `seed_demo` after `attendance.classes.demo` (requests name instruments). Idempotent:
keyed on the demo requests' guardian emails. `--scale large` adds 500 decided and pending
requests with one bulk insert, for the benchmark of the request list.
"""

import random
from datetime import date, timedelta

from django.utils import timezone

from accounts.by_name import attendance_models
from accounts.demo import CHILD_NAMES, PARENT_NAMES, SURNAMES, phone
from accounts.models import AdmissionRequest, Role, User

DOMAIN = "requests.musicbeats.test"

# (child, age, guardian, relation, instrument, preferred times, message, hours ago)
SMALL = [
    (
        "Ishaan Verma",
        8,
        "Anjali Verma",
        "Mother",
        "Keyboard",
        "Saturday mornings",
        "He plays by ear already.",
        5,
    ),
    ("Meher Hegde", 11, "Girish Hegde", "Father", "Violin", "Weekday evenings after 5", "", 30),
    (
        "Zoya Qureshi",
        6,
        "Farida Qureshi",
        "Mother",
        None,
        "Sunday",
        "Not sure which instrument suits her. Can we try a class?",
        52,
    ),
    (
        "Dhruv Pillai",
        13,
        "Radha Pillai",
        "Grandmother",
        "Tabla",
        "Tuesday or Thursday, 6 pm",
        "",
        80,
    ),
]
DECLINED = (
    "Neel Bose",
    3,
    "Sanjay Bose",
    "Father",
    "Drums",
    "Any",
    "",
    200,
    "Too young for drums: we take children from 6. Suggested the music-and-movement class instead.",
)


def seed(*, scale, password):
    made = seed_small()
    if scale == "large":
        made += seed_large()
    return f"{made} admission requests created"


def _email(name):
    return f"{name.lower().replace(' ', '.')}@{DOMAIN}"


def seed_small() -> int:
    if AdmissionRequest.objects.filter(guardian_email__endswith="@" + DOMAIN).exists():
        return 0
    rng = random.Random(23)
    (Instrument,) = attendance_models("Instrument")
    instruments = {i.name: i for i in Instrument.objects.all()}
    now = timezone.now()
    today = timezone.localdate()
    requests = []
    for child, age, guardian, relation, instrument, times, message, hours, *_ in [*SMALL, DECLINED]:
        requests.append(
            AdmissionRequest(
                child_name=child,
                date_of_birth=today.replace(day=1) - timedelta(days=int(age * 365.25)),
                guardian_name=guardian,
                relation=relation,
                guardian_phone=phone(rng),
                guardian_email=_email(guardian),
                instrument=instruments.get(instrument),
                preferred_times=times,
                message=message,
                created_at=now - timedelta(hours=hours),
            )
        )
    AdmissionRequest.objects.bulk_create(requests)
    office = User.objects.filter(role=Role.OFFICE).order_by("pk").first()
    declined = AdmissionRequest.objects.get(
        child_name=DECLINED[0], guardian_email=_email(DECLINED[2])
    )
    declined.decline(by=office, reason=DECLINED[-1])
    AdmissionRequest.objects.filter(pk=declined.pk).update(decided_at=now - timedelta(hours=150))
    return len(requests)


def seed_large() -> int:
    """500 requests: most decided (declined, so no student is needed), 40 pending."""
    if AdmissionRequest.objects.filter(guardian_email__startswith="large-").exists():
        return 0
    rng = random.Random(5)
    (Instrument,) = attendance_models("Instrument")
    instruments = [*Instrument.objects.all(), None]
    office = User.objects.filter(role=Role.OFFICE).order_by("pk").first()
    now = timezone.now()
    requests = []
    for n in range(500):
        pending = n % 12 == 0
        created = now - timedelta(hours=n * 7)
        requests.append(
            AdmissionRequest(
                child_name=f"{rng.choice(CHILD_NAMES)} {rng.choice(SURNAMES)}",
                date_of_birth=date(2010, 1, 1) + timedelta(days=rng.randrange(0, 4000)),
                guardian_name=f"{rng.choice(PARENT_NAMES)} {rng.choice(SURNAMES)}",
                guardian_phone=phone(rng),
                guardian_email=f"large-{n:04d}@{DOMAIN}",
                instrument=rng.choice(instruments),
                preferred_times="Weekends",
                created_at=created,
                status=AdmissionRequest.Status.PENDING
                if pending
                else AdmissionRequest.Status.DECLINED,
                decided_at=None if pending else created + timedelta(days=2),
                decided_by=None if pending else office,
                decline_reason="" if pending else "No seats at the preferred time.",
            )
        )
    AdmissionRequest.objects.bulk_create(requests, batch_size=500)
    return len(requests)
