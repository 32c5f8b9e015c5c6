"""Backups: files, encryption, keeping the newest, the commands' refusals, the admin's page.

The restore drill under a write load, and the receipt counters after a restore, are in
tests/ops/test_restore_drill.py."""

import io
import os
import time
import uuid
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from fees import services
from fees.models import Payment
from musicbeats.backups import archive
from musicbeats.backups.archive import BackupError
from musicbeats.backups.services import take_backup
from musicbeats.dates import financial_year_label
from tests.factories import StudentFactory

URL = "/settings/backups/"


def pay(student, by, amount="500.00"):
    payment, _created = services.record_payment(
        student=student,
        amount=Decimal(amount),
        method="cash",
        recorded_by=by,
        idempotency_key=uuid.uuid4(),
    )
    return payment


# Encryption ----------------------------------------------------------------------------


def _roundtrip(data: bytes) -> bytes:
    sealed, plain = io.BytesIO(), io.BytesIO()
    archive.encrypt_stream(io.BytesIO(data), sealed)
    archive.decrypt_stream(io.BytesIO(sealed.getvalue()), plain)
    return plain.getvalue()


def test_encryption_roundtrips_in_chunks(backup_settings, monkeypatch):
    backup_settings.BACKUP_KEYS = [Fernet.generate_key().decode()]
    monkeypatch.setattr(archive, "CHUNK", 1000)
    data = os.urandom(4500)
    assert _roundtrip(data) == data
    assert _roundtrip(b"") == b""
    sealed = io.BytesIO()
    archive.encrypt_stream(io.BytesIO(data), sealed)
    assert data[:64] not in sealed.getvalue()


def _sealed_chunks(data):
    sealed = io.BytesIO()
    archive.encrypt_stream(io.BytesIO(data), sealed)
    raw = sealed.getvalue()[len(archive.MAGIC) :]
    chunks = []
    while raw:
        (length,) = archive._LENGTH.unpack_from(raw)
        chunks.append(raw[: archive._LENGTH.size + length])
        raw = raw[archive._LENGTH.size + length :]
    return chunks


@pytest.mark.parametrize("damage", ["truncated", "reordered", "wrong key", "flipped byte"])
def test_a_damaged_or_foreign_encrypted_backup_is_refused(backup_settings, monkeypatch, damage):
    backup_settings.BACKUP_KEYS = [Fernet.generate_key().decode()]
    monkeypatch.setattr(archive, "CHUNK", 1000)
    chunks = _sealed_chunks(os.urandom(3500))
    assert len(chunks) == 4
    if damage == "truncated":
        chunks = chunks[:-1]
    elif damage == "reordered":
        chunks[1], chunks[2] = chunks[2], chunks[1]
    elif damage == "wrong key":
        backup_settings.BACKUP_KEYS = [Fernet.generate_key().decode()]
    else:
        chunks[1] = chunks[1][:20] + bytes([chunks[1][20] ^ 1]) + chunks[1][21:]
    with pytest.raises(BackupError):
        archive.decrypt_stream(io.BytesIO(archive.MAGIC + b"".join(chunks)), io.BytesIO())


