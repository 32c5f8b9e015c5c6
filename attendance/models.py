"""Classes: the catalogue of instruments and levels, rooms, batches and enrolments.

The timetable, lessons and attendance marks build on these (see the attendance issue).
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Role, Student

MAX_MONTHLY_FEE = Decimal("1000000.00")  # ₹10,00,000: bounded, as every amount is.


class Instrument(models.Model):
    """An instrument or course the institute teaches: Keyboard, Carnatic vocal, Tabla…"""

    name = models.CharField(max_length=80, unique=True)
    is_active = models.BooleanField(default=True)
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="instruments_taught",
        blank=True,
        limit_choices_to={"role": Role.TEACHER},
    )

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every saved edit form (stale saves are refused).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Level(models.Model):
    """A level or grade within an instrument (Beginner, Grade 3, Trinity Initial…)."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="levels")
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists.")

    class Meta:
        ordering = ["instrument__name", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "name"], name="level_unique_name"),
        ]

    def __str__(self):
        return f"{self.instrument.name} · {self.name}"


class Room(models.Model):
    name = models.CharField(max_length=80, unique=True)
    capacity = models.PositiveSmallIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every saved edit form (stale saves are refused).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Batch(models.Model):
    """A group class, or a private lesson (a batch of one)."""

    class Kind(models.TextChoices):
        GROUP = "group", "Group class"
        PRIVATE = "private", "Private lesson"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.GROUP)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="batches")
    level = models.ForeignKey(
        Level, on_delete=models.PROTECT, null=True, blank=True, related_name="batches"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="batches_taught",
        limit_choices_to={"role": Role.TEACHER},
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="batches"
    )
    capacity = models.PositiveSmallIntegerField(default=8)
    monthly_fee = models.DecimalField(max_digits=10, decimal_places=2)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every saved edit form (stale saves are refused).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "batches"
        indexes = [
            models.Index(fields=["teacher", "is_active"]),
            models.Index(fields=["instrument", "is_active"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="batch_capacity_positive"),
            models.CheckConstraint(
                condition=~Q(kind="private") | Q(capacity=1), name="batch_private_is_one"
            ),
            models.CheckConstraint(
                condition=Q(monthly_fee__gte=0, monthly_fee__lte=MAX_MONTHLY_FEE),
                name="batch_fee_bounded",
            ),
        ]

    def __str__(self):
        return self.name


class Enrollment(models.Model):
    """A student in a batch from `joined_on` (to `left_on`, if they left), at a monthly fee.

    Enrolment rules that need other rows (capacity, an active student, no second open
    enrolment in one batch) are checked by `attendance.classes.services.enroll`; the database
    holds what one row can state.
    """

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="enrollments")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="enrollments")
    joined_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(null=True, blank=True)
    monthly_fee = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every saved edit form (stale saves are refused).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["batch__name", "student__user__full_name"]
        indexes = [models.Index(fields=["batch", "left_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="enrollment_leaves_after_joining",
            ),
            models.CheckConstraint(
                condition=Q(monthly_fee__gte=0, monthly_fee__lte=MAX_MONTHLY_FEE),
                name="enrollment_fee_bounded",
            ),
            models.UniqueConstraint(
                fields=["student", "batch"],
                condition=Q(left_on__isnull=True),
                name="enrollment_one_open_per_batch",
            ),
        ]

    def __str__(self):
        return f"{self.student_id} in {self.batch_id}"


# --- Timetable, lessons and attendance -------------------------------------------------


class Term(models.Model):
    """A teaching term: slots belong to one, and lessons happen only inside it."""

    name = models.CharField(max_length=80, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every saved edit form (stale saves are refused).",
    )

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="term_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.name


class Holiday(models.Model):
    """A day with no lessons (Diwali, Pongal, a local holiday)."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.name} ({self.date})"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Slot(models.Model):
    """A weekly meeting of a batch in a term: weekday, start, duration, room, teacher.

    Clashes (a teacher or a room twice at overlapping times, a student in two batches
    that meet at once, a slot outside its term) are refused by
    `attendance.timetable.slots` before a slot is saved; a row states only its own rules.
    """

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="slots")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="slots")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="slots"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="slots",
        limit_choices_to={"role": Role.TEACHER},
    )
    is_active = models.BooleanField(default=True)

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every saved edit form (stale saves are refused).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["weekday", "starts_at"]
        indexes = [
            models.Index(fields=["term", "weekday"]),
            models.Index(fields=["teacher", "weekday"]),
            models.Index(fields=["room", "weekday"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="slot_duration_sane",
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="slot_weekday_valid"),
        ]

    def __str__(self):
        return f"{self.batch} · {self.get_weekday_display()} {self.starts_at:%H:%M}"


class Lesson(models.Model):
    """One dated lesson: generated from a slot, or an extra / make-up lesson.

    `scheduled_on` is the date the slot produced it on and never changes, so generating
    lessons twice makes nothing twice even after a lesson was moved to another `date`.
    """

    class Kind(models.TextChoices):
        REGULAR = "regular", "Regular"
        EXTRA = "extra", "Extra"
        MAKEUP = "makeup", "Make-up"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="lessons")
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, null=True, blank=True, related_name="lessons"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.REGULAR)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_on = models.DateField(help_text="The date the slot produced; never changes.")
    date = models.DateField()
    starts_at = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="lessons"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lessons"
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lessons_substituted",
    )
    cancel_reason = models.CharField(max_length=200, blank=True)
    # Where the lesson was before its first move (kept through later moves, cleared when
    # it moves back there): the week shows "Moved from Tue 17:00" and, on that day,
    # "Moved to …" instead of an empty day.
    moved_from_date = models.DateField(null=True, blank=True)
    moved_from_time = models.TimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every saved edit form (stale saves are refused).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "starts_at"]
        indexes = [
            models.Index(fields=["date", "teacher"]),
            models.Index(fields=["date", "substitute"]),
            models.Index(fields=["date", "room"]),
            models.Index(fields=["batch", "date"]),
            models.Index(fields=["moved_from_date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "scheduled_on"],
                condition=Q(slot__isnull=False),
                name="lesson_one_per_slot_and_day",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="lesson_duration_sane",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="lesson_cancel_needs_reason",
            ),
        ]

    def __str__(self):
        return f"{self.batch} on {self.date} {self.starts_at:%H:%M}"

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED


class MakeupCredit(models.Model):
    """Earned by an absence with notice; spent by booking a make-up lesson."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="makeup_credits")
    earned_for = models.OneToOneField(
        "Mark", on_delete=models.PROTECT, related_name="makeup_credit"
    )
    expires_on = models.DateField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["student", "expires_on"])]

    def __str__(self):
        return f"make-up credit for {self.student_id} until {self.expires_on}"


