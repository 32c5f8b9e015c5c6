"""The per-lesson mark tally. It belongs to the `attendance` app (imported at the end of
attendance/models.py, so the app label and migrations stay in attendance)."""

from django.db import models


class LessonTally(models.Model):
    """How many marks of each status one lesson has: kept by database triggers on the
    marks table in the transaction of the mark's own write (migration 0009), so the
    attendance reports by batch and by teacher add up a row per lesson, not a row per
    mark. A row exists only while its lesson has a mark (the lesson counts as "held
    with marks"). `manage.py check_attendance_tallies` compares the rows with the
    marks. Written only by the triggers and that command's repair."""

    # DO_NOTHING: a lesson with a row has marks, which protect it from deletion anyway,
    # and deleting lessons without marks (timetable changes) costs no extra query.
    lesson = models.OneToOneField(
        "attendance.Lesson", on_delete=models.DO_NOTHING, primary_key=True, related_name="+"
    )
    present = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    absent = models.IntegerField(default=0)
    excused = models.IntegerField(default=0)

    def __str__(self):
        return f"lesson {self.lesson_id}: {self.present}/{self.late}/{self.absent}/{self.excused}"
