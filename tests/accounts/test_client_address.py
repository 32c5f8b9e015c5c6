"""The real client address (issue 11, item 1): direct and behind a proxy, many clients.

Direct (the default): REMOTE_ADDR is the client and X-Forwarded-For is whatever the
client wrote, so it is ignored. Behind one proxy (TRUSTED_PROXY_COUNT=1): REMOTE_ADDR is
the proxy, and only the last X-Forwarded-For entry (the one the proxy appended) counts.
"""

import pytest
from django.test import RequestFactory, override_settings

from accounts.intake import admissions
from accounts.models import AdmissionRequest
from musicbeats.client_address import client_ip, client_key
from tests.accounts.test_admission_form import form_data
from tests.factories import PASSWORD, InstrumentFactory, UserFactory

PROXY = "10.0.0.2"
LOGIN = "/accounts/login/"
# Only the project's setting: allauth's limits follow it through the adapter
# (AccountAdapter.get_client_ip), so they cannot disagree with the admission form's.
behind_proxy = override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_CLIENT_IP_HEADER=None)


def request(**meta):
    return RequestFactory().get("/", **meta)


# --- the rule ---------------------------------------------------------------------------


def test_direct_mode_ignores_forwarded_for():
    assert client_ip(request(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="1.2.3.4")) == (
        "198.51.100.9"
    )


@behind_proxy
@pytest.mark.parametrize(
    "xff,expected",
    [
        ("203.0.113.5", "203.0.113.5"),
        # The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
        ("1.2.3.4, 203.0.113.5", "203.0.113.5"),
        ("not-an-address", PROXY),
        ("", PROXY),
        ("[2001:db8::7]:443", "2001:db8::7"),
    ],
)
def test_behind_one_proxy_only_the_last_hop_counts(xff, expected):
    assert client_ip(request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff)) == expected


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_two_proxies_take_the_second_entry_from_the_right_and_never_fail():
    xff = "6.6.6.6, 203.0.113.5, 10.0.0.1"
    assert client_ip(request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff)) == "203.0.113.5"
    # Fewer entries than proxies (allauth alone would raise ImproperlyConfigured: a 500).
    assert client_ip(request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")) == (
        "203.0.113.5"
    )


@override_settings(TRUSTED_CLIENT_IP_HEADER="X-Real-IP", TRUSTED_PROXY_COUNT=0)
def test_a_trusted_header_wins_over_forwarded_for():
    got = client_ip(
        request(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    )
    assert got == "203.0.113.5"


def test_ipv6_clients_are_keyed_per_64():
    assert client_key(request(REMOTE_ADDR="2001:db8:1:2::99")) == "2001:db8:1:2::"


def test_allauth_sees_the_same_address(rf):
    from allauth.account.adapter import get_adapter

    with behind_proxy:
        req = request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
        assert get_adapter(req).get_client_ip(req) == "203.0.113.5"


@pytest.mark.parametrize(
    "env,expected",
    [
        ({}, "0 None 0 None"),
        ({"TRUSTED_PROXY_COUNT": "1"}, "1 None 1 None"),
        ({"TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"}, "0 X-Real-IP 0 X-Real-IP"),
    ],
)
def test_one_setting_feeds_the_project_and_allauth(env, expected):
    from tests.test_site import STRONG_KEY, run_python

    result = run_python(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.TRUSTED_PROXY_COUNT, s.TRUSTED_CLIENT_IP_HEADER, "
        "s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)",
        SECRET_KEY=STRONG_KEY,
        **env,
    )
    assert result.stdout.strip() == expected, result.stderr


def test_a_negative_proxy_count_is_refused_loudly():
    from tests.test_site import STRONG_KEY, run_python

    result = run_python(
        "import django; django.setup()", SECRET_KEY=STRONG_KEY, TRUSTED_PROXY_COUNT="-1"
    )
    assert "TRUSTED_PROXY_COUNT must be 0 or more" in result.stderr


# --- the admission form's limit ---------------------------------------------------------


@pytest.fixture
def instrument(db):
    return InstrumentFactory(name="Sitar")


def admit(client, instrument, n, **meta):
    return client.post(
        "/admission/", form_data(instrument, child_name=f"Child {n}", **{}), **meta
    ).status_code


@behind_proxy
def test_behind_a_proxy_one_family_filling_the_limit_leaves_the_others_alone(client, instrument):
    family = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.10"}
    for n in range(admissions.REQUESTS_PER_HOUR):
        assert admit(client, instrument, n, **family) == 302
    assert admit(client, instrument, 99, **family) == 429
    # Twenty other families, all through the same proxy address, still get through.
    for other in range(20):
        meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"198.51.100.{other + 1}"}
        assert admit(client, instrument, 100 + other, **meta) == 302
    assert AdmissionRequest.objects.count() == admissions.REQUESTS_PER_HOUR + 20


