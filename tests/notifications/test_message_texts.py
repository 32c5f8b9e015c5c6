"""The office's message texts (`/notifications/templates/`): edit, preview, reset; bad
placeholders refused by name; never run as template code."""

import html

import pytest
from django.core import mail

from accounts.notifications.models import Kind, MessageTemplate
from accounts.notifications.service import notify
from accounts.notifications.texts import DEFAULTS
from tests.id_params import HTMX
from tests.institute_memory import _institute_defaults_in_memory  # noqa: F401

LIST = "/notifications/templates/"
EDIT = "/notifications/templates/receipt/"
GOOD = {"subject": "Receipt {receipt}", "body": "Dear {name}, we got {amount} for {student}."}


def test_the_list_shows_each_kinds_text_in_use(client_for, office_user):
    MessageTemplate.objects.create(kind=Kind.ABSENCE, subject="Absent: {student}", body="B")
    page = client_for(office_user).get(LIST).content.decode()
    assert "Absent: {student}" in page and "The office" in page
    assert DEFAULTS[Kind.RECEIPT][0] in page and "Built in" in page
    assert f"{LIST}account/" not in page


def test_the_office_edits_a_text_and_notify_sends_it(client_for, office_user, guardian):
    client = client_for(office_user)
    page = client.get(EDIT).content.decode()
    for name in ("{student}", "{amount}", "{receipt}", "{link}"):
        assert f"<code>&#123;{name[1:-1]}&#125;</code>" in page
    assert "In English." in page
    response = client.post(EDIT, {**GOOD, "action": "save"})
    assert response.status_code == 302 and response["Location"] == LIST
    row = MessageTemplate.objects.get(kind=Kind.RECEIPT, language="en")
    assert row.subject == GOOD["subject"] and row.updated_by_id == office_user.pk
    notify(
        guardian,
        Kind.RECEIPT,
        "receipt:R-9",
        {"receipt": "R-9", "amount": "₹900.00", "student": "Sai"},
    )
    assert mail.outbox[-1].subject == "Receipt R-9"
    assert mail.outbox[-1].body == "Dear Gita Guardian, we got ₹900.00 for Sai."


@pytest.mark.parametrize(
    "text,named",
    [
        ("Dear {studnet}", "{studnet}"),
        ("Paid {amount", "A brace is not closed"),
        ("Paid amount}", "A brace is not closed"),
        ("Item {0}", "{0} has no name"),
        ("Item {}", "{} has no name"),
        ("Who {student.__class__}", "{student.__class__} is not allowed"),
        ("Who {student!r}", "{student!r} is not allowed"),
        ("Sum {amount:>30}", "{amount:>30} is not allowed"),
        ("Key {{ settings.SECRET_KEY }}", "Double braces"),
        ("Debug {% debug %}", "{% debug %} is not a placeholder"),
        ("{student[0]}", "{student[0]} is not allowed"),
    ],
)
def test_a_bad_placeholder_is_refused_by_name_and_nothing_stored(
    client_for, office_user, text, named
):
    client = client_for(office_user)
    for field in ("subject", "body"):
        response = client.post(EDIT, {**GOOD, field: text, "action": "save"})
        assert response.status_code == 400
        assert named in html.unescape(response.content.decode()), (field, text)
        assert not MessageTemplate.objects.exists()


def test_template_code_is_never_evaluated(client_for, office_user, settings):
    """Even if such a text were stored (by the admin site, a restore), it is sent as typed."""
    from accounts.notifications.texts import render

    MessageTemplate.objects.create(
        kind=Kind.RECEIPT, subject="{receipt}", body="{% debug %} {{ settings.SECRET_KEY }}"
    )
    _subject, body = render(Kind.RECEIPT, {"receipt": "R-1"})
    assert settings.SECRET_KEY not in body and "{% debug %}" not in body  # unknown: empty
    assert "settings.SECRET_KEY" in body  # shown, not looked up
    page = client_for(office_user).get(EDIT).content.decode()
    assert settings.SECRET_KEY not in page


def test_preview_with_htmx_renders_sample_values_and_stores_nothing(client_for, office_user):
    client = client_for(office_user)
    response = client.post(EDIT, {**GOOD, "action": "preview"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<section id="preview"')
    assert "Dear Gita Sharma, we got ₹2,700.00 for Riya Sharma." in html
    bad = client.post(EDIT, {**GOOD, "body": "Hi {studnet}", "action": "preview"}, **HTMX)
    assert bad.status_code == 200 and "{studnet} is not a placeholder" in bad.content.decode()
    # Without JavaScript the Preview button shows the whole page with the preview.
    page = client.post(EDIT, {**GOOD, "action": "preview"}).content.decode()
    assert "<html" in page and "we got ₹2,700.00" in page
    assert not MessageTemplate.objects.exists()


def test_reset_to_default(client_for, office_user):
    client = client_for(office_user)
    client.post(EDIT, {**GOOD, "action": "save"})
    assert "Reset to default" in client.get(EDIT).content.decode()
    response = client.post(EDIT, {"action": "reset"})
    assert response.status_code == 302
    assert not MessageTemplate.objects.exists()
    page = client.get(EDIT).content.decode()
    assert "The built-in text is in use." in page and "Reset to default" not in page


def test_unknown_kinds_and_account_texts_are_not_pages(client_for, office_user):
    client = client_for(office_user)
    for kind in ("nope", "account", "fee-reminder"):
        assert client.get(f"{LIST}{kind}/").status_code == 404
        assert client.post(f"{LIST}{kind}/", {**GOOD, "action": "save"}).status_code == 404
    assert not MessageTemplate.objects.exists()


@pytest.mark.parametrize("size", [10, 200])
def test_query_budgets_do_not_grow(client_for, office_user, size, django_assert_max_num_queries):
    from tests.notifications.inbox_helpers import many

    many(office_user, size)  # the inbox's rows are not the texts' business
    MessageTemplate.objects.create(kind=Kind.ABSENCE, subject="S", body="B")
    client = client_for(office_user)
    with django_assert_max_num_queries(3):  # session, user, templates
        client.get(LIST)
    with django_assert_max_num_queries(3):  # session, user, the kind's template
        client.get(EDIT)
    with django_assert_max_num_queries(3):
        client.post(EDIT, {**GOOD, "action": "preview"}, **HTMX)
