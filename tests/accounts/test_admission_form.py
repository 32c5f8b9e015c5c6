"""The public admission form: anyone may ask; robots and floods store nothing."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.intake import admissions
from accounts.models import AdmissionRequest
from tests.factories import InstrumentFactory

URL = "/admission/"


@pytest.fixture
def instrument(db):
    return InstrumentFactory(name="Tabla")


def form_data(chosen=None, **changes):
    data = {
        "child_name": "Ira Kulkarni",
        "date_of_birth": "2017-03-09",
        "guardian_name": "Deepa Kulkarni",
        "relation": "Mother",
        "guardian_phone": "+91 98450 11111",
        "guardian_email": "Deepa.Kulkarni@Example.TEST",
        "instrument": chosen.pk if chosen else "",
        "preferred_times": "Saturday mornings",
        "message": "She has learnt a little keyboard at school.",
        "website": "",
    }
    data.update(changes)
    return data


def test_anonymous_visitor_sees_the_form_with_active_instruments_only(client, db):
    InstrumentFactory(name="Tabla")
    InstrumentFactory(name="Sitar", is_active=False)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ask for admission" in page
    assert "Tabla" in page
    assert "Sitar" not in page
    assert "Not sure yet" in page
    # The honeypot is in the page, hidden from people by CSS.
    assert 'name="website"' in page
    assert 'class="intake-hp"' in page


def test_anonymous_request_is_stored_and_thanked(client, instrument):
    response = client.post(URL, form_data(instrument))
    assert response.status_code == 302
    assert response["Location"] == "/admission/thanks/"
    admission = AdmissionRequest.objects.get()
    assert admission.child_name == "Ira Kulkarni"
    assert admission.guardian_email == "deepa.kulkarni@example.test"
    assert admission.instrument_id == instrument.pk
    assert admission.status == AdmissionRequest.Status.PENDING
    assert admission.decided_at is None
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert b"Thank you" in thanks.content


def test_sending_the_same_child_twice_stores_one_request(client, instrument):
    assert client.post(URL, form_data(instrument)).status_code == 302
    again = form_data(instrument, child_name="IRA KULKARNI ", message="Did it arrive?")
    assert client.post(URL, again).status_code == 302
    assert AdmissionRequest.objects.count() == 1
    # A sibling is another request.
    assert client.post(URL, form_data(instrument, child_name="Tara Kulkarni")).status_code == 302
    assert AdmissionRequest.objects.count() == 2


def test_request_without_an_instrument_means_not_sure(client, db):
    assert client.post(URL, form_data()).status_code == 302
    assert AdmissionRequest.objects.get().instrument_id is None


def test_logged_in_people_may_use_the_form_too(client, guardian, instrument):
    client.force_login(guardian)
    assert client.post(URL, form_data(instrument)).status_code == 302
    assert AdmissionRequest.objects.count() == 1


def test_honeypot_stores_nothing_and_shows_the_same_thanks(client, instrument):
    response = client.post(URL, form_data(instrument, website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == "/admission/thanks/"
    assert AdmissionRequest.objects.count() == 0


def test_honeypot_drops_even_an_invalid_robot_post(client, db):
    response = client.post(URL, {"website": "buy now", "child_name": ""})
    assert response.status_code == 302
    assert AdmissionRequest.objects.count() == 0


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"child_name": ""}, "child_name", "This field is required."),
        ({"child_name": "x" * 10_000}, "child_name", "at most 150 characters"),
        ({"guardian_name": "y" * 10_000}, "guardian_name", "at most 150 characters"),
        ({"message": "z" * 10_000}, "message", "at most 1000 characters"),
        ({"date_of_birth": ""}, "date_of_birth", "This field is required."),
        ({"date_of_birth": "09/03/2017x"}, "date_of_birth", "Enter a valid date."),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "in the future"),
        ({"date_of_birth": "1800-01-01"}, "date_of_birth", "Check the year"),
        ({"guardian_email": "not-an-email"}, "guardian_email", "valid email"),
        ({"guardian_email": ""}, "guardian_email", "This field is required."),
        ({"guardian_phone": "call me"}, "guardian_phone", "phone number"),
        ({"guardian_phone": ""}, "guardian_phone", "This field is required."),
        ({"instrument": "999999"}, "instrument", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, instrument, changes, field, message):
    response = client.post(URL, form_data(instrument, **changes))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert b"Please correct the marked fields" in response.content
    assert AdmissionRequest.objects.count() == 0


def test_inactive_instrument_cannot_be_chosen(client, db):
    sitar = InstrumentFactory(name="Sitar", is_active=False)
    response = client.post(URL, form_data(sitar))
    assert response.status_code == 200
    assert "instrument" in response.context["form"].errors
    assert AdmissionRequest.objects.count() == 0


def test_sixth_request_in_an_hour_from_one_address_is_refused(client, instrument):
    for n in range(admissions.REQUESTS_PER_HOUR):
        assert client.post(URL, form_data(instrument, child_name=f"Child {n}")).status_code == 302
    response = client.post(URL, form_data(instrument, child_name="One too many"))
    assert response.status_code == 429
    assert b"Too many requests" in response.content
    assert b"at most 5 admission requests an hour" in response.content
    assert AdmissionRequest.objects.count() == admissions.REQUESTS_PER_HOUR
    # Reading the form is still fine.
    assert client.get(URL).status_code == 200


def test_honeypot_posts_do_not_use_up_the_allowance_of_people_at_that_address(client, instrument):
    for _ in range(admissions.REQUESTS_PER_HOUR * 3):
        response = client.post(URL, form_data(instrument, website="spam"))
        assert response["Location"] == "/admission/thanks/"
    assert client.post(URL, form_data(instrument)).status_code == 302
    assert AdmissionRequest.objects.count() == 1


def test_invalid_posts_do_not_use_up_the_limit(client, instrument):
    for _ in range(admissions.REQUESTS_PER_HOUR + 2):
        assert client.post(URL, form_data(instrument, guardian_email="bad")).status_code == 200
    assert client.post(URL, form_data(instrument)).status_code == 302


def test_limit_is_per_address_and_kept_in_the_shared_cache(client, instrument):
    for _ in range(admissions.REQUESTS_PER_HOUR):
        client.post(URL, form_data(instrument), REMOTE_ADDR="203.0.113.7")
    assert client.post(URL, form_data(instrument), REMOTE_ADDR="203.0.113.7").status_code == 429
    assert client.post(URL, form_data(instrument), REMOTE_ADDR="203.0.113.8").status_code == 302
    keys = [k for k in cache._cache if "admission-rate:203.0.113.7:" in k]  # locmem internals
    assert len(keys) == 1


def test_ipv6_addresses_of_one_network_share_a_limit(client, instrument):
    for n in range(admissions.REQUESTS_PER_HOUR):
        client.post(URL, form_data(instrument), REMOTE_ADDR=f"2001:db8:1:2::{n + 1}")
    response = client.post(URL, form_data(instrument), REMOTE_ADDR="2001:db8:1:2::ff")
    assert response.status_code == 429


def test_limit_window_ends_after_an_hour(client, instrument, monkeypatch):
    for _ in range(admissions.REQUESTS_PER_HOUR):
        client.post(URL, form_data(instrument))
    assert client.post(URL, form_data(instrument)).status_code == 429
    later = admissions.time.time() + admissions.WINDOW_SECONDS
    monkeypatch.setattr(admissions.time, "time", lambda: later)
    assert client.post(URL, form_data(instrument)).status_code == 302


def test_form_refuses_other_methods(client, db):
    assert client.put(URL).status_code == 405
    assert client.post("/admission/thanks/").status_code == 405


@pytest.mark.dates
def test_age_of_the_child(db):
    today = timezone.localdate()
    born = today.replace(year=today.year - 8) + timedelta(days=1)
    admission = AdmissionRequest(date_of_birth=born)
    assert admission.age == 7
