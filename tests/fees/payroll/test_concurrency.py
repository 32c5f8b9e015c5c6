"""Two offices approve the same month at once: one approval, one set of lines.

SQLite serialises writers (IMMEDIATE transactions), so the race cannot happen there and
this test is skipped on it; on PostgreSQL both transactions run together and only the
conditional UPDATE from draft (fees.payroll.services.approve_statement) stops the second.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fees.payroll import services
from fees.payroll.models import PayLine, PayRule, PayStatement
from tests.factories import UserFactory
from tests.fees.payroll.helpers import last_month, rule
from tests.fees.test_concurrency import needs_real_concurrency, run_at_once

pytestmark = [pytest.mark.django_db(transaction=True), needs_real_concurrency]


def test_two_approvals_at_once_approve_once():
    teacher = UserFactory(role="teacher")
    office = UserFactory(role="office")
    rule(teacher, PayRule.Kind.MONTHLY, "10000")
    month = last_month()
    PayStatement.objects.create(teacher=teacher, month=month)

    def approve():
        return services.approve_statement(teacher=teacher, month=month, by=office)

    results = run_at_once([approve, approve, approve])
    approved = [r for r in results if isinstance(r, PayStatement)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(approved) == 1 and len(refused) == 2, results
    assert PayLine.objects.filter(statement__teacher=teacher).count() == 1
    assert PayStatement.objects.get(teacher=teacher).lines_total == Decimal("10000.00")
