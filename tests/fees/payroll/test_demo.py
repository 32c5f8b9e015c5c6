"""The demo's teacher pay: rules, last month approved for the demo teacher, this month a
draft; seeding twice changes nothing."""

import pytest
from django.core.management import call_command

from fees.payroll.models import PayAdjustment, PayRule, PayStatement
from fees.payroll.selectors import month_rows
from tests.fees.payroll.helpers import last_month

pytestmark = pytest.mark.django_db


def test_demo_pay(institute):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (PayRule.objects.count(), PayStatement.objects.count(), PayAdjustment.objects.count())
    demo = PayStatement.objects.get(teacher__email="teacher@musicbeats.test", month=last_month())
    assert demo.status == PayStatement.Status.APPROVED and demo.lines_total > 0
    assert demo.adjustments.count() == 1
    assert PayStatement.objects.filter(status=PayStatement.Status.PAID).count() == 6
    rows = month_rows(last_month())
    assert any(row.status == "draft" and row.total > 0 for row in rows)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    again = (PayRule.objects.count(), PayStatement.objects.count(), PayAdjustment.objects.count())
    assert again == counts
