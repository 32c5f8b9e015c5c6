"""The lesson note. It belongs to the `attendance` app (imported at the end of
attendance/models.py, so the app label and migrations stay in attendance)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from accounts.models import Student

# "A page": each field holds at most this many characters (the service refuses longer
# text with a sentence; the database refuses it too).
NOTE_MAX_CHARS = 2000


class LessonNote(models.Model):
    """What a lesson covered and what to practise: for the whole batch (`student` empty)
    or for one student on the lesson's roster. One of each per lesson (constraints).

    `written_at` is when the text was written (the tablet's time, brought onto the
    server's clock like a mark's tap): a resend from the offline queue that is older than
    the stored text is ignored, so the newest text wins. `updated_at` is when the server
    last stored it.
    """

    lesson = models.ForeignKey("attendance.Lesson", on_delete=models.PROTECT, related_name="notes")
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, null=True, blank=True, related_name="lesson_notes"
    )
    covered = models.TextField("what the lesson covered", max_length=NOTE_MAX_CHARS, blank=True)
    practice = models.TextField("what to practise", max_length=NOTE_MAX_CHARS, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lesson_notes_written"
    )
    written_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["student", "lesson"], name="lessonnote_student_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "student"],
                condition=Q(student__isnull=False),
                name="lessonnote_one_per_student",
            ),
            models.UniqueConstraint(
                fields=["lesson"],
                condition=Q(student__isnull=True),
                name="lessonnote_one_per_batch",
            ),
            models.CheckConstraint(
                condition=Q(LessThanOrEqual(Length("covered"), NOTE_MAX_CHARS))
                & Q(LessThanOrEqual(Length("practice"), NOTE_MAX_CHARS)),
                name="lessonnote_at_most_a_page",
            ),
        ]

    def __str__(self):
        return f"note on {self.lesson_id} for {self.student_id or 'the batch'}"

    @property
    def is_empty(self) -> bool:
        return not (self.covered or self.practice)
