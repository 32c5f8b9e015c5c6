"""`make bench`'s ledger helpers (tests/bench_ledger.py): the lose-nothing/double-nothing
check of the read/write load must see a lost, an extra and an unanswered payment, and the
full day's top-up must leave today with exactly the payments asked for. No timing here."""

import json

import pytest
from django.utils import timezone

from accounts.models import Role
from fees.models import Payment
from tests import bench_ledger
from tests.factories import PaymentFactory, StudentFactory, UserFactory


def answer(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.fixture
def before(db, capsys):
    PaymentFactory()  # the ledger before the load
    bench_ledger.state()
    return answer(capsys)["max_id"]


def desk_log(tmp_path, *lines):
    log = tmp_path / "desk.log"
    log.write_text("".join(f"{outcome} {token}\n" for outcome, token in lines))
    return str(log)


def test_check_counts_one_payment_per_successful_post(before, tmp_path, capsys):
    tokens = [str(PaymentFactory().idempotency_key) for _ in range(2)]
    log = desk_log(tmp_path, *[(o, t) for t in tokens for o in ("sent", "saved")])

    bench_ledger.check(before, log)

    assert answer(capsys) == {
        "created": 2,
        "saved": 2,
        "lost": 0,
        "extra": 0,
        "unanswered": 0,
        "duplicated_receipts": 0,
    }


def test_check_sees_a_saved_post_without_its_payment(before, tmp_path, capsys):
    token = "00000000-0000-4000-8000-000000000001"
    bench_ledger.check(before, desk_log(tmp_path, ("sent", token), ("saved", token)))

    result = answer(capsys)
    assert (result["created"], result["saved"], result["lost"]) == (0, 1, 1)


def test_check_sees_a_payment_no_desk_sent(before, tmp_path, capsys):
    PaymentFactory()
    bench_ledger.check(before, desk_log(tmp_path))

    result = answer(capsys)
    assert (result["created"], result["saved"], result["extra"]) == (1, 0, 1)


def test_check_sees_a_payment_whose_receipt_the_desk_never_saw(before, tmp_path, capsys):
    token = str(PaymentFactory().idempotency_key)
    bench_ledger.check(before, desk_log(tmp_path, ("sent", token)))

    result = answer(capsys)
    assert (result["created"], result["extra"], result["unanswered"]) == (1, 0, 1)


def test_top_up_leaves_today_with_the_payments_asked_for(db, capsys):
    UserFactory(role=Role.OFFICE, email="office@musicbeats.test")
    StudentFactory.create_batch(3)
    PaymentFactory()  # one already today

    bench_ledger.top_up(5)

    today = Payment.objects.filter(paid_on=timezone.localdate())
    assert answer(capsys)["added"] == 4
    assert today.count() == 5
    assert today.values("receipt_number").distinct().count() == 5