class LessonGuest(models.Model):
    """A student added to one lesson beyond the batch's roster (extra or make-up)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="guests")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="guest_lessons")
    makeup_credit = models.OneToOneField(
        MakeupCredit, on_delete=models.PROTECT, null=True, blank=True, related_name="booking"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="lesson_guest_unique"),
        ]

    def __str__(self):
        return f"{self.student_id} as a guest at {self.lesson_id}"


class Mark(models.Model):
    """Attendance of one student at one lesson: exactly one row per (lesson, student)."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        LATE = "late", "Late"
        EXCUSED = "excused", "Excused (absent with notice)"

    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="marks")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="marks")
    status = models.CharField(max_length=8, choices=Status.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="marks_made"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["student", "lesson"])]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="mark_one_per_student"),
        ]

    def __str__(self):
        return f"{self.student_id} {self.status} at {self.lesson_id}"


class MarkCorrection(models.Model):
    """An office correction of a mark after the teacher's edit window, with its reason."""

    mark = models.ForeignKey(Mark, on_delete=models.PROTECT, related_name="corrections")
    old_status = models.CharField(max_length=8, choices=Mark.Status.choices)
    new_status = models.CharField(max_length=8, choices=Mark.Status.choices)
    reason = models.CharField(max_length=200)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mark_corrections"
    )
    corrected_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.mark_id}: {self.old_status} → {self.new_status}"


# --- Calendar feed ----------------------------------------------------------------------


def new_feed_token() -> str:
    """256 random bits, URL-safe: long enough that guessing one is hopeless."""
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's private iCalendar feed address (`/calendar/<token>.ics`).

    The feed is reached without a login, so the token is the only secret: it is looked
    up through its unique index (an equality match on 43 random characters), and
    resetting it makes the old address answer 404.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"calendar feed of {self.user_id}"

    def reset(self):
        """A new token; the old address stops working at once."""
        self.token = new_feed_token()
        self.created_at = timezone.now()
        self.save(update_fields=["token", "created_at"])


from attendance.rollcall.models import LessonTally  # noqa: E402, F401
from attendance.teaching.exams.models import ExamBoard, ExamEntry, ExamGrade, ExamSession  # noqa: E402, F401
from attendance.teaching.notes.models import LessonNote  # noqa: E402, F401
from attendance.teaching.progress.models import LevelChange  # noqa: E402, F401
