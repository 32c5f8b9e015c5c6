"""Planner statistics after bulk writes (musicbeats/db_stats.py, issue 16 item 3): each
bulk write path asks for an ANALYZE of the tables it filled once its transaction commits,
and the ANALYZE really gathers statistics on both databases."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attendance.models import Lesson, Room
from attendance.timetable.generation import generate_lessons
from fees.models import Charge
from fees.services import generate_dues
from musicbeats import db_stats
from tests.factories import EnrollmentFactory, SlotFactory, TermFactory

NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def analyzed(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("ANALYZE")]


def has_statistics(table: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [table])
        else:
            cursor.execute("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:
                return False
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        return cursor.fetchone()[0] > 0


def forget_statistics(table: str) -> None:
    """Drop what an earlier test's ANALYZE left (rolled back with this test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DELETE FROM pg_statistic WHERE starelid = %s::regclass", [f'"{table}"'])
        else:
            cursor.execute("ANALYZE sqlite_schema")  # makes sure sqlite_stat1 exists
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [table])


def test_refresh_gathers_the_statistics_of_a_table(db):
    table = Room._meta.db_table
    Room.objects.bulk_create([Room(name=f"Room {n}") for n in range(40)])
    forget_statistics(table)
    assert not has_statistics(table)
    db_stats.refresh_statistics(table)
    assert has_statistics(table)


def test_a_bulk_write_analyzes_its_tables_after_the_commit(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(db_stats, "BULK_ROWS", 3)
    term = TermFactory(name="Nov", starts_on=NOV_1, ends_on=NOV_30)
    SlotFactory(term=term, weekday=0)  # five Mondays
    with CaptureQueriesContext(connection) as captured:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            generate_lessons(date_from=NOV_1, date_to=NOV_30)
        assert analyzed(captured) == []  # not inside the writing transaction
        for callback in callbacks:
            callback()
    (statement,) = analyzed(captured)
    assert Lesson._meta.db_table in statement


def test_a_small_write_does_not_analyze(db, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(db_stats, "BULK_ROWS", 6)
    term = TermFactory(name="Nov", starts_on=NOV_1, ends_on=NOV_30)
    SlotFactory(term=term, weekday=0)
    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        generate_lessons(date_from=NOV_1, date_to=NOV_30)
    assert analyzed(captured) == []


def test_a_month_of_dues_analyzes_the_charges(db, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(db_stats, "BULK_ROWS", 2)
    for _ in range(3):
        EnrollmentFactory(joined_on=date(2026, 10, 1))
    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert generate_dues(month=NOV_1) == 3
    (statement,) = analyzed(captured)
    assert Charge._meta.db_table in statement


def test_the_demo_analyzes_every_table(db):
    with CaptureQueriesContext(connection) as captured:
        call_command("seed_demo", stdout=StringIO())
    assert analyzed(captured) == ["ANALYZE"]


@pytest.mark.parametrize("rows", [0, 499])
def test_below_the_threshold_nothing_is_queued(db, rows, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        db_stats.after_bulk_write(rows, Lesson)
    assert callbacks == []


def test_a_csv_import_analyzes_the_people_tables(
    client, office_user, monkeypatch, django_capture_on_commit_callbacks
):
    from accounts.intake import imports
    from tests.factories import BatchFactory

    monkeypatch.setattr(db_stats, "BULK_ROWS", 1)
    BatchFactory(name="Keyboard Beginners · Sat")
    client.force_login(office_user)
    raw = client.get("/people/students/import/sample.csv").content
    stored = imports.store_upload(raw=raw, filename="sample.csv", by=office_user)
    imports.preview(stored)
    stored.refresh_from_db()
    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        imports.import_students(stored, by=office_user, confirmed_sha256=stored.sha256)
    statements = " ".join(analyzed(captured))
    for table in ("accounts_student", "accounts_user", "accounts_historicalstudent"):
        assert table in statements


def test_the_nightly_command_analyzes_every_table(db):
    with CaptureQueriesContext(connection) as captured:
        call_command("refresh_statistics", stdout=StringIO())
    assert analyzed(captured) == ["ANALYZE"]
