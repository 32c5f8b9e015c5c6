"""Classes: the catalogue of instruments and levels, rooms, batches and enrolments.

The timetable, lessons and attendance marks build on these (see the attendance issue).
"""

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
    enrolment in one batch) are checked by `attendance.services.enroll`; the database
    holds what one row can state.
    """

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="enrollments")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="enrollments")
    joined_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(null=True, blank=True)
    monthly_fee = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)

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

    def is_current(self, on=None):
        on = on or timezone.localdate()
        return self.joined_on <= on and (self.left_on is None or self.left_on >= on)
