"""The institute's fee reminder settings (issue 14; `manage.py send_fee_reminders`,
fees/reminders.py): before the due day, on it, and every few days after it a few times,
each step on or off. Kept in their own abstract model so `accounts/models.py` stays small.
"""

from django.db import models

from accounts.institute.identity import ReceiptIdentity
from accounts.institute.lesson_notices import LessonNoticeSettings

# At most 27 days before (the due day is at most the 28th, so one "before" a month),
# every 1 to 30 days after, at most 12 times. The form and a database check say the same.
REMINDER_LIMITS = {"before_days": 27, "after_every": 30, "after_times": 12}

# Institute.Meta.constraints adds these (the bounds above, for any client).
REMINDER_CONSTRAINTS = [
    models.CheckConstraint(
        condition=models.Q(
            reminder_before_days__gte=1,
            reminder_before_days__lte=REMINDER_LIMITS["before_days"],
            reminder_after_every__gte=1,
            reminder_after_every__lte=REMINDER_LIMITS["after_every"],
            reminder_after_times__gte=1,
            reminder_after_times__lte=REMINDER_LIMITS["after_times"],
        ),
        name="institute_reminder_bounds",
    )
]


class ReminderSettings(models.Model):
    reminder_before = models.BooleanField("Remind before the due day", default=True)
    reminder_before_days = models.PositiveSmallIntegerField(default=3)
    reminder_on_due_day = models.BooleanField("Remind on the due day", default=True)
    reminder_after = models.BooleanField("Remind after the due day", default=True)
    reminder_after_every = models.PositiveSmallIntegerField(default=7)
    reminder_after_times = models.PositiveSmallIntegerField(default=3)

    class Meta:
        abstract = True


class InstituteParts(ReceiptIdentity, ReminderSettings, LessonNoticeSettings):
    """The institute's settings kept in their own modules: the receipt identity
    (accounts/institute/identity.py), the fee reminders (here) and the lesson messages
    (accounts/institute/lesson_notices.py)."""

    class Meta:
        abstract = True
