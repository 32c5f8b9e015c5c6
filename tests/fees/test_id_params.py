"""Ids in the fee desk's query string: `?saved=` (the payment just recorded) past the
64-bit range, or not a number, is a 404 page, never a 500. (`?student=` on the fee
pages is tested with the fee forms.)"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role

HOSTILE = [str(2**63), "99999999999999999999", "-1", "1e3", "NaN"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICE])
def test_fee_desk_answers_404_for_a_hostile_saved_payment(users_by_role, role):
    client = Client(raise_request_exception=False)
    client.force_login(users_by_role[role])
    for value in HOSTILE:
        response = client.get(reverse("fees:payment_new"), {"saved": value})
        assert response.status_code == 404, value
        assert b"Page not found" in response.content
