"""Each test starts with an empty database, so with the institute's defaults: the copy of
the institute row that pages keep in memory (accounts/institute/memory.py) is reset to them,
without a query, so that nothing a previous test saved (and rolled back) shows.

The copy does not expire on its own during a test: its TTL is real (monotonic) seconds, so
on a loaded machine a slow test could pass it and spend one query more than on a quiet one
(a query-budget test failed in CI that way). A test about expiry calls `forget()`, as
another worker or the TTL would."""

import pytest

from accounts.institute import memory as institute
from accounts.models import Institute


@pytest.fixture(autouse=True)
def _institute_defaults_in_memory(monkeypatch):
    monkeypatch.setattr(institute, "TTL", 24 * 3600.0)
    institute.remember_institute(Institute(pk=1))  # the defaults, without a query
    yield
    institute.forget()
