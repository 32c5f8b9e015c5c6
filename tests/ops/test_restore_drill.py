"""The restore drill: backups taken while fee desks record payments restore whole.

Desks (threads, each on its own connection) record payments through
`fees.services.record_payment` while `take_backup` runs. The backup is restored into a
separate database (a file on SQLite; `<test database>_restore` on PostgreSQL, created and
dropped here) and must pass `integrity_check` (SQLite) and the migration plan check, hold
every payment acknowledged before the backup began, nothing that was never acknowledged,
and receipt numbers 1..N without a gap.

Then the receipt counters: restoring an older backup over the live database moves the
counter past every number issued, lists the numbers issued after the backup with what the
live database knew of them, and the next payment gets the next number, never one that
was already handed out.

The short drill runs in `make test`; the `soak` variant (more desks, several backups, a
longer load) runs in `make soak`.
"""

import random
import threading
import time
import uuid
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Counter
from fees import services
from fees.models import Payment
from musicbeats.backups import engines
from musicbeats.backups.archive import BackupError
from musicbeats.backups.services import restore_backup, take_backup
from musicbeats.dates import financial_year_label
from tests.factories import GuardianshipFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def this_year() -> str:
    """The financial year of the suite's instant (`2026-27` on the default pinned day)."""
    return financial_year_label(timezone.localdate())