def test_a_rotated_key_still_opens_old_backups(backup_settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    backup_settings.BACKUP_KEYS = [old]
    sealed = io.BytesIO()
    archive.encrypt_stream(io.BytesIO(b"ledger"), sealed)
    backup_settings.BACKUP_KEYS = [new, old]
    plain = io.BytesIO()
    archive.decrypt_stream(io.BytesIO(sealed.getvalue()), plain)
    assert plain.getvalue() == b"ledger"


# Names and keeping the newest ----------------------------------------------------------


@pytest.mark.dates  # names and receipt years follow the day
def test_backup_is_named_by_the_institute_time_and_the_newest_are_kept(
    backup_settings, transactional_db
):
    folder = backup_settings.BACKUP_DIR
    folder.mkdir()
    (folder / "notes.txt").write_text("not a backup")
    made = [take_backup(keep=2) for _ in range(4)]
    # The name carries the institute's time (10:00 IST = 04:30 UTC on the pinned day).
    assert made[0].name.startswith(timezone.localtime().strftime("musicbeats-%Y-%m-%dT%H"))
    ext = ".sqlite3" if connection.vendor == "sqlite" else ".pgdump"
    assert all(backup.name.endswith(ext) for backup in made)
    kept = [backup.name for backup in archive.list_backups()]
    assert kept == [made[3].name, made[2].name]
    assert (folder / "notes.txt").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no partial files
    assert oct(made[3].path.stat().st_mode & 0o777) == "0o600"


def test_a_killed_backup_leaves_no_temporary_file_behind_for_long(
    backup_settings, transactional_db
):
    folder = backup_settings.BACKUP_DIR
    folder.mkdir()
    old = folder / ".musicbeats-2026-11-17T023000.sqlite3.partial"
    recent = folder / ".musicbeats-2026-11-18T095959.sqlite3.partial"
    old.write_bytes(b"half")
    recent.write_bytes(b"being written")
    # File times against the process clock (pinned here, as time.time() is).
    now = time.time()
    os.utime(old, (now - 7200, now - 7200))
    os.utime(recent, (now - 60, now - 60))
    take_backup()
    assert not old.exists()
    assert recent.exists()


def test_names_outside_the_pattern_are_never_found(backup_settings):
    folder = backup_settings.BACKUP_DIR
    folder.mkdir()
    (folder / "musicbeats-2026-11-18T100000.sqlite3").write_bytes(b"x")
    (folder.parent / "db.sqlite3").write_bytes(b"the live database, beside the folder")
    (folder / "db.sqlite3").write_bytes(b"not named as a backup")
    assert archive.find("musicbeats-2026-11-18T100000.sqlite3") is not None
    for name in ("../db.sqlite3", "musicbeats-2026-11-18T100000.sqlite3/..", "db.sqlite3"):
        assert archive.find(name) is None


def no_stray_connections():
    """End the idle connections an earlier test's threads left to this test database
    (PostgreSQL). Nothing else runs in the test process, so they are leftovers, not the
    "other clients" a restore must refuse (that refusal has its own test below); seen in
    the date runs after the threaded race tests."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND state = 'idle'"
        )


@pytest.mark.dates  # names and receipt years follow the day
def test_an_encrypted_backup_holds_no_plain_data_and_restores(
    backup_settings, transactional_db, office_user
):
    backup_settings.BACKUP_KEYS = [Fernet.generate_key().decode()]
    student = StudentFactory(user__full_name="Plaintext Person")
    pay(student, office_user)
    backup = take_backup()
    assert backup.encrypted and backup.name.endswith(".enc")
    content = backup.path.read_bytes()
    assert content.startswith(archive.MAGIC)
    assert b"Plaintext Person" not in content and b"SQLite format 3" not in content
    pay(student, office_user)
    out = io.StringIO()
    no_stray_connections()
    call_command("restore", backup.name, "--yes-the-server-is-stopped", stdout=out)
    assert Payment.objects.count() == 1
    assert f"MB/{financial_year_label(timezone.localdate())}/000002" in out.getvalue()


# The commands --------------------------------------------------------------------------


def test_backup_command_prints_the_file(backup_settings, transactional_db):
    out = io.StringIO()
    call_command("backup", stdout=out)
    (backup,) = archive.list_backups()
    assert str(backup.path) in out.getvalue()


def test_restore_refuses_while_the_server_runs(backup_settings, transactional_db):
    backup = take_backup()
    backup_settings.SERVER_PIDFILE.write_text(str(os.getpid()))  # a live process
    with pytest.raises(CommandError, match="web server runs"):
        call_command("restore", backup.name, "--yes-the-server-is-stopped")


def test_restore_ignores_a_stale_pid_file(backup_settings, transactional_db):
    backup = take_backup()
    backup_settings.SERVER_PIDFILE.write_text("999999999")  # no such process
    no_stray_connections()
    call_command("restore", backup.name, "--yes-the-server-is-stopped", stdout=io.StringIO())


def test_restore_wants_the_confirmation(backup_settings, transactional_db):
    backup = take_backup()
    with pytest.raises(CommandError, match="--yes-the-server-is-stopped"):
        call_command("restore", backup.name)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL lists its clients")
def test_restore_refuses_while_other_clients_use_the_postgresql_database(
    backup_settings, transactional_db
):
    import psycopg

    backup = take_backup()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with (
        psycopg.connect(**params),
        pytest.raises(CommandError, match="other clients use the database"),
    ):
        call_command("restore", backup.name, "--yes-the-server-is-stopped")


def test_restore_refuses_a_damaged_sqlite_backup_and_keeps_the_database(
    backup_settings, transactional_db, office_user
):
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite file's own check; pg_restore refuses a damaged dump itself")
    pay(StudentFactory(), office_user)
    backup = take_backup()
    data = bytearray(backup.path.read_bytes())
    data[4096 * 3 : 4096 * 6] = b"\xff" * (4096 * 3)  # garble pages past the header
    backup.path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="failed its check; nothing was restored"):
        call_command("restore", backup.name, "--yes-the-server-is-stopped")
    assert Payment.objects.count() == 1


def test_restore_of_a_missing_file_says_so(backup_settings, db):
    with pytest.raises(CommandError, match="No backup called"):
        call_command(
            "restore", "musicbeats-2020-01-01T000000.sqlite3", "--yes-the-server-is-stopped"
        )


# The admin's page ----------------------------------------------------------------------


def test_admin_sees_the_backups_and_takes_one_now(backup_settings, client, admin_user):
    client.force_login(admin_user)
    page = client.get(URL)
    assert page.status_code == 200
    assert "No backups yet" in page.content.decode()
    response = client.post(URL, follow=True)
    (backup,) = archive.list_backups()
    body = response.content.decode()
    assert f"Backup {backup.name} written." in body
    assert f"{URL}{backup.name}" in body


def test_download_is_an_attachment_never_cached(backup_settings, client, admin_user):
    folder = backup_settings.BACKUP_DIR
    folder.mkdir()
    name = "musicbeats-2026-11-18T095500.sqlite3"
    (folder / name).write_bytes(b"the ledger")
    client.force_login(admin_user)
    response = client.get(f"{URL}{name}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"the ledger"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


@pytest.mark.parametrize(
    "name", ["musicbeats-2026-11-18T000000.sqlite3", "..%2Fdb.sqlite3", "settings.py"]
)
def test_download_of_anything_but_a_backup_is_404(backup_settings, client, admin_user, name):
    client.force_login(admin_user)
    assert client.get(f"{URL}{name}").status_code == 404


def test_office_may_neither_see_nor_take_backups(backup_settings, client, office_user):
    client.force_login(office_user)
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert archive.list_backups() == []


@pytest.mark.parametrize("count", [1, 40])
def test_backups_page_query_budget(
    backup_settings, client, admin_user, django_assert_max_num_queries, count
):
    folder = backup_settings.BACKUP_DIR
    folder.mkdir()
    for minute in range(count):
        (
            folder / f"musicbeats-2026-11-{1 + minute // 30:02d}T02{minute % 30:02d}00.sqlite3"
        ).write_bytes(b"x")
    client.force_login(admin_user)
    with django_assert_max_num_queries(4):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.content.decode().count("Download<span") == min(count, 30)
