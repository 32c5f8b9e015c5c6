"""Each test starts with an empty database, so with the institute's defaults: the copy of
the institute row that pages keep in memory (accounts/institute/memory.py) is reset to them,
without a query, so that nothing a previous test saved (and rolled back) shows."""

import pytest

from accounts.institute import memory as institute
from accounts.models import Institute


@pytest.fixture(autouse=True)
def _institute_defaults_in_memory():
    institute.remember_institute(Institute(pk=1))  # the defaults, without a query
    yield
    institute.forget()
