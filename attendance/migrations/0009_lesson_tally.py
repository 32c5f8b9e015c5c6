"""Mark tallies per lesson, kept by the database (issue 16).

The attendance reports by teacher and by batch counted every mark of the range: a term
of a large institute is some 125,000 marks read for a page of sixty rows. A small table
now holds each lesson's count of marks by status, written by triggers on
attendance_mark in the transaction of the mark's own write: an INSERT adds the mark to
its lesson, an UPDATE of its status or lesson moves it (the roll call's taps and the
office's corrections change the status in place), a DELETE takes it away (the app never
deletes a mark, but a flush or a hand repair does). A lesson's row is removed when its
last mark goes, so a row means "the lesson has marks". Bulk inserts (the demo, "mark
everyone present", imports in plain SQL) go through the same triggers. The reports then
read one row per lesson joined to the lesson, whose date, status and teachers still
decide what counts, so moving or cancelling a lesson needs no trigger.
`manage.py check_attendance_tallies` compares the rows with the marks (and repairs).

As with fees 0011: a later migration that makes Django rebuild attendance_mark on
SQLite (most field changes there) drops these triggers and must run this SQL again
(tests/attendance/test_lesson_tallies.py fails if they are gone).
"""

import django.db.models.deletion
from django.db import migrations, models

STATUSES = ("present", "late", "absent", "excused")
COLUMNS = ", ".join(STATUSES)


def _is(row: str, status: str) -> str:
    return f"CASE WHEN {row}.status = '{status}' THEN 1 ELSE 0 END"


def _add(row: str, *, alias: str = "") -> str:
    """The upsert that counts `row` (NEW) in its lesson's tally. PostgreSQL needs the
    table's alias in the update (`t.present`); SQLite allows none inside a trigger."""
    values = ", ".join(_is(row, s) for s in STATUSES)
    table = f"attendance_lessontally AS {alias}" if alias else "attendance_lessontally"
    stored = f"{alias}." if alias else ""
    return f"""
    INSERT INTO {table} (lesson_id, {COLUMNS})
    VALUES ({row}.lesson_id, {values})
    ON CONFLICT (lesson_id) DO UPDATE SET
        {", ".join(f"{s} = {stored}{s} + excluded.{s}" for s in STATUSES)};"""


def _take(row: str) -> str:
    """Take `row` (OLD) out of its lesson's tally; drop the row once it counts nothing."""
    return f"""
    UPDATE attendance_lessontally
    SET {", ".join(f"{s} = {s} - {_is(row, s)}" for s in STATUSES)}
    WHERE lesson_id = {row}.lesson_id;
    DELETE FROM attendance_lessontally
    WHERE lesson_id = {row}.lesson_id AND {" AND ".join(f"{s} = 0" for s in STATUSES)};"""


BACKFILL = [
    f"""
INSERT INTO attendance_lessontally (lesson_id, {COLUMNS})
SELECT m.lesson_id, {", ".join(f"SUM({_is('m', s)})" for s in STATUSES)}
FROM attendance_mark m GROUP BY m.lesson_id
"""
]

POSTGRES = [
    f"""
CREATE OR REPLACE FUNCTION attendance_mark_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.lesson_id = NEW.lesson_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN{_take("OLD")}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN{_add("NEW", alias="t")}
    END IF;
    RETURN NULL;
END;
$$;
""",
    "DROP TRIGGER IF EXISTS attendance_mark_tally ON attendance_mark;",
    """
CREATE TRIGGER attendance_mark_tally
AFTER INSERT OR UPDATE OF status, lesson_id OR DELETE ON attendance_mark
FOR EACH ROW EXECUTE FUNCTION attendance_mark_tally();
""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS attendance_mark_tally ON attendance_mark;",
    "DROP FUNCTION IF EXISTS attendance_mark_tally();",
]

SQLITE = [
    "DROP TRIGGER IF EXISTS attendance_mark_tally_insert;",
    f"""
CREATE TRIGGER attendance_mark_tally_insert AFTER INSERT ON attendance_mark
BEGIN{_add("NEW")}
END;
""",
    "DROP TRIGGER IF EXISTS attendance_mark_tally_update;",
    f"""
CREATE TRIGGER attendance_mark_tally_update AFTER UPDATE OF status, lesson_id ON attendance_mark
WHEN OLD.status IS NOT NEW.status OR OLD.lesson_id IS NOT NEW.lesson_id
BEGIN{_take("OLD")}{_add("NEW")}
END;
""",
    "DROP TRIGGER IF EXISTS attendance_mark_tally_delete;",
    f"""
CREATE TRIGGER attendance_mark_tally_delete AFTER DELETE ON attendance_mark
BEGIN{_take("OLD")}
END;
""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS attendance_mark_tally_insert;",
    "DROP TRIGGER IF EXISTS attendance_mark_tally_update;",
    "DROP TRIGGER IF EXISTS attendance_mark_tally_delete;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):  # pragma: no cover - only these two
        raise NotImplementedError(f"No lesson tally triggers for {vendor}.")
    for statement in [*BACKFILL, *(POSTGRES if vendor == "postgresql" else SQLITE)]:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES_DROP if vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0008_exams"),
    ]

    operations = [
        migrations.CreateModel(
            name="LessonTally",
            fields=[
                (
                    "lesson",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="attendance.lesson",
                    ),
                ),
                ("present", models.IntegerField(default=0)),
                ("late", models.IntegerField(default=0)),
                ("absent", models.IntegerField(default=0)),
                ("excused", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
