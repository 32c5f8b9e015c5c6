import pytest

from accounts.models import Institute


@pytest.fixture
def institute(db):
    """The institute's settings row, made before a query budget is counted (its first
    read creates it)."""
    return Institute.get()
