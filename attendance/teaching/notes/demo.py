"""Demo lesson notes. Called by `seed_demo` after the lessons and marks exist.

Small institute: a batch note with practice on the last six past lessons of every batch
the demo teacher teaches or the demo family's children are in, and two personal notes
for the demo student (Kavya), so the guardian's Practice page has content.

`--scale large`: a batch note on every other past lesson of the large institute (bulk
inserts), so the family notes page is measured against a table of tens of thousands of
notes. Running it again adds nothing (lessons that have a note are skipped).
"""

from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Student, User
from attendance.models import Enrollment, Lesson
from attendance.teaching.notes.models import LessonNote

LESSONS_PER_BATCH = 6
BATCH_SIZE = 2000
COVERED = [
    "Warm-up scales in C and G major; the first half of the new piece, hands separately.",
    "Rhythm work: clapping the patterns in 3/4, then playing them slowly with a metronome.",
    "Revised last week's piece; started the second section and its fingering.",
    "Sight-reading four short lines; posture and breathing while playing.",
    "Varisai and alankaram in Mayamalavagowla; the pallavi of the new composition.",
    "Chords G, C, D and Em; strumming down-down-up, changing on the beat.",
]
PRACTICE = [
    "Ten minutes of scales every day, then the first half of the piece slowly (metronome 60).",
    "Clap each rhythm line three times before playing it; record yourself once this week.",
    "Second section, hands separately, five times each; mark the tricky bars in pencil.",
    "One sight-reading line a day; keep the shoulders relaxed.",
    "Alankaram in three speeds, twice a day; sing the pallavi along with the recording.",
    "Chord changes G to C and C to D, one minute each, every day.",
]
KAVYA_NOTES = [
    ("Kavya kept a steady tempo today: well done.", "Bars 9 to 12 slowly, left hand alone."),
    ("Kavya's fingering in the scale slips on the thumb-under.", "C major scale, hands apart."),
]


def seed(*, scale, password):
    made = seed_small()
    report = f"{made} notes"
    if scale == "large":
        report += f"; large: {seed_large()} notes"
    return report


def _without_notes(lessons):
    batch_note = LessonNote.objects.filter(lesson_id=OuterRef("pk"), student__isnull=True)
    return lessons.filter(~Exists(batch_note), status=Lesson.Status.SCHEDULED)


def _note(lesson, i, *, student=None, covered=None, practice=None) -> LessonNote:
    at = timezone.make_aware(datetime.combine(lesson.date, lesson.starts_at))
    return LessonNote(
        lesson=lesson,
        student=student,
        covered=covered or COVERED[i % len(COVERED)],
        practice=practice or PRACTICE[i % len(PRACTICE)],
        written_by_id=lesson.substitute_id or lesson.teacher_id,
        written_at=at,
        updated_at=at,
    )


def seed_small() -> int:
    teacher = User.objects.filter(email="teacher@musicbeats.test").first()
    kavya = Student.objects.filter(user__email="student@musicbeats.test").first()
    if teacher is None or kavya is None:
        return 0
    family = Enrollment.objects.filter(student__guardianships__guardian__wards=kavya)
    batch_ids = set(family.values_list("batch_id", flat=True))
    batch_ids |= set(
        Lesson.objects.filter(teacher=teacher)
        .exclude(batch__name__startswith="Large ")
        .values_list("batch_id", flat=True)
    )
    today = timezone.localdate()
    notes = []
    for batch_id in sorted(batch_ids):
        # The latest past lessons, whether or not they have a note yet (seeding again
        # adds nothing).
        past = Lesson.objects.filter(
            batch_id=batch_id, date__lt=today, status=Lesson.Status.SCHEDULED
        ).order_by("-date", "-starts_at")
        latest = list(past.values_list("pk", flat=True)[:LESSONS_PER_BATCH])
        for i, lesson in enumerate(_without_notes(Lesson.objects.filter(pk__in=latest))):
            notes.append(_note(lesson, i + batch_id))
    LessonNote.objects.bulk_create(notes)
    return len(notes) + _kavya_notes(kavya, today)


def _kavya_notes(kavya, today) -> int:
    """Two notes for Kavya on her latest lessons that have a batch note."""
    lessons = (
        Lesson.objects.filter(
            date__lt=today,
            batch__enrollments__student=kavya,
            notes__student__isnull=True,
        )
        .exclude(notes__student=kavya)
        .order_by("-date", "-starts_at")
        .distinct()
    )
    if LessonNote.objects.filter(student=kavya).exists():
        return 0
    notes = [
        _note(lesson, 0, student=kavya, covered=covered, practice=practice)
        for lesson, (covered, practice) in zip(lessons[:2], KAVYA_NOTES, strict=False)
    ]
    LessonNote.objects.bulk_create(notes)
    return len(notes)


def seed_large() -> int:
    """A batch note on every other past lesson of the large institute, in bulk."""
    today = timezone.localdate()
    large = Q(batch__name__startswith="Large ") | Q(batch__name__startswith="Keyboard ensemble")
    lessons = _without_notes(Lesson.objects.filter(large, date__lt=today)).order_by("pk")
    rows = lessons.values_list("pk", "date", "starts_at", "teacher_id", "substitute_id")
    made = 0
    batch = []
    for pk, day, starts_at, teacher_id, substitute_id in rows.iterator():
        if pk % 2:  # every other lesson, the same ones on every run
            continue
        lesson = Lesson(
            pk=pk, date=day, starts_at=starts_at, teacher_id=teacher_id, substitute_id=substitute_id
        )
        batch.append(_note(lesson, pk // 2))
        if len(batch) >= BATCH_SIZE:
            LessonNote.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    LessonNote.objects.bulk_create(batch)
    made += len(batch)
    if made and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE attendance_lessonnote")
    return made
