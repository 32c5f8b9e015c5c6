"""The office reads the outbox at desktop size, filters it to the failed sends and
resends one; every page passes axe."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from accounts.notifications.models import Channel, Kind, Message
from tests.browser.conftest import DESKTOP, nav_to
from tests.browser.test_login_browser import log_in
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def office_with_messages(live_server, django_db_blocker):
    with django_db_blocker.unblock():
        UserFactory(role=Role.OFFICE, email="desk@example.test", full_name="Devi Desk")
        now = timezone.now()
        for n in range(3):
            Message.objects.create(
                kind=Kind.RECEIPT, channel=Channel.EMAIL, event=f"receipt:R-{n}",
                to=f"family{n}@example.test", subject=f"Receipt R-{n}", body="Thank you",
                status=Message.Status.SENT, attempts=1, sent_at=now,
                created_at=now - timedelta(hours=n + 1),
            )  # fmt: skip
        Message.objects.create(
            kind=Kind.FEE_REMINDER, channel=Channel.EMAIL, event="fee-reminder:1",
            to="late.payer@example.test", subject="Fees due", body="Please pay",
            status=Message.Status.FAILED, attempts=5,
            last_error="SMTPDataError: (451, b'4.3.0 Try again later')",
        )  # fmt: skip
    return live_server


def test_office_filters_the_outbox_and_resends_a_failed_message(
    office_with_messages, make_page, a11y
):
    page = make_page(DESKTOP)
    log_in(page, a11y, office_with_messages.url, "desk@example.test", PASSWORD)
    a11y.check(page)
    nav_to(page, "People", "Outbox (emails, texts)")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    expect(page.get_by_role("cell", name="family0@example.test", exact=True)).to_be_visible()
    a11y.check(page)

    page.get_by_label("Status").select_option("failed")  # htmx swaps the list
    expect(page.get_by_role("cell", name="family0@example.test", exact=True)).to_have_count(0)
    expect(page.get_by_role("cell", name="late.payer@example.test", exact=True)).to_be_visible()
    expect(page).to_have_url(
        f"{office_with_messages.url}/notifications/outbox/?status=failed&kind=all"
    )
    a11y.check(page)

    page.get_by_role("button", name="Resend the message to late.payer@example.test").click()
    expect(
        page.get_by_text("Sending the message to late.payer@example.test again.")
    ).to_be_visible()
    # Sent now: no longer among the failed ones.
    expect(page.get_by_text("No messages here.")).to_be_visible()
    a11y.check(page)
