"""The in-app inbox (`/notifications/`) and the bell in every page's navigation."""

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.urls import reverse

from accounts.notifications.inbox import safe_link, unread_count
from accounts.notifications.models import Channel, Kind, Message
from accounts.notifications.service import notify
from tests.id_params import HTMX
from tests.institute_memory import _institute_defaults_in_memory  # noqa: F401
from tests.notifications.inbox_helpers import inapp, many

INBOX = "/notifications/"


def bell_count(html: str) -> str | None:
    """The number on the bell, or None when it shows none."""
    start = html.index('id="inbox-bell"')
    bell = html[start : html.index("</a>", start)]
    if "inbox-count" not in bell:
        return None
    return bell.split('inbox-count">')[1].split("<")[0]


def test_notify_lands_in_the_inbox_newest_first_unread_marked(client_for, guardian):
    notify(guardian, Kind.RECEIPT, "receipt:R-1", {"receipt": "R-1"}, link="/fees/mine/")
    older = inapp(guardian, subject="Older", read=True, age=timedelta(days=2))
    page = client_for(guardian).get(INBOX).content.decode()
    assert page.index("receipt R-1") < page.index(older.subject)
    newest = Message.objects.get(user=guardian, channel=Channel.INAPP, event="receipt:R-1")
    item = page[page.index(f'id="message-{newest.pk}"') :]
    assert "inbox-unread" in item.split(">")[0] and "New</span>" in item.split("</li>")[0]
    assert 'href="/fees/mine/"' in item.split("</li>")[0]
    old_item = page[page.index(f'id="message-{older.pk}"') :].split("</li>")[0]
    assert "inbox-unread" not in old_item and "Mark read" not in old_item
    assert bell_count(page) == "1"


def test_only_the_persons_own_messages(client_for, guardian, student):
    mine, theirs = inapp(guardian), inapp(student)
    client = client_for(guardian)
    page = client.get(INBOX).content.decode()
    assert mine.subject in page and theirs.subject not in page
    response = client.post(reverse("notifications:mark_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # An email row of one's own is no inbox item either.
    email = Message.objects.create(
        user=guardian, kind=Kind.RECEIPT, channel=Channel.EMAIL, event="e", to="g@example.test"
    )
    assert client.post(reverse("notifications:mark_read", args=[email.pk])).status_code == 404


def test_mark_read_without_javascript_comes_back_to_the_page(client_for, guardian):
    message = inapp(guardian)
    response = client_for(guardian).post(
        reverse("notifications:mark_read", args=[message.pk]), {"page": "2"}
    )
    assert response.status_code == 302 and response["Location"] == f"{INBOX}?page=2"
    message.refresh_from_db()
    assert message.read_at is not None


def test_mark_read_with_htmx_swaps_the_item_and_the_bell(client_for, guardian):
    first, second = inapp(guardian), inapp(guardian)
    client = client_for(guardian)
    response = client.post(reverse("notifications:mark_read", args=[first.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and f'id="message-{first.pk}"' in html
    assert "inbox-unread" not in html.split("</li>")[0]
    assert 'hx-swap-oob="true"' in html and bell_count(html) == "1"
    assert second.subject not in html
    # Marking it again changes nothing and is no error.
    again = client.post(reverse("notifications:mark_read", args=[first.pk]), **HTMX)
    assert again.status_code == 200 and bell_count(again.content.decode()) == "1"


def test_mark_all_read(client_for, guardian, student):
    for _ in range(3):
        inapp(guardian)
    theirs = inapp(student)
    client = client_for(guardian)
    response = client.post(reverse("notifications:mark_all_read"), **HTMX)
    html = response.content.decode()
    assert 'id="inbox-list"' in html and "inbox-unread" not in html
    assert bell_count(html) is None and "Marked 3 read." in html
    assert not Message.objects.filter(user=guardian, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    plain = client.post(reverse("notifications:mark_all_read"))
    assert plain.status_code == 302 and plain["Location"] == INBOX
    assert "Nothing was unread." in client.get(INBOX).content.decode()


def test_pages_and_bad_page_numbers(client_for, guardian):
    many(guardian, 45)
    client = client_for(guardian)
    assert "Page 1 of 3" in client.get(INBOX).content.decode()
    last = client.get(INBOX, {"page": "3"}).content.decode()
    assert "Message 44" in last and "Message 0<" not in last
    for bad in ("0", "-1", "x", "99999999999999999999999"):
        assert client.get(INBOX, {"page": bad}).status_code == 200
    fragment = client.get(INBOX, {"page": "2"}, **HTMX).content.decode()
    assert fragment.lstrip().startswith('<section id="inbox-list"') and "<html" not in fragment


def test_links_only_into_the_app():
    assert safe_link("/fees/mine/") == "/fees/mine/"
    for bad in ("javascript:alert(1)", "//evil.example/", "https://evil.example/", "/\\evil", ""):
        assert safe_link(bad) == ""


def test_a_foreign_link_is_not_shown(client_for, guardian):
    inapp(guardian, link="javascript:alert(1)")
    assert "javascript:" not in client_for(guardian).get(INBOX).content.decode()


@pytest.mark.parametrize("size", [10, 200])
def test_inbox_query_budget_is_flat(client_for, guardian, django_assert_max_num_queries, size):
    many(guardian, size)
    client = client_for(guardian)
    # session, user (with its unread count), count, the page's rows
    with django_assert_max_num_queries(4):
        assert client.get(INBOX).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(INBOX, {"page": "2"}, **HTMX).status_code == 200
    with django_assert_max_num_queries(6):  # + the update and the bell's fresh count
        client.post(reverse("notifications:mark_all_read"), **HTMX)


def test_the_bell_is_on_every_roles_pages_at_no_query_cost(client, users_by_role):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def dashboard():
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/").content.decode()
        return page, [q["sql"] for q in queries.captured_queries]

    for user in users_by_role.values():
        client.force_login(user)
        client.get("/")  # the first request after a login tracks the session
        page, before = dashboard()
        assert bell_count(page) is None and 'href="/notifications/"' in page
        for _ in range(3):
            inapp(user)
        page, after = dashboard()
        assert bell_count(page) == "3", user.role
        assert len(after) == len(before), user.role
        # The count rides on the query that loads the signed-in user, never its own.
        counting = [sql for sql in after if "accounts_message" in sql]
        assert len(counting) == 1 and "accounts_user" in counting[0].split("(")[0], counting


def test_a_session_from_before_the_counting_backend_still_shows_the_count(client, guardian):
    inapp(guardian)
    client.force_login(guardian, backend="allauth.account.auth_backends.AuthenticationBackend")
    assert client.session[BACKEND_SESSION_KEY].startswith("allauth.")
    assert bell_count(client.get("/").content.decode()) == "1"


def test_unread_count_counts_only_unread_inapp_rows(guardian, student):
    inapp(guardian)
    inapp(guardian, read=True)
    inapp(student)
    Message.objects.create(
        user=guardian, kind=Kind.RECEIPT, channel=Channel.EMAIL, event="e", to="g@example.test"
    )
    assert unread_count(guardian) == 1
