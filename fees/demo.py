"""Demo fees: a year of monthly dues, one-off charges, concessions, late fees and payments
for the small institute (through the services, so every rule holds); `--scale large`
adds a fee history of 200,000+ payments with bulk inserts. Called by `seed_demo` after
`attendance.classes.demo`; idempotent.

Families behave differently: most pay each month (cash, UPI, card, bank transfer,
cheque), some pay late or in part, a few have stopped paying (overdue); one cheque
bounced and one payment was entered for the wrong student (both voided and recorded
anew). The demo student Kavya and her brother Aditya (the demo guardian's children)
pay regularly; this month's fees are still open.
"""

import random
import time
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from decimal import ROUND_HALF_UP, Decimal

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from accounts.demo import LARGE_DOMAIN
from accounts.models import Counter, Institute, Student, User
from fees import services
from fees.models import Allocation, Charge, Payment
from musicbeats.dates import financial_year_label, month_start, next_month

METHODS = [
    (Payment.Method.CASH, 40),
    (Payment.Method.UPI, 40),
    (Payment.Method.CARD, 5),
    (Payment.Method.BANK, 10),
    (Payment.Method.CHEQUE, 5),
]


def seed(*, scale, password):
    started, cpu = time.perf_counter(), time.process_time()
    made = seed_small()
    if scale == "large":
        made += seed_large()
    return (
        f"{made} payments created in {time.perf_counter() - started:.1f} s "
        f"({time.process_time() - cpu:.1f} s of CPU)"
    )


def _months_back(today: date, count: int) -> list[date]:
    months, month = [], month_start(today)
    for _ in range(count):
        months.append(month)
        month = month_start(month - timedelta(days=1))
    return list(reversed(months))


def _method(rng):
    return rng.choices([m for m, _w in METHODS], weights=[w for _m, w in METHODS])[0]


def _reference(rng, method):
    if method == Payment.Method.UPI:
        return f"UPI{rng.randrange(10**11, 10**12)}"
    if method == Payment.Method.BANK:
        return f"NEFT-UTR{rng.randrange(10**9, 10**10)}"
    if method == Payment.Method.CHEQUE:
        return f"CHQ {rng.randrange(100000, 999999)}"
    if method == Payment.Method.CARD:
        return f"APPR {rng.randrange(100000, 999999)}"
    return ""


def _institute_details():
    institute = Institute.get()
    changed = []
    for field, value in [
        ("address", "12, 4th Cross, Malleswaram\nBengaluru 560003"),
        ("phone", "+91 80 2334 5566"),
        ("email", "office@musicbeats.test"),
        ("upi_id", "musicbeats@okhdfcbank"),
    ]:
        if not getattr(institute, field):
            setattr(institute, field, value)
            changed.append(field)
    if not institute.late_fee:
        institute.late_fee = Decimal("100.00")
        changed.append("late_fee")
    if changed:
        institute.save(update_fields=changed)


