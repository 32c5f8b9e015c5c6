"""Statement credits matched to reported payments, students and families; recorded all
at once, never twice.

A credit is matched, in this order: its key already used (an earlier import recorded it:
"already recorded"); its reference/UTR (or a 12-digit UTR in the narration) on a live
payment ("already recorded at the desk") or on a pending family report (confirmed with
the report); a roll number in the narration (the UPI note the QR carries is "Fees
<roll number> <name>") with the amount equal to that child's open total or to the
family's (all children of the child's guardians). A roll number with another amount is
proposed but left unticked. The proposal reads everything in a fixed number of queries.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from accounts.models import Guardianship, Student
from fees.models import Allocation, Charge, Payment, StatementImport, StatementLine, UpiReport
from fees.upi_matching.payments import record_upi_for_students
from fees.upi_matching.reports import confirm_report
from fees.upi_matching.statements import Credit
from musicbeats.money import ZERO, money_sum

UTR_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
WORD_RUN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


class AlreadyRecorded(Exception):
    pass


class RecordRefused(Exception):
    """Nothing was recorded: the message names the line."""


@dataclass
class Proposal:
    index: int
    credit: Credit
    kind: str = "none"  # used, desk, report, student, family, check, none
    reason: str = "No reference, roll number or amount matched."
    students: list = field(default_factory=list)
    report: UpiReport | None = None
    ticked: bool = False

    @property
    def recordable(self) -> bool:
        return self.kind not in ("used", "desk")


def _references(credit: Credit) -> list[str]:
    refs = [credit.reference.upper()] if credit.reference else []
    return refs + [utr for utr in UTR_IN_TEXT.findall(credit.narration) if utr not in refs]


def _roll_candidates(text: str) -> set[str]:
    """Every hyphen-joined run of words with a digit, up to 20 characters, upper case
    (bank narrations join fields with "-"), and each with a hyphen put back between
    letters and digits ("MB0001" -> "MB-0001": some banks drop it)."""
    found = set()
    for word in WORD_RUN.findall(text):
        parts = word.upper().split("-")
        for start in range(len(parts)):
            for end in range(start + 1, min(start + 4, len(parts) + 1)):
                token = "-".join(parts[start:end])
                if 3 <= len(token) <= 20 and any(ch.isdigit() for ch in token):
                    found.add(token)
                    found.add(re.sub(r"(?<=[A-Z])(?=[0-9])", "-", token))
    return found


def open_totals(student_ids) -> dict:
    """student id -> what is still due (Σ net charges - Σ allocated from live payments),
    in two grouped queries (cheaper than per-student subqueries on a large ledger)."""
    dues = dict(
        Charge.objects.filter(student_id__in=student_ids)
        .order_by()
        .values("student_id")
        .annotate(total=money_sum(F("amount") - F("concession_amount")))
        .values_list("student_id", "total")
    )
    paid = dict(
        Allocation.objects.filter(
            payment__student_id__in=student_ids, payment__voided_at__isnull=True
        )
        .order_by()
        .values("payment__student_id")
        .annotate(total=money_sum("amount"))
        .values_list("payment__student_id", "total")
    )
    return {sid: dues.get(sid, ZERO) - paid.get(sid, ZERO) for sid in student_ids}


def _lookups(credits):
    """Everything the proposals need, in a fixed number of queries."""
    keys = {credit.key for credit in credits}
    refs = {ref for credit in credits for ref in _references(credit)}
    rolls = set().union(*(_roll_candidates(c.narration) for c in credits)) if credits else set()
    used = set(StatementLine.objects.filter(key__in=keys).values_list("key", flat=True))
    desk = {
        p.reference.upper(): p
        for p in Payment.objects.valid()
        .filter(reference__in=refs)
        .only("reference", "receipt_number")
    }
    reports = {
        r.reference: r
        for r in UpiReport.objects.filter(reference__in=refs, status="pending").prefetch_related(
            Prefetch("students", queryset=Student.objects.select_related("user"))
        )
    }
    by_roll = {
        s.roll_number.upper(): s
        for s in Student.objects.select_related("user").filter(roll_number__in=rolls)
    }
    families = _families([s.pk for s in by_roll.values()])
    ids = {s.pk for s in by_roll.values()} | {s.pk for f in families.values() for s in f}
    totals = open_totals(ids)
    for group in [*families.values(), by_roll.values()]:
        for student in group:
            student.open_total = totals[student.pk]
    return used, desk, reports, by_roll, families


def _open(student) -> Decimal:
    return student.open_total


def _families(student_ids) -> dict:
    """student id -> the family's students, for families of 2 or more."""
    links = list(
        Guardianship.objects.filter(
            guardian__guardianships__student_id__in=student_ids
        ).values_list("guardian_id", "student_id")
    )
    siblings = {}
    for guardian_id, student_id in links:
        siblings.setdefault(guardian_id, set()).add(student_id)
    everyone = {sid for group in siblings.values() for sid in group}
    students = {s.pk: s for s in Student.objects.select_related("user").filter(pk__in=everyone)}
    families = {}
    for group in siblings.values():
        members = sorted((students[sid] for sid in group), key=lambda s: (s.user.full_name, s.pk))
        for sid in group:
            if len(members) > len(families.get(sid, [])):
                families[sid] = members
    return {sid: members for sid, members in families.items() if len(members) > 1}


