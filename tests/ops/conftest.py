import pytest


@pytest.fixture
def backup_settings(settings, tmp_path):
    """Backups in a folder of this test's own, no key, no server running."""
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEYS = []
    settings.BACKUP_KEEP = 14
    settings.SERVER_PIDFILE = tmp_path / "gunicorn.pid"
    return settings
