"""A student's level on an instrument over time: one `LevelChange` per move.

Registered in attendance/models.py (app label `attendance`). The database holds what a
row can state: one open proposal per (student, instrument), a decision with its who and
when, a reason for a decline. That `to_level` belongs to `instrument` is checked by
`clean()` and by every service that writes a change (a row cannot state it).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Student

NOTE_MAX = 300


class LevelChange(models.Model):
    """A move of `student` on `instrument` from `from_level` (none: not known) to
    `to_level`: proposed by a teacher and decided by the office, or set by the office
    (then proposed and decided by the same person at once). Decided changes are final."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for the office"
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Declined"

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="level_changes")
    instrument = models.ForeignKey(
        "attendance.Instrument", on_delete=models.PROTECT, related_name="level_changes"
    )
    from_level = models.ForeignKey(
        "attendance.Level", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_level = models.ForeignKey("attendance.Level", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=NOTE_MAX, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        indexes = [
            # The office's queue: open proposals, oldest first.
            models.Index(fields=["status", "proposed_at"], name="levelchange_queue_idx"),
            models.Index(fields=["student", "instrument"], name="levelchange_student_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "instrument"],
                condition=Q(status="proposed"),
                name="levelchange_one_open_per_instrument",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="proposed", decided_by__isnull=True, decided_at__isnull=True)
                    | (
                        Q(status__in=["confirmed", "declined"])
                        & Q(decided_by__isnull=False, decided_at__isnull=False)
                    )
                ),
                name="levelchange_decided_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(reason=""),
                name="levelchange_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(from_level__isnull=True) | ~Q(from_level=F("to_level")),
                name="levelchange_moves",
            ),
        ]

    def __str__(self):
        return f"{self.student_id}: {self.to_level_id} ({self.status})"

    def save(self, *args, **kwargs):
        # A decision is final: a decided row is never saved again (decide() writes the
        # decision with one conditional UPDATE, so it never comes through here).
        if not self._state.adding and (
            LevelChange.objects.filter(pk=self.pk).exclude(status=self.Status.PROPOSED).exists()
        ):
            raise ValidationError("This level change is decided and cannot be edited.")
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PROPOSED

    def clean(self):
        if self.to_level_id and self.to_level.instrument_id != self.instrument_id:
            raise ValidationError(f"{self.to_level} is not a level of {self.instrument}.")

    def decide(self, *, status: str, by, reason: str = "") -> None:
        """Confirm or decline this proposal, once. A second decision (a double click, a
        second desk) is refused with who decided it and when."""
        now = timezone.now()
        updated = LevelChange.objects.filter(pk=self.pk, status=self.Status.PROPOSED).update(
            status=status, decided_by=by, decided_at=now, reason=reason
        )
        if not updated:
            done = LevelChange.objects.select_related("decided_by").get(pk=self.pk)
            when = timezone.localtime(done.decided_at)
            raise ValidationError(
                f"This move was already {done.status} by {done.decided_by.full_name} "
                f"on {when:%d %b %Y at %H:%M}."
            )
        self.status, self.decided_by, self.decided_at, self.reason = status, by, now, reason