def propose(credits: list[Credit]) -> list[Proposal]:
    used, desk, reports, by_roll, families = _lookups(credits)
    proposals = []
    for index, credit in enumerate(credits):
        proposal = Proposal(index=index, credit=credit)
        proposals.append(proposal)
        refs = _references(credit)
        if credit.key in used:
            proposal.kind, proposal.reason = "used", "Already recorded from an earlier import."
        elif any(ref in desk for ref in refs):
            payment = next(desk[ref] for ref in refs if ref in desk)
            proposal.kind = "desk"
            proposal.reason = f"Already recorded: payment {payment.receipt_number} has this UTR."
        elif any(ref in reports for ref in refs):
            report = next(reports[ref] for ref in refs if ref in reports)
            _match_report(proposal, report)
        else:
            _match_roll(proposal, by_roll, families)
    return proposals


def _match_report(proposal, report) -> None:
    proposal.report = report
    proposal.students = list(report.students.all())
    proposal.kind = "report"
    if report.amount == proposal.credit.amount:
        proposal.ticked = True
        proposal.reason = f"UTR {report.reference} reported by the family."
    else:
        proposal.reason = (
            f"UTR {report.reference} reported by the family for ₹{report.amount}, "
            "but the amount differs: check."
        )


def _match_roll(proposal, by_roll, families) -> None:
    found = [by_roll[r] for r in _roll_candidates(proposal.credit.narration) if r in by_roll]
    if not found:
        return
    student = found[0]
    amount = proposal.credit.amount
    family = families.get(student.pk, [])
    if amount == _open(student):
        proposal.kind, proposal.students, proposal.ticked = "student", [student], True
        proposal.reason = f"Roll number {student.roll_number} in the note; amount = open dues."
    elif family and amount == sum((_open(s) for s in family), ZERO):
        proposal.kind, proposal.students, proposal.ticked = "family", family, True
        proposal.reason = (
            f"Roll number {student.roll_number} in the note; amount = the family's open dues."
        )
    else:
        proposal.kind, proposal.students = "check", [student]
        proposal.reason = (
            f"Roll number {student.roll_number} in the note, but ₹{_open(student)} is due: "
            "check, then tick (the difference is credit or stays due)."
        )


@transaction.atomic
def record_statement(*, statement_id: int, choices: dict, by) -> int:
    """Record the ticked lines of a statement, all or nothing. `choices` maps a line's
    index to (ticked, roll number typed by the office or ''). Returns how many lines
    were recorded; AlreadyRecorded if this import was recorded before."""
    statement = StatementImport.objects.select_for_update().get(pk=statement_id)
    if statement.recorded_at is not None:
        raise AlreadyRecorded
    credits = [Credit.from_json(line) for line in statement.lines]
    picked = {roll.strip().upper() for _ticked, roll in choices.values() if roll.strip()}
    chosen = {
        s.roll_number.upper(): s
        for s in Student.objects.select_related("user").filter(roll_number__in=picked)
    }
    count = 0
    for proposal in propose(credits):
        ticked, roll = choices.get(proposal.index, (False, ""))
        if not ticked or not proposal.recordable:
            continue
        line = proposal.credit.line
        if roll.strip():
            if roll.strip().upper() not in chosen:
                raise RecordRefused(f"Line {line}: no student has roll number “{roll[:20]}”.")
            proposal.kind, proposal.students = "student", [chosen[roll.strip().upper()]]
        if not proposal.students:
            raise RecordRefused(f"Line {line}: pick a student (roll number) or untick it.")
        _record_line(statement, proposal, by)
        count += 1
    statement.recorded_by, statement.recorded_at = by, timezone.now()
    statement.save(update_fields=["recorded_by", "recorded_at"])
    return count


def _record_line(statement, proposal, by) -> None:
    credit = proposal.credit
    try:
        with transaction.atomic():
            line = StatementLine.objects.create(
                key=credit.key,
                statement=statement,
                posted_on=credit.posted_on,
                amount=credit.amount,
                narration=credit.narration,
                recorded_by=by,
            )
    except IntegrityError:
        raise RecordRefused(f"Line {credit.line} was already recorded (another desk?).") from None
    try:
        payments = _payments_for(proposal, by)
    except ValidationError as error:
        raise RecordRefused(f"Line {credit.line}: {' '.join(error.messages)}") from None
    line.payments.set(payments)


def _payments_for(proposal, by) -> list:
    credit = proposal.credit
    if proposal.kind == "report" and proposal.report.amount == credit.amount:
        report, _done = confirm_report(report_id=proposal.report.pk, by=by)
        return list(report.payments.all())
    reference = credit.reference or next(iter(_references(credit)), "") or credit.key[5:27]
    return record_upi_for_students(
        students=proposal.students,
        amount=credit.amount,
        reference=reference,
        paid_on=credit.posted_on,
        recorded_by=by,
        key=f"statement:{credit.key}",
        remarks=f"From statement line {credit.line}",
    )
