from accounts.models import Role
from tests.access import STAFF, Row

FAMILY = frozenset({Role.STUDENT, Role.GUARDIAN})

ROWS = {
    # Summaries (fees_views).
    "fees:summary": Row(STAFF),
    "fees:cash_close": Row(STAFF),
    # `student` and their `guardian` see this statement; another family gets 404 (tested
    # in test_statement.py); a teacher gets 403.
    "fees:student_statement": Row(
        STAFF | FAMILY, kwargs=lambda request: {"pk": request.getfixturevalue("student").pk}
    ),
    "fees:mine": Row(FAMILY),
}
