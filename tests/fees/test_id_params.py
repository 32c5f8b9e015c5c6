"""Ids in the fee desk's query string: `?saved=` (the payment just recorded) past the
64-bit range, or not a number, is a 404 page, never a 500. (`?student=` on the fee
pages is tested with the fee forms.)"""

from django.urls import reverse

from tests.id_params import HOSTILE


def test_fee_desk_answers_404_for_a_hostile_saved_payment(staff):
    for value in HOSTILE:
        response = staff.get(reverse("fees:payment_new"), {"saved": value})
        assert response.status_code == 404, value
        assert b"Page not found" in response.content
