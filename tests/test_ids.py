"""Hostile ids in URLs are a 404, never a 500: every URL of ours with an id segment is
tried with ids past the 64-bit range, as each role its view lets in (musicbeats/ids.py)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.access import PUBLIC, access_of, is_exempt
from accounts.models import Role
from musicbeats.ids import MAX_ID, IdConverter, parse_id
from tests.urlwalk import walk

HOSTILE = [str(2**63), "99999999999999999999", "0"]
# Other URL arguments beside an id get a valid value (a teacher's pay month).
OTHER_ARGUMENTS = {"month": "2026-11"}


def with_other_arguments(path: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: OTHER_ARGUMENTS.get(m[1], m[0]), path)


def own_routes():
    return [route for route in walk() if not is_exempt(route.view, route.namespaces)]


ID_ROUTES = [route for route in own_routes() if "<id:" in route.pattern]


def test_every_id_in_our_urls_goes_through_the_id_converter():
    """A new `<int:pk>` would let 2**63 reach the database again."""
    plain = [route.pattern for route in own_routes() if "<int:" in route.pattern]
    assert plain == []
    assert len(ID_ROUTES) > 30  # people, classes, schedule, roll call, fees


@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda route: route.name)
def test_a_huge_id_in_a_url_is_404_for_every_role_the_view_lets_in(users_by_role, route):
    access = access_of(route.view)
    roles = list(Role) if access == PUBLIC else sorted(access | {Role.ADMIN})
    client = Client(raise_request_exception=False)
    for value in HOSTILE:
        url = "/" + with_other_arguments(re.sub(r"<id:\w+>", value, route.pattern))
        assert "<" not in url, url
        for role in [None, *roles]:
            if role is None:
                client.logout()
            else:
                client.force_login(users_by_role[role])
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code == 404, (url, role, method.__name__)
                assert b"Page not found" in response.content


def test_the_same_urls_with_a_real_id_still_resolve():
    """The converter takes every id up to 2**63-1 (and reverses them)."""
    for route in ID_ROUTES:
        kwargs = {name: MAX_ID for name in re.findall(r"<id:(\w+)>", route.pattern)}
        kwargs |= {
            name: OTHER_ARGUMENTS[name]
            for name in re.findall(r"<(?:\w+:)?(\w+)>", route.pattern)
            if name in OTHER_ARGUMENTS
        }
        url = reverse(route.name, kwargs=kwargs)
        assert str(MAX_ID) in url


def test_admin_pages_with_a_huge_object_id_are_not_an_error(client, admin_user):
    client.raise_request_exception = False
    client.force_login(admin_user)
    admin_object_urls = [
        "/" + route.pattern.replace("<path:object_id>", str(2**63))
        for route in walk()
        if route.namespaces[:1] == ("admin",) and "<path:object_id>" in route.pattern
    ]
    assert len(admin_object_urls) > 10
    for url in admin_object_urls:
        assert client.get(url).status_code < 500, url


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        (str(MAX_ID), MAX_ID),
        (" 42 ", 42),
        (42, 42),
        (str(MAX_ID + 1), None),
        ("99999999999999999999", None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        ("1e3", None),
        ("NaN", None),
        ("١٢", None),  # Arabic-Indic digits: int() reads them, an id never has them
        ("४२", None),  # Devanagari
        ("\uff14\uff12", None),  # full-width
        ("abc", None),
        ("99999999999999999999999999", None),
        ("²", None),
        ("", None),
        (None, None),
        (True, None),
        (MAX_ID + 1, None),
    ],
)
def test_parse_id_takes_only_ids(value, expected):
    assert parse_id(value) == expected


def test_the_converter_refuses_numbers_past_the_range():
    converter = IdConverter()
    assert converter.to_python(str(MAX_ID)) == MAX_ID
    for value in (str(MAX_ID + 1), "0"):
        with pytest.raises(ValueError):
            converter.to_python(value)
    assert re.fullmatch(converter.regex, "99999999999999999999") is None
