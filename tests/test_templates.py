"""Checks on the templates themselves, for what no single page's data would show."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / app for app in ("accounts", "attendance", "fees")]
TEMPLATE_DIRS.append(Path(settings.BASE_DIR) / "templates")


def templates():
    for folder in TEMPLATE_DIRS:
        yield from folder.rglob("*.html")


def test_every_sideways_scrolling_table_can_be_reached_by_keyboard():
    """axe's scrollable-region-focusable: a `.table-responsive` that overflows (on a phone,
    or with a long name on the desk) must be focusable and named, whatever the data."""
    wrappers = 0
    missing = []
    for path in templates():
        for tag in re.findall(r"<div[^>]*\btable-responsive\b[^>]*>", path.read_text()):
            wrappers += 1
            if 'tabindex="0"' not in tag or 'role="region"' not in tag or "aria-label=" not in tag:
                missing.append(f"{path.relative_to(settings.BASE_DIR)}: {tag}")
    assert wrappers > 20  # the scan found the templates
    assert not missing, "\n".join(missing)
