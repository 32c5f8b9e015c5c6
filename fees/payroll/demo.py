"""Demo teacher pay. Called by `seed_demo` last (after the lessons and their marks, and
the fees whose share some teachers get); idempotent.

Small institute: pay rules for its six teachers from four months back (the demo
teacher: ₹600 an hour, ₹40 a student present and 5 % of the fees collected for her
batches; the others by the hour, one on a fixed monthly amount), the month before last
approved and paid for everyone, last month approved for the demo teacher with one
adjustment (the others' last month waits for the office to approve it), and this month
a draft computed live.

`--scale large`: rules for all 60 teachers of the large institute (by the hour and per
student present), so `make bench` computes a month for every one of them.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.demo import LARGE_DOMAIN
from accounts.models import Role, User
from fees.payroll import services
from fees.payroll.models import PayRule, PayStatement
from musicbeats.dates import month_start

DEMO_TEACHER = "teacher@musicbeats.test"
# email prefix -> [(kind, rate)]
SMALL_RULES = {
    "teacher@": [("per_hour", "600"), ("per_student", "40"), ("fee_share", "5")],
    "joseph.dsouza@": [("per_hour", "550"), ("per_student", "30")],
    "priya.krishnan@": [("monthly", "24000")],
    "ravi.shankar@": [("per_hour", "650")],
    "anil.deshpande@": [("per_hour", "500"), ("per_student", "25")],
    "farah.khan@": [("per_hour", "575")],
}


def _months_back(count: int):
    month = month_start(timezone.localdate())
    months = [month]
    for _ in range(count):
        month = month_start(month - timedelta(days=1))
        months.append(month)
    return months  # this month first


def seed(*, scale, password):
    report = seed_small()
    if scale == "large":
        report += f"; large: {seed_large()} rules"
    return report


def seed_small() -> str:
    teachers = {
        user.email.split("@")[0] + "@": user
        for user in User.objects.filter(role=Role.TEACHER, email__endswith="@musicbeats.test")
    }
    if DEMO_TEACHER.split("@")[0] + "@" not in teachers or PayRule.objects.exists():
        return "pay rules already there (or no demo teachers)"
    office = User.objects.get(email="office@musicbeats.test")
    _this, last, before, *_rest, start = _months_back(4)
    for prefix, rules in SMALL_RULES.items():
        teacher = teachers.get(prefix)
        for kind, rate in rules if teacher else ():
            PayRule.objects.create(
                teacher=teacher, kind=kind, rate=Decimal(rate), from_month=start, created_by=office
            )
    paid = 0
    for teacher in (teachers[p] for p in SMALL_RULES if p in teachers):
        services.approve_statement(teacher=teacher, month=before, by=office)
        services.mark_paid(
            teacher=teacher,
            month=before,
            paid_on=last + timedelta(days=4),
            method=PayStatement.Method.BANK,
            reference=f"NEFT{before:%y%m}{teacher.pk:04d}",
            by=office,
        )
        paid += 1
    demo = teachers["teacher@"]
    services.approve_statement(teacher=demo, month=last, by=office)
    services.add_adjustment(
        teacher=demo,
        month=last,
        amount=Decimal("750"),
        reason="Extra rehearsal before the annual concert",
        by=office,
    )
    return f"{paid} months paid, the demo teacher's last month approved"


def seed_large() -> int:
    if PayRule.objects.filter(teacher__email__endswith="@" + LARGE_DOMAIN).exists():
        return 0
    office = User.objects.get(email="office@musicbeats.test")
    start = _months_back(12)[-1]
    teachers = User.objects.filter(role=Role.TEACHER, email__endswith="@" + LARGE_DOMAIN)
    rules = []
    for i, teacher in enumerate(teachers.order_by("pk")):
        rules.append(
            PayRule(
                teacher=teacher,
                kind=PayRule.Kind.PER_HOUR,
                rate=Decimal(450 + 25 * (i % 8)),
                from_month=start,
                created_by=office,
            )
        )
        rules.append(
            PayRule(
                teacher=teacher,
                kind=PayRule.Kind.PER_STUDENT,
                rate=Decimal(20 + 5 * (i % 4)),
                from_month=start,
                created_by=office,
            )
        )
    PayRule.objects.bulk_create(rules)
    return len(rules)
