"""Nothing personal in the browser's cache (issue 11, item 5).

Every page of the access matrix is checked for its header as each role and anonymously
in tests/accounts/test_access.py; here the downloads, error pages, htmx fragments, the
calendar feed's own header and the static files' far-future caching.
"""

import pytest
from django.urls import reverse

from attendance.timetable.feed import feed_for
from tests.factories import PaymentFactory

NO_STORE = "no-store, private"


@pytest.fixture
def payment(student, office_user):
    return PaymentFactory(student=student.student, recorded_by=office_user)


def test_the_receipt_pdf_is_not_stored(client, student, payment):
    client.force_login(student)
    response = client.get(reverse("fees:payment_pdf", args=[payment.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == NO_STORE


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_fee_exports_are_not_stored(client, office_user, student, payment, fmt):
    client.force_login(office_user)
    for url in (
        reverse("fees:student_statement", args=[student.pk]),
        reverse("fees:summary"),
        reverse("fees:cash_close"),
    ):
        response = client.get(f"{url}?export={fmt}")
        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment"), url
        assert response["Cache-Control"] == NO_STORE, url


@pytest.mark.parametrize(
    "name", ["people:student_export", "people:guardian_export", "people:teacher_export"]
)
def test_people_csv_exports_are_not_stored(client, office_user, name):
    client.force_login(office_user)
    response = client.get(reverse(name))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == NO_STORE


def test_htmx_fragments_and_error_pages_are_not_stored(client, office_user, student):
    client.force_login(office_user)
    fragment = client.get(reverse("people:student_list") + "?q=Sai", headers={"hx-request": "true"})
    assert fragment.status_code == 200
    assert fragment["Cache-Control"] == NO_STORE
    missing = client.get(reverse("people:student_detail", args=[987654]))
    assert missing.status_code == 404
    assert missing["Cache-Control"] == NO_STORE


def test_anonymous_answers_are_not_stored_either(client, db):
    for url in ("/accounts/login/", "/accounts/password/reset/", "/healthz", "/fees/mine/"):
        response = client.get(url)
        assert response["Cache-Control"] == NO_STORE, url
        assert not response.has_header("Expires"), url


def test_the_calendar_feed_may_be_kept_privately_for_five_minutes(client, student):
    """Calendar apps poll the feed without a session; no shared cache may keep it."""
    url = reverse("timetable:feed", args=[feed_for(student).token])
    response = client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Cache-Control"] == "private, max-age=300"
    client.force_login(student)  # the same feed opened in a signed-in browser
    assert client.get(url)["Cache-Control"] == "private, max-age=300"
    assert client.get(url.replace(".ics", "x.ics"))["Cache-Control"] == NO_STORE  # a 404


def test_static_files_keep_their_own_caching(client, office_user):
    client.force_login(office_user)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]


def test_htmx_keeps_no_page_copies_in_local_storage(client, guardian):
    """htmx's history cache would keep pushed pages in localStorage, past a logout."""
    client.force_login(guardian)
    page = client.get("/").content.decode()
    assert '"historyCacheSize": 0' in page
    assert '"refreshOnHistoryMiss": true' in page
