"""Default deny: every URL declares who may use it, and the declaration holds.

The rows (tests/<area>/access_rows.py, see tests/access.py) are written by hand,
independently of the decorators on the views: a view whose declaration drifts from what
the product promises fails the matrix, and a new URL without a row fails
`test_every_own_url_is_in_the_access_matrix`.
"""

import pytest
from django.urls import reverse

from accounts.access import PUBLIC, access_of, is_exempt
from accounts.models import Role
from tests.access import all_rows
from tests.urlwalk import walk

EXPECTED = all_rows()

# Every answer is kept out of the browser's cache (musicbeats/cache_headers.py) but the
# calendar feed, which calendar apps may keep privately for five minutes.
OWN_CACHE_CONTROL = {"timetable:feed": "private, max-age=300"}


def assert_cache_control(response, name):
    assert response["Cache-Control"] == OWN_CACHE_CONTROL.get(name, "no-store, private"), name


def own_routes():
    return [route for route in walk() if not is_exempt(route.view, route.namespaces)]


def test_every_url_declares_its_access():
    undeclared = [
        f"{route.pattern} ({route.module})"
        for route in own_routes()
        if access_of(route.view) is None
    ]
    assert undeclared == [], f"URLs without an access rule: {undeclared}"


def test_every_own_url_is_in_the_access_matrix():
    names = {route.name for route in own_routes()}
    assert None not in names, "every URL of ours has a name"
    assert names == set(EXPECTED)


def test_declarations_match_the_matrix():
    for route in own_routes():
        row = EXPECTED[route.name]
        expected = row.declared or row.allowed
        assert access_of(route.view) == expected, route.name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_anonymous(client, db, request, name):
    row = EXPECTED[name]
    url = reverse(name, kwargs=row.kwargs(request))
    response = client.get(url)
    assert_cache_control(response, name)
    if row.allowed == PUBLIC:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_role(client, users_by_role, request, name, role):
    row = EXPECTED[name]
    url = reverse(name, kwargs=row.kwargs(request))
    client.force_login(users_by_role[role])
    response = client.get(url)
    assert_cache_control(response, name)  # refusals too: a 403/404 page names the person
    if row.allowed == PUBLIC or role in row.allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == row.refused
        if row.refused == 403:
            assert b"You may not open this page" in response.content


def test_navigation_links_only_to_pages_the_role_may_use(client, users_by_role):
    from django.urls import resolve

    from accounts.context_processors import NAVIGATION

    def nav_links(role):
        """Every (label, URL name) the role's navigation shows, menus flattened."""
        for label, target in NAVIGATION.get(role, []):
            yield from target if isinstance(target, list) else [(label, target)]

    for role, user in users_by_role.items():
        client.force_login(user)
        page = client.get("/").content.decode()
        for label, name in nav_links(role):
            url = reverse(name)
            assert f'href="{url}"' in page, (role, label)
            if name.startswith("admin:"):
                assert role == Role.ADMIN
            else:
                access = access_of(resolve(url).func)
                assert access == PUBLIC or role in access, (role, name)


def test_admin_site_is_for_the_admin_role_only(client, users_by_role):
    for role, user in users_by_role.items():
        client.force_login(user)
        response = client.get("/admin/")
        if role == Role.ADMIN:
            assert response.status_code == 200
        else:
            # allauth's secure_admin_login: a non-staff user is not let in.
            assert response.status_code in (302, 403)
            assert b"Site administration" not in response.content


def test_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# allauth's two-factor pages (accounts/access.py EXEMPT_MODULES): every one needs a login
# and acts only on the person's own authenticators, so each role gets the same answer.
# With no authenticator yet (force_login, no fresh password): the overview opens, the
# set-up and new codes ask for the password again, there is nothing to turn off or show.
TWO_FACTOR_PAGES = {
    "mfa_index": 200,
    "mfa_authenticate": 302,  # no login in progress: back to the dashboard
    "mfa_reauthenticate": 302,  # no app to check a code with: the password instead
    "mfa_activate_totp": 302,  # to /accounts/reauthenticate/
    "mfa_deactivate_totp": 404,
    "mfa_view_recovery_codes": 404,
    "mfa_generate_recovery_codes": 302,  # to /accounts/reauthenticate/
    "mfa_download_recovery_codes": 404,
}


def test_two_factor_pages_are_listed_library_views():
    from django.urls import resolve

    for name in TWO_FACTOR_PAGES:
        match = resolve(reverse(name))
        assert is_exempt(match.func, match.namespaces), name
        assert access_of(match.func) is None, name


@pytest.mark.parametrize("name", sorted(TWO_FACTOR_PAGES))
def test_two_factor_pages_for_anonymous_and_each_role(client, users_by_role, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    for role, user in users_by_role.items():
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == TWO_FACTOR_PAGES[name], (role, name)
        if name in ("mfa_activate_totp", "mfa_generate_recovery_codes"):
            assert response["Location"].startswith("/accounts/reauthenticate/"), role
