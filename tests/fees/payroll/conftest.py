import pytest

from tests.fees.conftest import institute  # noqa: F401
from tests.institute_memory import _institute_defaults_in_memory  # noqa: F401


@pytest.fixture
def pay_month():
    """The month before the pinned today: over, so it can be approved."""
    from tests.fees.payroll.helpers import last_month

    return last_month()