def seed_small() -> int:
    kavya = Student.objects.filter(user__email="student@musicbeats.test").first()
    if kavya is None or Payment.objects.filter(student=kavya).exists():
        return 0
    _institute_details()
    rng = random.Random(2026)
    office = User.objects.get(email="office@musicbeats.test")
    admin = User.objects.get(email="admin@musicbeats.test")
    today = timezone.localdate()
    months = _months_back(today, 12)
    aditya = Student.objects.get(user__full_name="Aditya Nair")
    # The small institute only (the large one, if seeded, has its own history below).
    small = Student.objects.exclude(guardianships__guardian__email__endswith="@" + LARGE_DOMAIN)
    students = list(small.order_by("roll_number"))
    from attendance.models import Enrollment

    enrollments = Enrollment.objects.filter(student__in=small)
    for month in months:
        services.generate_dues(month=month, enrollments=enrollments)
    _one_off_charges(students, months[0], office)
    # How each family pays: most on time, some late or in part, a few have stopped.
    habit = {
        student.pk: "regular"
        if student.pk in (kavya.pk, aditya.pk)
        else ["regular", "regular", "regular", "late", "partial", "stopped"][i % 6]
        for i, student in enumerate(students)
    }
    # Pay month by month, oldest dues first, as the fee desk would (the allocations are
    # worked out here and inserted in bulk: the services would take a minute).
    open_dues = defaultdict(list)  # student → [[charge_id, period, open amount]]
    charges = Charge.objects.filter(student__in=small).order_by("due_on", "pk")
    for pk, student_id, period, amount in charges.values_list(
        "pk", "student_id", "period", "amount"
    ):
        open_dues[student_id].append([pk, period, amount])
    planned = []  # (paid_on, student_id, amount, [(charge_id, amount)], void)
    for index, month in enumerate(months):
        current = month == month_start(today)
        for student in students:
            kind = habit[student.pk]
            if current and student.pk in (kavya.pk, aditya.pk):
                continue
            if kind == "stopped" and index >= len(months) - 3:
                continue
            dues = [d for d in open_dues[student.pk] if d[1] <= month and d[2] > 0]
            owed = sum((d[2] for d in dues), Decimal(0))
            if owed <= 0:
                continue
            if kind == "partial":
                owed = (owed * Decimal(rng.choice(["0.5", "0.6", "0.75"]))).quantize(
                    Decimal("1"), rounding=ROUND_HALF_UP
                )
            day = rng.randrange(2, 12) if kind != "late" else rng.randrange(14, 28)
            paid_on = month.replace(day=day)
            if paid_on > today:
                continue
            left, parts = owed, []
            for due in dues:
                take = min(left, due[2])
                if take > 0:
                    parts.append((due[0], take))
                    due[2] -= take
                    left -= take
            planned.append((paid_on, student.pk, owed, parts, False))
    planned.sort(key=lambda p: (p[0], p[1]))
    made = _insert_payments(rng, planned, office)
    made += _mistakes(students, months[-4], office, admin, today)
    _concessions(aditya, students, admin)
    previous = months[-2]
    services.apply_late_fees(
        month=previous,
        by=office,
        student_ids=[
            p.student.pk
            for p in services.plan_late_fees(previous, today=today)
            if p.student.pk in habit
        ],
        today=today,
    )
    return made


def _insert_payments(rng, planned, office) -> int:
    """Insert payments with their allocations and receipt numbers (in date order), and
    move the receipt counters past them.

    A raw `executemany` with ids chosen here: for 200,000 rows Django's `bulk_create`
    spends most of a minute building SQL. The values go through the backend's own
    adapters (dates, datetimes, UUIDs), and the sequences are reset afterwards.
    """
    ops = connection.ops
    sequence = _receipt_counters_start()
    now = timezone.now()
    noon = dt_time(11)
    key_field = Payment._meta.get_field("idempotency_key")
    next_payment = (Payment.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    next_allocation = (Allocation.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    payments, allocations = [], []
    for paid_on, student_id, amount, parts, void in planned:
        year = financial_year_label(paid_on)
        sequence[year] += 1
        method = _method(rng)
        at = ops.adapt_datetimefield_value(
            min(now, timezone.make_aware(datetime.combine(paid_on, noon)))
        )
        payments.append(
            (
                next_payment,
                student_id,
                amount,
                ops.adapt_datefield_value(paid_on),
                method,
                _reference(rng, method),
                "",
                services.receipt_number(year, sequence[year]),
                year,
                sequence[year],
                key_field.get_db_prep_value(uuid.uuid4(), connection),
                office.pk,
                at,
                at if void else None,
                office.pk if void else None,
                "Entered twice" if void else "",
            )
        )
        if not void:
            for charge_id, part in parts:
                allocations.append((next_allocation, next_payment, charge_id, part, at))
                next_allocation += 1
        next_payment += 1
    _executemany(
        Payment,
        [
            "id",
            "student",
            "amount",
            "paid_on",
            "method",
            "reference",
            "remarks",
            "receipt_number",
            "financial_year",
            "receipt_sequence",
            "idempotency_key",
            "recorded_by",
            "recorded_at",
            "voided_at",
            "voided_by",
            "void_reason",
        ],
        payments,
    )
    _executemany(Allocation, ["id", "payment", "charge", "amount", "created_at"], allocations)
    with connection.cursor() as cursor:
        for sql in ops.sequence_reset_sql(no_style(), [Payment, Allocation]):
            cursor.execute(sql)
    for year, value in sequence.items():
        Counter.objects.bulk_create([Counter(key=f"receipt:{year}")], ignore_conflicts=True)
        Counter.objects.filter(key=f"receipt:{year}", value__lt=value).update(value=value)
    return len(payments)


def _executemany(model, fields, rows, batch=5000):
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in fields
    )
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names from the model)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start : start + batch])


