"""Backup files: names, listing, pruning, and encryption streamed in chunks.

A backup is `musicbeats-2026-12-01T023015.sqlite3` (or `.pgdump`), named by the instant
it was taken in the institute's zone, with `.enc` appended when `BACKUP_KEY` is set. Names
sort in time order. Only files with such a name are listed, served or pruned.

Encryption uses Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`), which seals
one message at a time, so a file is cut into chunks of `CHUNK` bytes, each sealed as its
own token carrying its index and a last-chunk flag: memory stays at one chunk whatever
the database's size, and a reordered, dropped or truncated chunk fails to decrypt.
"""

import base64
import os
import re
import struct
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils import timezone

PREFIX = "musicbeats-"
ENCRYPTED_SUFFIX = ".enc"
EXTENSIONS = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
NAME_RE = re.compile(
    r"^musicbeats-(?P<stamp>\d{4}-\d{2}-\d{2}T\d{6})(?:-(?P<n>\d{1,3}))?"
    r"(?P<ext>\.sqlite3|\.pgdump)(?P<enc>\.enc)?$"
)
STAMP_FORMAT = "%Y-%m-%dT%H%M%S"
MAGIC = b"MUSICBEATS-BACKUP-FERNET-1\n"
CHUNK = 4 * 1024 * 1024
_HEADER = struct.Struct(">QB")  # chunk index, last-chunk flag (inside the sealed token)
_LENGTH = struct.Struct(">I")  # token length (outside)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime
    vendor: str
    encrypted: bool
    size: int
    # 2 for musicbeats-…T100000-2.sqlite3, the second backup within one second.
    seq: int = 1

    @property
    def name(self) -> str:
        return self.path.name


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def parse(path: Path) -> BackupFile | None:
    """The backup a path names, or None for any other file."""
    match = NAME_RE.match(path.name)
    if match is None:
        return None
    naive = datetime.strptime(match["stamp"], STAMP_FORMAT)
    vendor = "sqlite" if match["ext"] == ".sqlite3" else "postgresql"
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = 0
    return BackupFile(
        path=path,
        taken_at=timezone.make_aware(naive),
        vendor=vendor,
        encrypted=bool(match["enc"]),
        size=size,
        seq=int(match["n"] or 1),
    )


def new_path(vendor: str, *, encrypted: bool) -> Path:
    """A free name for a backup taken now; within one second, numbered after the others."""
    folder = backup_dir()
    stamp = timezone.localtime().strftime(STAMP_FORMAT)
    tail = EXTENSIONS[vendor] + (ENCRYPTED_SUFFIX if encrypted else "")
    same_second = [b.seq for b in list_backups() if b.name.startswith(f"{PREFIX}{stamp}")]
    if not same_second:
        return folder / f"{PREFIX}{stamp}{tail}"
    return folder / f"{PREFIX}{stamp}-{max(same_second) + 1}{tail}"


def list_backups() -> list[BackupFile]:
    """The backups in BACKUP_DIR, newest first."""
    folder = backup_dir()
    if not folder.is_dir():
        return []
    found = [parse(entry) for entry in folder.iterdir() if entry.is_file()]
    return sorted(
        (backup for backup in found if backup is not None),
        key=lambda b: (b.taken_at, b.seq, b.name),
        reverse=True,
    )


def find(name: str) -> BackupFile | None:
    """The backup called `name` in BACKUP_DIR; None for any other name (no paths)."""
    if NAME_RE.match(name) is None:
        return None
    path = backup_dir() / name
    return parse(path) if path.is_file() else None


def prune(keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; return what was deleted."""
    old = [backup.path for backup in list_backups()[keep:]]
    for path in old:
        path.unlink(missing_ok=True)
    return old


# Encryption ----------------------------------------------------------------------------


def _fernet() -> MultiFernet:
    keys = settings.BACKUP_KEYS
    if not keys:
        raise BackupError("This backup is encrypted: set BACKUP_KEY to the key it was made with.")
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_stream(source: BinaryIO, target: BinaryIO) -> None:
    fernet = _fernet()
    target.write(MAGIC)
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        # Fernet tokens are base64 text; stored as their raw bytes (a quarter smaller).
        token = base64.urlsafe_b64decode(fernet.encrypt(_HEADER.pack(index, last) + chunk))
        target.write(_LENGTH.pack(len(token)) + token)
        if last:
            return
        chunk, index = following, index + 1


def decrypt_stream(source: BinaryIO, target: BinaryIO) -> None:
    fernet = _fernet()
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("This file is not an encrypted MusicBeats backup.")
    index = 0
    while True:
        length = source.read(_LENGTH.size)
        if len(length) < _LENGTH.size:
            raise BackupError("The encrypted backup is truncated (its last part is missing).")
        token = source.read(_LENGTH.unpack(length)[0])
        try:
            plain = fernet.decrypt(base64.urlsafe_b64encode(token))
        except InvalidToken:
            raise BackupError(
                "The backup cannot be decrypted: BACKUP_KEY is not the key it was made "
                "with, or the file is damaged."
            ) from None
        got_index, last = _HEADER.unpack_from(plain)
        if got_index != index:
            raise BackupError("The encrypted backup's parts are out of order.")
        target.write(plain[_HEADER.size :])
        if last:
            if source.read(1):
                raise BackupError("The encrypted backup has data after its last part.")
            return
        index += 1


def encrypt_file(plain: Path, sealed: Path) -> None:
    with plain.open("rb") as source, sealed.open("wb") as target:
        encrypt_stream(source, target)
        target.flush()
        os.fsync(target.fileno())


def decrypt_file(sealed: Path, plain: Path) -> None:
    with sealed.open("rb") as source, plain.open("wb") as target:
        decrypt_stream(source, target)
