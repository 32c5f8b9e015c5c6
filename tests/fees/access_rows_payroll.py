"""Access rows for teacher pay (fees/payroll/urls.py)."""

from accounts.models import Role
from tests.access import STAFF, Row

TEACHER = frozenset({Role.TEACHER})


def _own_month(request):
    """The `teacher` fixture's last month: staff and that teacher may see it (another
    teacher gets 404: tests/fees/payroll/test_pages.py)."""
    from tests.fees.payroll.helpers import last_month

    return {"pk": request.getfixturevalue("teacher").pk, "month": f"{last_month():%Y-%m}"}


def _teacher(request):
    return {"pk": request.getfixturevalue("teacher").pk}


ROWS = {
    "payroll:month": Row(STAFF),
    "payroll:export": Row(STAFF),
    "payroll:mine": Row(TEACHER),
    "payroll:rules": Row(STAFF, kwargs=_teacher),
    "payroll:statement": Row(STAFF | TEACHER, kwargs=_own_month),
    "payroll:approve": Row(frozenset(), kwargs=_own_month, refused=405, declared=STAFF),
    "payroll:adjust": Row(frozenset(), kwargs=_own_month, refused=405, declared=STAFF),
    "payroll:pay": Row(frozenset(), kwargs=_own_month, refused=405, declared=STAFF),
}
