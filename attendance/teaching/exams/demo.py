"""Demo grade exams: four boards with their grades, a past Trinity session with results
(the demo student Kavya among them) and a coming one she is entered for (its fee a
charge through `fees.services.add_charge`, so her dues include it). Called by
`seed_demo` after the fees; idempotent (boards, grades, sessions and entries are found
by name before anything is made). `--scale large` adds nothing: the exam pages' costs
do not grow with the institute (their budgets are tested at two sizes)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Student, User
from attendance.models import Instrument
from attendance.teaching.exams import services
from attendance.teaching.exams.models import ExamBoard, ExamEntry, ExamGrade, ExamSession
from fees.models import Charge
from fees.services import add_charge

BOARDS = {
    # name: (marks out of, [(grade, fee)])
    "Trinity College London": (
        100,
        [("Initial", 2600), *[(f"Grade {n}", 2600 + 700 * n) for n in range(1, 9)]],
    ),
    "ABRSM": (150, [(f"Grade {n}", 3000 + 750 * n) for n in range(1, 9)]),
    "Rockschool": (100, [("Debut", 2500), *[(f"Grade {n}", 2500 + 650 * n) for n in range(1, 9)]]),
    "Gandharva Mahavidyalaya": (
        100,
        [
            ("Prarambhik", 600),
            ("Praveshika Pratham", 800),
            ("Praveshika Poorna", 1000),
            ("Madhyama Pratham", 1300),
            ("Madhyama Poorna", 1600),
            ("Visharad Pratham", 2000),
            ("Visharad Poorna", 2500),
        ],
    ),
}
# Past results: (roll-number order among the students, grade, band, marks, certificate)
PAST_RESULTS = [
    ("Grade 2", ExamEntry.Band.MERIT, 79),
    ("Grade 1", ExamEntry.Band.DISTINCTION, 88),
    ("Initial", ExamEntry.Band.PASS, 68),
    ("Grade 3", ExamEntry.Band.BELOW, 58),
]


def seed(*, scale, password):
    office = User.objects.filter(email="office@musicbeats.test").first()
    kavya = Student.objects.filter(user__email="student@musicbeats.test").first()
    if office is None or kavya is None:
        return "no demo people: nothing made"
    grades = _boards()
    made = _past_session(grades, kavya, office) + _coming_session(grades, kavya, office)
    return f"{len(BOARDS)} boards, {made} exam entries created"


def _boards() -> dict:
    """Boards and grades, found or made; {(board name, grade name): grade}."""
    keyboard = Instrument.objects.filter(name="Keyboard").first()
    grades = {}
    for name, (max_marks, rows) in BOARDS.items():
        board, _ = ExamBoard.objects.get_or_create(name=name, defaults={"max_marks": max_marks})
        for position, (grade_name, fee) in enumerate(rows):
            grade, _ = ExamGrade.objects.get_or_create(
                board=board,
                name=grade_name,
                defaults={
                    "position": position,
                    "default_fee": Decimal(fee),
                    "instrument": keyboard if name == "Trinity College London" else None,
                },
            )
            grades[(name, grade_name)] = grade
    return grades


def _session(board_name, name, starts_on, *, days, deadline_before, location):
    board = ExamBoard.objects.get(name=board_name)
    session, _ = ExamSession.objects.get_or_create(
        board=board,
        name=name,
        defaults={
            "starts_on": starts_on,
            "ends_on": starts_on + timedelta(days=days),
            "entry_deadline": starts_on - timedelta(days=deadline_before),
            "location": location,
        },
    )
    return session


def _past_session(grades, kavya, office) -> int:
    """Exams held about four months ago, results in: entered before its deadline, so
    made here directly (the service refuses entries after the deadline, rightly)."""
    held = timezone.localdate() - timedelta(days=120)
    session = _session(
        "Trinity College London",
        f"Trinity practical exams, {held:%B %Y}",
        held,
        days=2,
        deadline_before=45,
        location="Trinity centre, Indiranagar",
    )
    others = Student.objects.filter(user__is_active=True).exclude(pk=kavya.pk)
    students = [kavya, *others.order_by("roll_number")[: len(PAST_RESULTS) - 1]]
    made = 0
    for student, (grade_name, band, marks) in zip(students, PAST_RESULTS, strict=False):
        grade = grades[("Trinity College London", grade_name)]
        if ExamEntry.objects.filter(session=session, student=student, grade=grade).exists():
            continue
        charge = add_charge(
            student=student,
            kind=Charge.Kind.EXAM,
            amount=grade.default_fee,
            description=f"Exam fee: Trinity College London {grade.name}, {session.name}",
            by=office,
            due_on=session.entry_deadline,
        )
        ExamEntry.objects.create(
            session=session,
            student=student,
            grade=grade,
            fee=grade.default_fee,
            charge=charge,
            entered_by=office,
            band=band,
            marks=marks,
            certificate_number=f"TCL-{held:%Y}-{student.roll_number}" if band != "below" else "",
            result_by=office,
            result_at=timezone.now(),
        )
        made += 1
    return made


def _coming_session(grades, kavya, office) -> int:
    """Exams in about seven weeks, entries open for three more: Kavya is entered."""
    starts = timezone.localdate() + timedelta(days=50)
    session = _session(
        "Trinity College London",
        f"Trinity practical exams, {starts:%B %Y}",
        starts,
        days=3,
        deadline_before=30,
        location="MusicBeats, Studio A",
    )
    _session(
        "Gandharva Mahavidyalaya",
        f"Gandharva exams, {starts:%B %Y}",
        starts + timedelta(days=7),
        days=1,
        deadline_before=35,
        location="Gandharva centre, Malleshwaram",
    )
    grade = grades[("Trinity College London", "Grade 3")]
    if ExamEntry.objects.filter(session=session, student=kavya, grade=grade).exists():
        return 0
    services.enter_student(
        session=session, student=kavya, grade=grade, fee=grade.default_fee, by=office
    )
    return 1
