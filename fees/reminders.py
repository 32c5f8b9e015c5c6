"""Fee reminders (issue 14, item 3): which reminder steps fall today, and what each family
still owes, read in a fixed number of queries however many families there are.

Steps, each on or off in the institute's settings (`accounts.models.Institute`):

- *before*: `reminder_before_days` days before the due day;
- *due*: on the due day;
- *after*: every `reminder_after_every` days after it, at most `reminder_after_times`
  times.

The due day of a month is the institute's `due_day` of that month (the day monthly dues
are generated for: `fees.services.plan_monthly_dues`). A step reminds a family of every
charge still open when the job runs and due by the later of that due day and today: the
month's fees, older arrears, and one-off or late fees already due. Nothing is read from an
earlier run, so a family that paid (at the desk, by a family payment, by a matched UPI
line) before the job runs is not reminded.

A family is a recipient and the children they answer for (`accounts.notifications.
recipients.family_of`: a student's active guardians, else the student): each guardian
gets one message listing all their owing children; a student with no guardian gets one
for themselves. The family is named in the event key by its eldest-registered child
(the smallest student id among the recipient's wards, owing or not), so a payment by one
sibling between two runs on one day never makes a new key.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F

from accounts.models import Guardianship, Institute, Student, User
from accounts.notifications.bulk import Note, notify_many
from accounts.notifications.models import Kind
from fees.models import Charge, Payment
from fees.selectors import OPEN_THRESHOLD
from fees.upi import family_note, payment_uri
from musicbeats.money import ZERO, money, money_sum, paise

BEFORE, DUE, AFTER = "before", "due", "after"


@dataclass(frozen=True)
class Rules:
    """The institute's reminder settings (see `Rules.of`)."""

    due_day: int = 10
    before: bool = True
    before_days: int = 3
    on_due_day: bool = True
    after: bool = True
    after_every: int = 7
    after_times: int = 3

    @classmethod
    def of(cls, institute) -> "Rules":
        return cls(
            due_day=institute.due_day,
            before=institute.reminder_before,
            before_days=institute.reminder_before_days,
            on_due_day=institute.reminder_on_due_day,
            after=institute.reminder_after,
            after_every=institute.reminder_after_every,
            after_times=institute.reminder_after_times,
        )


@dataclass(frozen=True)
class Step:
    """One reminder step due today: `kind` (before/due/after), the due day it is about and,
    for *after*, which repeat (1, 2, …)."""

    kind: str
    due_day: date
    number: int = 0

    @property
    def name(self) -> str:
        return f"{self.kind}{self.number}" if self.number else self.kind

    def cutoff(self, today: date) -> date:
        """Charges due by this day are in the reminder."""
        return max(self.due_day, today)


def steps_on(today: date, rules: Rules) -> list[Step]:
    """The reminder steps that fall on `today` (usually none or one)."""
    steps = []
    if rules.before:
        day = today + timedelta(days=rules.before_days)
        if day.day == rules.due_day:
            steps.append(Step(BEFORE, day))
    if rules.on_due_day and today.day == rules.due_day:
        steps.append(Step(DUE, today))
    if rules.after:
        for number in range(1, rules.after_times + 1):
            day = today - timedelta(days=number * rules.after_every)
            if day.day == rules.due_day:
                steps.append(Step(AFTER, day, number))
    return steps


@dataclass
class ChildDues:
    student: Student
    months: dict = field(default_factory=dict)  # first day of month -> open amount

    @property
    def total(self) -> Decimal:
        return sum(self.months.values(), ZERO)


@dataclass
class Family:
    """One recipient and the owing children they answer for (eldest-registered first)."""

    recipient: User
    key: int  # the smallest student id among the recipient's wards
    children: list = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((child.total for child in self.children), ZERO)


def owing_students() -> list[int]:
    """Active students whose balance is positive (Σ net charges - Σ live payments), in two
    grouped queries. Only they can have an open charge: a student with credit has none
    (`fees.selectors`: at most one of the two is non-zero), so the exact open amounts
    are read for them alone (reading every charge's open amount is seconds on a large
    ledger; these sums are a fraction of that)."""
    nets = dict(
        Charge.objects.filter(student__user__is_active=True)
        .order_by()
        .values("student_id")
        .annotate(total=money_sum(F("amount") - F("concession_amount")))
        .values_list("student_id", "total")
    )
    paid = dict(
        Payment.objects.valid()
        .order_by()
        .values("student_id")
        .annotate(total=money_sum("amount"))
        .values_list("student_id", "total")
    )
    return [sid for sid, net in nets.items() if net - paid.get(sid, ZERO) >= OPEN_THRESHOLD]