@behind_proxy
def test_behind_a_proxy_a_spoofed_first_entry_does_not_evade_the_limit(client, instrument):
    for n in range(admissions.REQUESTS_PER_HOUR):
        meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"9.9.9.{n}, 203.0.113.10"}
        assert admit(client, instrument, n, **meta) == 302
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "9.9.9.99, 203.0.113.10"}
    assert admit(client, instrument, 99, **meta) == 429


def test_direct_a_spoofed_forwarded_for_does_not_evade_the_limit(client, instrument):
    for n in range(admissions.REQUESTS_PER_HOUR):
        meta = {"REMOTE_ADDR": "203.0.113.10", "HTTP_X_FORWARDED_FOR": f"9.9.9.{n}"}
        assert admit(client, instrument, n, **meta) == 302
    meta = {"REMOTE_ADDR": "203.0.113.10", "HTTP_X_FORWARDED_FOR": "9.9.9.99"}
    assert admit(client, instrument, 99, **meta) == 429
    assert admit(client, instrument, 100, REMOTE_ADDR="203.0.113.11") == 302


# --- allauth's login limits --------------------------------------------------------------


def fail_login(client, email, **meta):
    return client.post(LOGIN, {"login": email, "password": "wrong-password"}, **meta)


def log_in(client, email, **meta):
    return client.post(LOGIN, {"login": email, "password": PASSWORD}, **meta)


@behind_proxy
def test_behind_a_proxy_one_clients_failures_do_not_lock_out_another(client, db):
    office = UserFactory(email="office.desk@example.test")
    # One attacker sprays 20 accounts from one address (its per-address cap).
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for n in range(20):
        fail_login(client, f"victim{n}@example.test", **attacker)
    assert (
        b"Too many failed login attempts"
        in fail_login(client, "victim99@example.test", **attacker).content
    )
    # The office, through the same proxy, logs in at once.
    office_meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    response = log_in(client, office.email, **office_meta)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(office.pk)


def test_direct_a_spoofed_header_does_not_evade_the_per_address_cap(client, db):
    UserFactory(email="office.desk@example.test")
    for n in range(20):
        fail_login(
            client,
            f"victim{n}@example.test",
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR=f"9.9.9.{n}",
        )
    response = log_in(
        client,
        "office.desk@example.test",
        REMOTE_ADDR="203.0.113.66",
        HTTP_X_FORWARDED_FOR="9.9.9.200",
    )
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert log_in(client, "office.desk@example.test", REMOTE_ADDR="203.0.113.67").status_code == 302


@pytest.mark.parametrize("mode", ["direct", "proxy"])
def test_an_accounts_failures_lock_that_account_from_every_client(client, db, mode):
    """Per account (the key), not per address: an attacker moving addresses gets nowhere."""
    person = UserFactory(email="family@example.test")
    settings_for = behind_proxy if mode == "proxy" else override_settings()
    with settings_for:
        for n in range(5):
            meta = (
                {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"203.0.113.{n + 1}"}
                if mode == "proxy"
                else {"REMOTE_ADDR": f"203.0.113.{n + 1}"}
            )
            fail_login(client, person.email, **meta)
        meta = (
            {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.50"}
            if mode == "proxy"
            else {"REMOTE_ADDR": "198.51.100.50"}
        )
        response = log_in(client, person.email, **meta)
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session
