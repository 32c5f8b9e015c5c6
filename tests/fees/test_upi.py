from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Institute
from fees.upi import payment_uri, qr_data_uri, upi_request, validate_upi_id


def test_payment_uri_encodes_every_parameter():
    uri = payment_uri(
        upi_id="music.beats@okhdfcbank",
        payee_name="MusicBeats  Academy & Co",
        amount=Decimal("1500"),
        note="Fees: Kavya Nair MB-0001",
    )
    assert uri.startswith("upi://pay?pa=music.beats@okhdfcbank&pn=MusicBeats%20Academy%20%26%20Co")
    query = parse_qs(urlsplit(uri).query)
    assert query == {
        "pa": ["music.beats@okhdfcbank"],
        "pn": ["MusicBeats Academy & Co"],
        "am": ["1500.00"],
        "cu": ["INR"],
        "tn": ["Fees: Kavya Nair MB-0001"],
    }
    assert "+" not in uri and " " not in uri


def test_payment_uri_refuses_a_bad_id_or_amount():
    with pytest.raises(ValidationError):
        payment_uri(upi_id="not an id", payee_name="X", amount=Decimal(1))
    with pytest.raises(ValueError):
        payment_uri(upi_id="a.b@ybl", payee_name="X", amount=Decimal(0))


@pytest.mark.parametrize("value", ["musicbeats@okhdfcbank", "98450.10001@ybl", "a_b-c@paytm"])
def test_valid_upi_ids(value):
    validate_upi_id(value)


@pytest.mark.parametrize("value", ["", "@ybl", "name@", "na me@ybl", "a@b@c", "x@1bank"])
def test_invalid_upi_ids(value):
    with pytest.raises(ValidationError):
        validate_upi_id(value)


def test_qr_is_an_svg_data_uri_that_decodes_to_the_link():
    image = qr_data_uri("upi://pay?pa=a.b@ybl&am=1.00&cu=INR")
    assert image.startswith("data:image/svg+xml")
    assert "%3Csvg" in image


@pytest.mark.django_db
def test_upi_request_only_with_an_id_in_rupees_and_something_due():
    institute = Institute.get()
    assert upi_request(institute=institute, amount=Decimal(100), note="x") is None
    institute.upi_id = "musicbeats@okhdfcbank"
    assert upi_request(institute=institute, amount=Decimal(0), note="x") is None
    request = upi_request(institute=institute, amount=Decimal("250.5"), note="Fees")
    assert "am=250.50" in request.uri
    assert request.qr.startswith("data:image/svg+xml")
    institute.currency = "USD"
    assert upi_request(institute=institute, amount=Decimal(100), note="x") is None