def _one_off_charges(students, month, office):
    """Admission, exam and rental charges (before any payment: no credit to settle)."""
    rows = []
    for every, start, kind, amount, text, day in [
        (3, 0, Charge.Kind.ADMISSION, "1000.00", "Admission fee", 5),
        (5, 1, Charge.Kind.EXAM, "2500.00", "Trinity exam fee", 20),
        (9, 2, Charge.Kind.RENTAL, "600.00", "Violin rental (3 months)", 15),
    ]:
        rows += [
            Charge(
                student=student,
                kind=kind,
                period=month,
                due_on=month.replace(day=day),
                description=text,
                amount=Decimal(amount),
                created_by=office,
            )
            for student in students[start::every]
        ]
    Charge.objects.bulk_create(rows)


def _mistakes(students, month, office, admin, today):
    """A bounced cheque and a payment entered for the wrong student: voided, redone."""
    made = 0
    payer, other = students[5], students[6]
    day = min(month.replace(day=25), today)
    bounced, _ = services.record_payment(
        student=payer,
        amount=Decimal("1500.00"),
        method=Payment.Method.CHEQUE,
        reference="CHQ 004512",
        paid_on=day,
        recorded_by=office,
        idempotency_key=uuid.uuid4(),
    )
    services.void_payment(payment=bounced, by=admin, reason="Cheque returned unpaid by the bank")
    wrong, _ = services.record_payment(
        student=other,
        amount=Decimal("1200.00"),
        method=Payment.Method.CASH,
        paid_on=day,
        recorded_by=office,
        idempotency_key=uuid.uuid4(),
    )
    services.void_payment(payment=wrong, by=office, reason="Entered against the wrong student")
    services.record_payment(
        student=students[7],
        amount=Decimal("1200.00"),
        method=Payment.Method.CASH,
        paid_on=day,
        recorded_by=office,
        remarks="Re-entered: first entry was against the wrong student",
        idempotency_key=uuid.uuid4(),
    )
    made += 3
    return made


def _concessions(aditya, students, admin):
    for charge in Charge.objects.filter(student=aditya, kind=Charge.Kind.MONTHLY).order_by(
        "-period"
    )[:3]:
        services.grant_concession(
            charge=charge,
            amount=(charge.amount / 10).quantize(Decimal("0.01")),
            kind=Charge.ConcessionKind.SIBLING,
            reason="Second child of the family: 10% off",
            by=admin,
        )
    scholar = students[10]
    for charge in Charge.objects.filter(student=scholar, kind=Charge.Kind.MONTHLY).order_by(
        "-period"
    )[:2]:
        services.grant_concession(
            charge=charge,
            amount=(charge.amount / 2).quantize(Decimal("0.01")),
            kind=Charge.ConcessionKind.SCHOLARSHIP,
            reason="Merit scholarship, half fee",
            by=admin,
        )


# The large institute -----------------------------------------------------------------

LARGE_TARGET = 200_000


