"""Backups and restore of the institute's database (issue 12).

- `archive.py`: backup files in `settings.BACKUP_DIR`: names (the time they were taken, in
  the institute's zone), listing, keeping the last `BACKUP_KEEP`, streamed encryption.
- `engines.py`: a consistent copy while the app runs and putting one back, per database:
  SQLite through Python's `sqlite3` online backup API, PostgreSQL through `pg_dump -Fc` /
  `pg_restore`; checks through a Django connection (Django's SQL functions registered).
- `restore.py`: the restore procedure: refuse while the server runs, check, put back,
  move the counters forward, list the receipt numbers issued after the backup.
- `views.py`: the admin's page, `/settings/backups/`.

The commands are `manage.py backup` and `manage.py restore FILE`
(musicbeats/management/commands/).
"""
