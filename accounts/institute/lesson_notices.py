"""The institute's switches for lesson messages (issue 14): the reminder the day before
a private lesson, and the notice to guardians of an absence (after a grace period, so a
mark corrected within it is never told). Both off by default: an institute turns on
what its families expect. Read by attendance's `send_lesson_reminders` and
`send_absence_notices` commands."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

MIN_GRACE_MINUTES, MAX_GRACE_MINUTES = 5, 240


class LessonNoticeSettings(models.Model):
    lesson_reminders = models.BooleanField(
        "Remind families the day before a private lesson",
        default=False,
        help_text="Sent once a day (send_lesson_reminders) to each private lesson's family.",
    )
    absence_notices = models.BooleanField(
        "Tell guardians when a student is marked absent",
        default=False,
        help_text="Sent once per lesson and student, after the wait below.",
    )
    absence_notice_minutes = models.PositiveSmallIntegerField(
        "Wait before telling of an absence (minutes)",
        default=10,
        validators=[MinValueValidator(MIN_GRACE_MINUTES), MaxValueValidator(MAX_GRACE_MINUTES)],
        help_text="A mark corrected within this many minutes is never told "
        f"({MIN_GRACE_MINUTES} to {MAX_GRACE_MINUTES}).",
    )

    class Meta:
        abstract = True
