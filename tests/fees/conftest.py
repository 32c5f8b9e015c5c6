import pytest

from accounts.models import Institute
from tests.institute_memory import _institute_defaults_in_memory  # noqa: F401


@pytest.fixture
def institute(db):
    """The institute's settings row, made before a query budget is counted (its first
    read creates it)."""
    return Institute.get()
