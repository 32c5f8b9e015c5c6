"""The institute's switches for lesson reminders and absence notices (issue 14): off by
default, saved from the settings page, bad input explained and nothing saved."""

import pytest

from accounts.models import Institute
from tests.accounts.test_institute_settings import URL, VALID


def test_both_switches_are_off_by_default(db):
    institute = Institute.get()
    assert institute.lesson_reminders is False and institute.absence_notices is False
    assert institute.absence_notice_minutes == 10


def test_the_admin_turns_them_on(client, admin_user):
    client.force_login(admin_user)
    data = {
        **VALID,
        "lesson_reminders": "on",
        "absence_notices": "on",
        "absence_notice_minutes": "15",
    }
    assert client.post(URL, data).status_code == 302
    institute = Institute.get()
    assert institute.lesson_reminders and institute.absence_notices
    assert institute.absence_notice_minutes == 15
    page = client.get(URL).content.decode()
    assert "Lesson messages" in page and "Tell guardians when a student is marked absent" in page


def test_an_empty_wait_keeps_the_present_one(client, admin_user):
    institute = Institute.get()
    institute.absence_notice_minutes = 30
    institute.save()
    client.force_login(admin_user)
    assert client.post(URL, {**VALID, "absence_notice_minutes": ""}).status_code == 302
    assert Institute.get().absence_notice_minutes == 30


@pytest.mark.parametrize(
    "value,message",
    [
        ("4", b"greater than or equal to 5"),
        ("241", b"less than or equal to 240"),
        ("ten", b"Enter a whole number"),
        ("-10", b"greater than or equal to 5"),
        ("9" * 5000, b"Enter a whole number"),
    ],
)
def test_a_bad_wait_is_explained_and_nothing_saved(client, admin_user, value, message):
    client.force_login(admin_user)
    data = {**VALID, "absence_notices": "on", "absence_notice_minutes": value}
    response = client.post(URL, data)
    assert response.status_code == 400
    assert message in response.content
    institute = Institute.get()
    assert institute.absence_notices is False and institute.absence_notice_minutes == 10