@contextmanager
def separate_database(tmp_path):
    """Settings for an empty database beside the test database, dropped afterwards."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
        yield settings_dict
        return
    name = f"{settings_dict['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**settings_dict, "NAME": name}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Desks:
    """`count` fee desks recording payments until stopped; what each was told is kept."""

    def __init__(self, count, students, clerk):
        self.students, self.clerk = students, clerk
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged: list[uuid.UUID] = []  # in the order the desks were told "saved"
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._desk, args=(n,)) for n in range(count)]

    def _desk(self, n):
        rng = random.Random(n)
        try:
            while not self.stop.is_set():
                key = uuid.uuid4()
                services.record_payment(
                    student=rng.choice(self.students),
                    amount=Decimal(rng.randrange(100, 5000)),
                    method="cash",
                    recorded_by=self.clerk,
                    idempotency_key=key,
                )
                with self.lock:
                    self.acknowledged.append(key)
        except BaseException as error:  # reported to the test
            self.errors.append(error)
        finally:
            connection.close()

    def seen(self) -> set[uuid.UUID]:
        with self.lock:
            return set(self.acknowledged)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(60)
        assert not self.errors, self.errors

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while len(self.seen()) < count:
            assert time.monotonic() < deadline, "the desks recorded too little"
            assert not self.errors, self.errors
            time.sleep(0.01)


def ledger(settings_dict) -> list[tuple[uuid.UUID, str, int]]:
    with engines.django_connection(settings_dict) as wrapper, wrapper.cursor() as cursor:
        cursor.execute("SELECT idempotency_key, financial_year, receipt_sequence FROM fees_payment")
        return [(uuid.UUID(str(key)), year, seq) for key, year, seq in cursor.fetchall()]


def counter(settings_dict, key) -> int:
    with engines.django_connection(settings_dict) as wrapper, wrapper.cursor() as cursor:
        cursor.execute('SELECT "value" FROM accounts_counter WHERE "key" = %s', [key])
        return cursor.fetchone()[0]


def drill(tmp_path, *, desks, backups, settle_between):
    students = [StudentFactory() for _ in range(6)]
    clerk = UserFactory(role="office")
    taken = []
    with Desks(desks, students, clerk) as load:
        load.wait_for(5)
        for _ in range(backups):
            before = load.seen()
            backup = take_backup()
            taken.append((backup, before, load.seen()))
            load.wait_for(len(load.seen()) + settle_between)
    acknowledged = load.seen()
    assert len(acknowledged) > len(taken[-1][2])  # the desks kept writing after the backup

    for backup, before, after in taken:
        with separate_database(tmp_path) as target:
            report = restore_backup(backup.path, settings_dict=target)
            assert engines.problems(target) == []  # integrity_check, foreign_key_check ok
            assert engines.pending_migrations(target) == []  # migrate --check clean
            assert report.pending_migrations == []
            rows = ledger(target)
            keys = {key for key, _year, _seq in rows}
            assert before <= keys, "a payment acknowledged before the backup is missing"
            assert keys <= acknowledged, "the backup holds a payment nobody was told of"
            assert len(keys) == len(rows)
            assert len(before) <= len(rows) <= len(after) + desks
            sequences = sorted(seq for _key, year, seq in rows if year == this_year())
            assert sequences == list(range(1, len(rows) + 1)), "receipt numbers have a gap"
            assert counter(target, f"receipt:{this_year()}") == len(rows)
            assert report.lost == []  # an empty database knew of no later receipts


@pytest.mark.dates  # names and receipt years follow the day
def test_backups_taken_during_a_write_load_restore_whole(backup_settings, tmp_path):
    drill(tmp_path, desks=3, backups=1, settle_between=5)


@pytest.mark.soak
def test_soak_backups_during_a_long_write_load_restore_whole(backup_settings, tmp_path):
    drill(tmp_path, desks=8, backups=5, settle_between=60)


# The counters after a restore -----------------------------------------------------------


def pay(student, clerk, amount):
    payment, _created = services.record_payment(
        student=student,
        amount=Decimal(amount),
        method="upi",
        reference=f"UPI{amount}",
        recorded_by=clerk,
        idempotency_key=uuid.uuid4(),
    )
    return payment


@pytest.mark.dates  # names and receipt years follow the day
def test_a_restored_older_backup_never_hands_out_an_issued_receipt_number(
    backup_settings, office_user
):
    student = StudentFactory()
    for amount in ("100.00", "200.00", "300.00"):
        pay(student, office_user, amount)
    backup = take_backup()
    later = [pay(student, office_user, amount) for amount in ("410.00", "520.00")]

    report = restore_backup(backup.path)

    assert report.live_readable
    assert [lost.number for lost in report.lost] == [p.receipt_number for p in later]
    assert [lost.number for lost in report.lost] == [
        f"MB/{this_year()}/000004",
        f"MB/{this_year()}/000005",
    ]
    assert [lost.payment["amount"] for lost in report.lost] == [
        Decimal("410.00"),
        Decimal("520.00"),
    ]
    assert [lost.payment["reference"] for lost in report.lost] == ["UPI410.00", "UPI520.00"]
    assert report.counters[f"receipt:{this_year()}"] == (3, 5)
    assert Payment.objects.count() == 3
    assert Counter.objects.get(key=f"receipt:{this_year()}").value == 5
    assert pay(student, office_user, "99.00").receipt_number == f"MB/{this_year()}/000006"


@pytest.mark.dates  # receipt years follow the day
def test_a_lost_family_receipt_is_listed_once_with_the_family_total(backup_settings, office_user):
    """A family payment is one receipt number with a row per child: the restore report
    lists the number once, with the whole amount and every child."""
    guardian = UserFactory(role="guardian")
    children = [StudentFactory(), StudentFactory()]
    for child in children:
        GuardianshipFactory(student=child, guardian=guardian)
    pay(children[0], office_user, "100.00")
    backup = take_backup()
    group, _created = services.record_family_payment(
        guardian=guardian,
        amounts={children[0]: Decimal("300.00"), children[1]: Decimal("450.00")},
        method="upi",
        reference="FAMILY750",
        recorded_by=office_user,
        idempotency_key=uuid.uuid4(),
    )

    report = restore_backup(backup.path)

    assert [lost.number for lost in report.lost] == [group.receipt_number]
    (lost,) = report.lost
    assert lost.payment["amount"] == Decimal("750.00")
    assert lost.payment["student_id"] == f"{children[0].pk}, {children[1].pk}"


@pytest.mark.dates  # names and receipt years follow the day
def test_with_the_live_database_lost_the_printed_receipts_set_the_counter(
    backup_settings, office_user, tmp_path
):
    student = StudentFactory()
    for amount in ("100.00", "200.00"):
        pay(student, office_user, amount)
    backup = take_backup()
    with separate_database(tmp_path) as target:  # a new disk: nothing to read
        report = restore_backup(backup.path, settings_dict=target, issued_up_to={this_year(): 5})
        assert not report.live_readable
        assert [(lost.number, lost.payment) for lost in report.lost] == [
            (f"MB/{this_year()}/000003", None),
            (f"MB/{this_year()}/000004", None),
            (f"MB/{this_year()}/000005", None),
        ]
        assert counter(target, f"receipt:{this_year()}") == 5


@pytest.mark.dates  # names and receipt years follow the day
def test_a_counter_behind_the_ledger_is_moved_up_to_it(backup_settings, office_user, tmp_path):
    # What dumpdata/loaddata did (issue 12): a counter behind the ledger would make every
    # new payment fail on the unique receipt number.
    student = StudentFactory()
    for amount in ("100.00", "200.00", "300.00"):
        pay(student, office_user, amount)
    Counter.objects.filter(key=f"receipt:{this_year()}").update(value=1)
    backup = take_backup()
    with separate_database(tmp_path) as target:
        report = restore_backup(backup.path, settings_dict=target)
        assert counter(target, f"receipt:{this_year()}") == 3
        assert report.counters[f"receipt:{this_year()}"] == (1, 3)
        assert report.lost == []


def test_migrate_check_sees_an_older_backup_and_restore_reports_it(backup_settings, tmp_path):
    from django.db.migrations.loader import MigrationLoader

    # The backup of a database one fees migration behind the code: the newest one.
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    (newest,) = [name for app, name in graph.leaf_nodes() if app == "fees"]
    backup = take_backup()
    with separate_database(tmp_path) as target:
        restore_backup(backup.path, settings_dict=target)
        with engines.django_connection(target) as wrapper, wrapper.cursor() as cursor:
            cursor.execute(
                "DELETE FROM django_migrations WHERE app = 'fees' AND name = %s", [newest]
            )
        assert engines.pending_migrations(target) == [f"fees.{newest}"]
        assert engines.problems(target) == []


def test_a_file_that_is_no_musicbeats_database_is_refused(backup_settings, tmp_path):
    import sqlite3

    if connection.vendor != "sqlite":
        pytest.skip("pg_restore refuses a file that is not a dump by itself")
    stranger = tmp_path / "musicbeats-2026-11-18T090000.sqlite3"
    with sqlite3.connect(stranger) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    with separate_database(tmp_path) as target, pytest.raises(BackupError, match="no MusicBeats"):
        restore_backup(stranger, settings_dict=target)


def test_a_restored_database_has_planner_statistics(backup_settings, office_user, tmp_path):
    # A PostgreSQL dump carries no statistics; the planner would guess on the restored
    # ledger until an ANALYZE (issue 16). The source's own are forgotten first, so a
    # SQLite copy cannot bring them along.
    student = StudentFactory()
    for amount in ("100.00", "200.00", "300.00"):
        pay(student, office_user, amount)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    backup = take_backup()
    with separate_database(tmp_path) as target:
        restore_backup(backup.path, settings_dict=target)
        with engines.django_connection(target) as wrapper, wrapper.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'fees_payment'")
            else:
                cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'fees_payment'")
            assert cursor.fetchone()[0] > 0
