"""The admin takes a backup from the settings menu and sees it listed; axe checks it."""

from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from tests.browser.conftest import DESKTOP, nav_to
from tests.browser.test_login_browser import log_in


def test_admin_backs_up_now_and_sees_the_backup(demo, make_page, a11y, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEYS = []
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "admin@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)
    nav_to(page, "Settings", "Backups")
    expect(page.get_by_role("heading", level=1)).to_have_text("Backups")
    expect(page.get_by_text("No backups yet")).to_be_visible()
    a11y.check(page)

    page.get_by_role("button", name="Back up now").click()
    expect(page.get_by_text("written.")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table.get_by_role("link", name="Download")).to_have_attribute(
        "href", f"/settings/backups/{next(settings.BACKUP_DIR.iterdir()).name}"
    )
    a11y.check(page)
