"""Database faults (musicbeats/db_faults.py): a read whose connection dropped is run once
more; a write is never repeated; a full disk or a read-only database answers 503 with a
page that says nothing was saved."""

import uuid

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from accounts.models import Counter
from fees.models import Payment
from tests.factories import PaymentFactory, StudentFactory

DESK = "/fees/payments/new/"


class FailOnce:
    """An execute wrapper that raises `error` the first time a query matching `sql` runs
    (or calls `error()` there, which may do the damage itself), then lets queries pass."""

    def __init__(self, sql, error):
        self.sql, self.error, self.calls, self.raised = sql, error, 0, False

    def __call__(self, execute, sql, params, many, context):
        if self.sql in sql:
            self.calls += 1
            if not self.raised:
                self.raised = True
                if isinstance(self.error, BaseException):
                    raise self.error
                self.error()
        return execute(sql, params, many, context)


def _office(office_user):
    client = Client(raise_request_exception=False)
    client.force_login(office_user)
    return client


def _payment_fields(student):
    return {
        "student": student.pk,
        "token": str(uuid.uuid4()),
        "amount": "1500.00",
        "method": "cash",
        "paid_on": timezone.localdate().isoformat(),
        "confirm_credit": "1500.00",  # no dues: the desk asks before keeping credit
    }


@pytest.mark.django_db(transaction=True)
def test_a_read_whose_connection_dropped_is_run_once_more(office_user):
    PaymentFactory(student=StudentFactory(), recorded_by=office_user)
    client = _office(office_user)
    dropped = FailOnce('FROM "fees_payment"', OperationalError("server closed the connection"))
    with connection.execute_wrapper(dropped):
        response = client.get("/fees/payments/")
    assert response.status_code == 200
    assert dropped.calls >= 2  # failed once, then answered


@pytest.mark.django_db(transaction=True)
def test_a_read_whose_connection_dropped_before_the_view_is_run_once_more(office_user):
    """The session lookup (LoginRequiredMiddleware, before the view) loses the connection."""
    client = _office(office_user)
    dropped = FailOnce('FROM "django_session"', OperationalError("server closed the connection"))
    with connection.execute_wrapper(dropped):
        response = client.get("/fees/payments/")
    assert response.status_code == 200
    assert dropped.calls >= 2


@pytest.mark.django_db(transaction=True)
def test_a_read_that_fails_twice_is_a_500_not_a_loop(office_user):
    client = _office(office_user)

    def always(execute, sql, params, many, context):
        if 'FROM "fees_payment"' in sql:
            raise OperationalError("server closed the connection")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(always):
        assert client.get("/fees/payments/").status_code == 500


@pytest.mark.django_db(transaction=True)
def test_a_write_whose_connection_dropped_is_not_repeated(office_user):
    student = StudentFactory()
    client = _office(office_user)
    dropped = FailOnce('INSERT INTO "fees_payment"', OperationalError("connection lost"))
    with connection.execute_wrapper(dropped):
        response = client.post(DESK, _payment_fields(student))
    assert response.status_code == 500
    assert dropped.calls == 1
    assert not Payment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_backend_terminated_mid_request_is_retried_for_a_read(office_user):
    """PostgreSQL: the app's own backend is killed from another connection (as an
    administrator or a failover does) just before the ledger's query."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server connection to terminate (the wrapper test covers it)")
    import psycopg

    PaymentFactory(student=StudentFactory(), recorded_by=office_user)
    client = _office(office_user)
    params = connection.get_connection_params()

    def terminate():
        pid = connection.connection.info.backend_pid
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])

    killed = FailOnce('FROM "fees_payment"', terminate)
    with connection.execute_wrapper(killed):
        response = client.get("/fees/payments/")
    assert killed.raised
    assert response.status_code == 200
    assert killed.calls >= 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("database or disk is full", "disk is full"),
        ("attempt to write a readonly database", "read-only"),
    ],
)
def test_a_write_refused_by_the_disk_is_a_503_page_saying_nothing_was_saved(
    office_user, message, said
):
    student = StudentFactory()
    client = _office(office_user)
    full = FailOnce('INSERT INTO "fees_payment"', OperationalError(message))
    with connection.execute_wrapper(full):
        response = client.post(DESK, _payment_fields(student))
    assert response.status_code == 503
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert said in body
    assert '<main id="main"' in body  # our layout, with its landmarks and skip link
    assert body.count("<h1") == 1
    assert not Payment.objects.exists()
    assert not Counter.objects.filter(key__startswith="receipt:", value__gt=0).exists()


class _PostgresError(Exception):
    def __init__(self, sqlstate):
        super().__init__("could not extend file: No space left on device")
        self.sqlstate = sqlstate


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sqlstate", ["53100", "25006"])
def test_postgresql_disk_full_and_read_only_are_the_same_503(office_user, sqlstate):
    student = StudentFactory()
    client = _office(office_user)
    error = OperationalError("could not extend file")
    error.__cause__ = _PostgresError(sqlstate)
    with connection.execute_wrapper(FailOnce('INSERT INTO "fees_payment"', error)):
        response = client.post(DESK, _payment_fields(student))
    assert response.status_code == 503
    assert "Nothing was saved" in response.content.decode()