def seed_large() -> int:
    """A fee history for the large institute: monthly dues from each student's joining,
    paid in one to several instalments (bulk inserts; receipt counters set to match)."""
    if Payment.objects.filter(
        student__guardianships__guardian__email__endswith="@" + LARGE_DOMAIN
    ).exists():
        return 0
    from attendance.models import Enrollment

    rng = random.Random(4242)
    today = timezone.localdate()
    this_month = month_start(today)
    office = User.objects.get(email="office@musicbeats.test")
    guardian_domain = "@" + LARGE_DOMAIN
    enrollments = list(
        Enrollment.objects.filter(student__guardianships__guardian__email__endswith=guardian_domain)
        .values_list("pk", "student_id", "student__joined_on", "left_on", "monthly_fee")
        .order_by("student_id", "pk")
        .distinct()
    )
    due_day = Institute.get().due_day
    charges = []
    for pk, student_id, joined_on, left_on, fee in enrollments:
        if fee <= 0:
            continue
        month = month_start(joined_on)
        last = month_start(left_on) if left_on else this_month
        while month <= last:
            charges.append(
                Charge(
                    student_id=student_id,
                    kind=Charge.Kind.MONTHLY,
                    period=month,
                    due_on=month.replace(day=due_day),
                    enrollment_id=pk,
                    description=f"Monthly fee · {month:%B %Y}",
                    amount=fee,
                )
            )
            month = next_month(month)
    Charge.objects.bulk_create(charges, batch_size=2000, ignore_conflicts=True)
    charges = list(
        Charge.objects.filter(
            student__guardianships__guardian__email__endswith=guardian_domain,
            kind=Charge.Kind.MONTHLY,
        )
        .values_list("pk", "student_id", "period", "amount")
        .order_by("student_id", "period", "pk")
    )
    by_student = defaultdict(list)
    for row in charges:
        by_student[row[1]].append(row)
    # Who is behind: the newest 0, 1 or 3 dues open. Instalments per paid due so that the
    # history holds at least LARGE_TARGET payments (with a margin).
    behind = {s: rng.choices([0, 1, 3], weights=[80, 12, 8])[0] for s in by_student}
    paid_dues = sum(max(0, len(d) - behind[s]) for s, d in by_student.items())
    per_due = max(1, -(-LARGE_TARGET * 51 // 50 // max(1, paid_dues)))
    planned = []  # (paid_on, student_id, amount, [(charge_id, amount)], void)
    for student_id, dues in by_student.items():
        open_from = len(dues) - behind[student_id]
        for index, (charge_id, _s, period, amount) in enumerate(dues):
            if index >= open_from:
                break
            parts = per_due + rng.choice([-1, 0, 1]) if per_due > 1 else 1
            rupees = int(amount)
            cuts = sorted(rng.sample(range(1, rupees), parts - 1)) if parts > 1 else []
            bounds = [Decimal(0), *(Decimal(c) for c in cuts), amount]
            for k in range(parts):
                paid_on = min(period + timedelta(days=rng.randrange(0, 27)), today)
                planned.append(
                    (
                        paid_on,
                        student_id,
                        bounds[k + 1] - bounds[k],
                        [(charge_id, bounds[k + 1] - bounds[k])],
                        False,
                    )
                )
            if rng.random() < 0.004:
                planned.append(
                    (min(period + timedelta(days=3), today), student_id, amount, [], True)
                )
    planned.sort(key=lambda p: (p[0], p[1]))
    return _insert_payments(rng, planned, office)


def _receipt_counters_start():
    sequence = defaultdict(int)
    for year, value in (
        Payment.objects.values("financial_year")
        .annotate(m=Max("receipt_sequence"))
        .values_list("financial_year", "m")
    ):
        sequence[year] = value
    for key, value in Counter.objects.filter(key__startswith="receipt:").values_list(
        "key", "value"
    ):
        year = key.split(":", 1)[1]
        sequence[year] = max(sequence[year], value)
    return sequence
