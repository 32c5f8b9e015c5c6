"""The access matrix: which roles may open each URL of ours, gathered from every area.

Each area of the app keeps its rows in `tests/<area>/access_rows*.py` as `ROWS`, a dict of
URL name to `Row`. `tests/accounts/test_access.py` merges them, fails on a URL of ours
that has no row (or no declared rule), and requests every row as anonymous and as each
role. Rows are written by hand, independently of the decorators on the views.
"""

from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from accounts.access import PUBLIC
from accounts.models import Role

ALL = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.OFFICE})


@dataclass(frozen=True)
class Row:
    """`allowed`: roles that get 200 (or PUBLIC). Other roles get `refused` (403, or
    404 where the object's existence is private). `kwargs(request)` builds the URL's
    arguments from pytest fixtures (`request.getfixturevalue("student")`)."""

    allowed: frozenset | str
    kwargs: object = field(default=lambda request: {})
    refused: int = 403
    # What a role's decorator declares, when it differs from `allowed` because the view
    # lets more roles in and then answers 404 for objects that are not theirs.
    declared: frozenset | None = None


def all_rows() -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for path in sorted(Path(__file__).parent.glob("*/access_rows*.py")):
        module = import_module(f"tests.{path.parent.name}.{path.stem}")
        overlap = rows.keys() & module.ROWS.keys()
        assert not overlap, f"URL names in two access_rows modules: {overlap}"
        rows.update(module.ROWS)
    return rows


__all__ = ["ALL", "PUBLIC", "STAFF", "Row", "all_rows"]