def open_dues(cutoff: date) -> dict[int, ChildDues]:
    """Active student id -> their charges still open and due by `cutoff`, summed by month
    (three queries; each open amount is computed in SQL, as every fee page does)."""
    rows = (
        Charge.objects.with_amounts()
        .filter(student_id__in=owing_students(), due_on__lte=cutoff, open__gte=OPEN_THRESHOLD)
        .order_by("student_id", "period")
        .values_list("student_id", "period", "open")
    )
    dues: dict[int, ChildDues] = {}
    for student_id, period, amount in rows:
        child = dues.setdefault(student_id, ChildDues(student=None))
        child.months[period] = child.months.get(period, ZERO) + paise(amount)
    students = Student.objects.select_related("user").filter(pk__in=list(dues))
    for student in students:
        dues[student.pk].student = student
    return dues


def families(dues: dict[int, ChildDues]) -> list[Family]:
    """The families to remind of `dues`: one per recipient (two queries)."""
    links = list(
        Guardianship.objects.filter(
            guardian__is_active=True, guardian__guardianships__student_id__in=list(dues)
        )
        .values_list("guardian_id", "student_id")
        .distinct()
    )
    wards = defaultdict(set)
    for guardian_id, student_id in links:
        wards[guardian_id].add(student_id)
    guarded = {sid for group in wards.values() for sid in group}
    guardians = User.objects.in_bulk(list(wards))
    found = []
    for guardian_id, students in wards.items():
        owing = sorted(sid for sid in students if sid in dues)
        if owing:
            found.append(Family(guardians[guardian_id], min(students), [dues[s] for s in owing]))
    for student_id, child in sorted(dues.items()):
        if student_id not in guarded:
            found.append(Family(child.student.user, student_id, [child]))
    return sorted(found, key=lambda family: (family.key, family.recipient.pk))


def upi_link(institute, family: Family) -> str:
    """The `upi://pay` link for the family's total, or "" when the institute takes no UPI
    (no UPI ID, or not rupees) — the same conditions as `/fees/mine/`'s QR code."""
    if not institute.upi_id or institute.currency != "INR" or family.total <= 0:
        return ""
    students = [child.student for child in family.children]
    if len(students) == 1:
        note = f"Fees {students[0].roll_number} {students[0].user.full_name}"
    else:
        note = family_note(students)
    try:
        return payment_uri(
            upi_id=institute.upi_id, payee_name=institute.name, amount=family.total, note=note
        )
    except ValidationError:
        return ""


def families_to_remind(step: Step, today: date) -> list[Family]:
    """Every family owing something in `step`'s reminder, as of now."""
    return families(open_dues(step.cutoff(today)))


MY_FEES = "/fees/mine/"
NO_UPI = "not offered; please pay at the office or by bank transfer"


def event_key(step: Step, family: Family) -> str:
    """The happening a reminder tells of: per family, step and due day. The outbox keeps
    one message per (person, event, channel), so a second run the same day sends nothing."""
    return f"fee-reminder:{step.due_day:%Y-%m-%d}:{step.name}:family-{family.key}"


def lines(family: Family, currency: str) -> str:
    """Each child, then each month still owed and its amount (and the child's total when
    there are several months)."""
    out = []
    for child in family.children:
        student = child.student
        out.append(f"{student.user.full_name} ({student.roll_number}):")
        out += [
            f"  {month:%B %Y}: {money(amount, currency)}" for month, amount in child.months.items()
        ]
        if len(child.months) > 1:
            out.append(f"  Total for {student.user.full_name}: {money(child.total, currency)}")
    return "\n".join(out)


def context(institute, step: Step, family: Family, *, site_url: str) -> dict:
    """The fee reminder's placeholders (`accounts.notifications.texts.PLACEHOLDERS`)."""
    names = [child.student.user.full_name for child in family.children]
    return {
        "students": names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1],
        "lines": lines(family, institute.currency),
        "amount": money(family.total, institute.currency),
        "due_date": f"{step.due_day.day} {step.due_day:%B %Y}",
        "upi_link": upi_link(institute, family) or NO_UPI,
        "link": site_url + MY_FEES,
    }


@dataclass
class Sent:
    """What a run did: the steps that fell today, families reminded, messages saved."""

    steps: list = field(default_factory=list)
    families: int = 0
    messages: list = field(default_factory=list)


def send_fee_reminders(*, today: date, site_url: str) -> Sent:
    """Remind every family that owes of each step falling on `today` (see the module's
    docstring). A fixed number of queries per step, whatever the number of families."""
    institute = Institute.get()
    result = Sent(steps=steps_on(today, Rules.of(institute)))
    for step in result.steps:
        found = families_to_remind(step, today)
        notes = [
            Note(
                user=family.recipient,
                event=event_key(step, family),
                context=context(institute, step, family, site_url=site_url),
                link=MY_FEES,
            )
            for family in found
        ]
        result.families += len(found)
        result.messages += notify_many(Kind.FEE_REMINDER, notes)
    return result
