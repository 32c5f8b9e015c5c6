"""Grade exams: boards and their grades, sessions, and each student's entries with their
results (issue 15, part 3). Registered in attendance/models.py (app label `attendance`).

An entry's fee is a one-off charge (`fees.Charge`, kind EXAM) made in the same
transaction as the entry (`services.enter_student`); a result lives on its entry, so a
result for a student who was not entered cannot exist.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Student

MAX_EXAM_FEE = Decimal("1000000.00")  # ₹10,00,000, the bound of every amount
MAX_MARKS = 1000  # no board marks out of more


class ExamBoard(models.Model):
    """An examining body: Trinity College London, ABRSM, Rockschool, Gandharva
    Mahavidyalaya… `max_marks` is what its results are out of (100, ABRSM 150)."""

    name = models.CharField(max_length=100, unique=True)
    max_marks = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_marks__gte=1) & Q(max_marks__lte=MAX_MARKS),
                name="examboard_max_marks_bounded",
            ),
        ]

    def __str__(self):
        return self.name


class ExamGrade(models.Model):
    """A grade of a board ("Grade 3", "Praveshika Pratham"), in the board's order, with
    the fee an entry is offered at."""

    board = models.ForeignKey(ExamBoard, on_delete=models.PROTECT, related_name="grades")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    instrument = models.ForeignKey(
        "attendance.Instrument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exam_grades",
        help_text="Empty when the grade is for any instrument.",
    )
    default_fee = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["board", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["board", "name"], name="examgrade_unique_name"),
            models.CheckConstraint(
                condition=Q(default_fee__gt=0) & Q(default_fee__lte=MAX_EXAM_FEE),
                name="examgrade_fee_bounded",
            ),
        ]

    def __str__(self):
        return self.name


class ExamSession(models.Model):
    """A board's exam session: the exam days (from and to) and the last day to enter."""

    board = models.ForeignKey(ExamBoard, on_delete=models.PROTECT, related_name="sessions")
    name = models.CharField(max_length=120)
    starts_on = models.DateField("first exam day")
    ends_on = models.DateField("last exam day")
    entry_deadline = models.DateField(
        help_text="The last day to enter; on or before the first exam day."
    )
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["board", "name"], name="examsession_unique_name"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="examsession_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(entry_deadline__lte=F("starts_on")),
                name="examsession_deadline_before_exams",
            ),
        ]
        indexes = [models.Index(fields=["starts_on"], name="examsession_starts_idx")]

    def __str__(self):
        return self.name

    def is_open_on(self, day) -> bool:
        """Entries are taken up to and including the deadline."""
        return day <= self.entry_deadline


class ExamEntry(models.Model):
    """A student entered for a grade in a session, with its fee (a one-off charge) and,
    once the board has marked it, the result."""

    class Band(models.TextChoices):
        DISTINCTION = "distinction", "Distinction"
        MERIT = "merit", "Merit"
        PASS = "pass", "Pass"
        BELOW = "below", "Below pass"

    session = models.ForeignKey(ExamSession, on_delete=models.PROTECT, related_name="entries")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="exam_entries")
    grade = models.ForeignKey(ExamGrade, on_delete=models.PROTECT, related_name="entries")
    fee = models.DecimalField(max_digits=10, decimal_places=2)
    charge = models.OneToOneField(
        "fees.Charge", on_delete=models.PROTECT, related_name="exam_entry"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    marks = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=12, choices=Band.choices, blank=True)
    certificate_number = models.CharField(max_length=60, blank=True)
    result_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    result_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "student__user__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "student", "grade"], name="examentry_once_per_grade"
            ),
            models.CheckConstraint(
                condition=Q(fee__gt=0) & Q(fee__lte=MAX_EXAM_FEE), name="examentry_fee_bounded"
            ),
            models.CheckConstraint(
                condition=Q(marks__isnull=True) | Q(marks__lte=MAX_MARKS),
                name="examentry_marks_bounded",
            ),
            models.CheckConstraint(
                condition=Q(band__in=["", "distinction", "merit", "pass", "below"]),
                name="examentry_band_valid",
            ),
            # No marks or certificate without a result (a band), and a result says who.
            models.CheckConstraint(
                condition=Q(
                    band="", marks__isnull=True, certificate_number="", result_at__isnull=True
                )
                | (~Q(band="") & Q(result_at__isnull=False)),
                name="examentry_result_whole",
            ),
        ]

    def __str__(self):
        return f"entry {self.pk}"

    @property
    def has_result(self) -> bool:
        return bool(self.band)
