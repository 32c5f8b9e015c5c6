"""The batch list: search, filters, sorting, pagination, free seats, CSV export."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from attendance.models import Batch
from tests.factories import (
    BatchFactory,
    EnrollmentFactory,
    InstrumentFactory,
    UserFactory,
    bulk_batches,
)

URL = reverse("classes:batch_list")
EXPORT = reverse("classes:batch_export")


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


@pytest.fixture
def catalogue(db):
    guitar = InstrumentFactory(name="Guitar")
    tabla = InstrumentFactory(name="Tabla")
    joseph = UserFactory(role=Role.TEACHER, full_name="Joseph Dsouza")
    anil = UserFactory(role=Role.TEACHER, full_name="Anil Deshpande")
    batches = {
        "guitar": BatchFactory(
            name="Guitar Beginners", instrument=guitar, teacher=joseph, capacity=3
        ),
        "tabla": BatchFactory(
            name="Tabla Foundation", instrument=tabla, teacher=anil, monthly_fee=Decimal("900")
        ),
        "private": BatchFactory(
            name="Guitar one-to-one",
            instrument=guitar,
            teacher=joseph,
            kind=Batch.Kind.PRIVATE,
            capacity=1,
        ),
        "old": BatchFactory(name="Old Tabla", instrument=tabla, teacher=anil, is_active=False),
    }
    people = {"joseph": joseph, "anil": anil}
    return {"guitar_course": guitar, "tabla_course": tabla, **people, **batches}


def names(response):
    return [batch.name for batch in response.context["page"].object_list]


def test_lists_active_batches_by_name_with_a_count(office, catalogue):
    response = office.get(URL)
    assert names(response) == ["Guitar Beginners", "Guitar one-to-one", "Tabla Foundation"]
    assert b"3 batches" in response.content


def test_shows_free_seats(office, catalogue):
    EnrollmentFactory(batch=catalogue["guitar"], joined_on=date(2026, 1, 1))
    EnrollmentFactory(  # ended: the seat is free again
        batch=catalogue["guitar"], joined_on=date(2020, 1, 1), left_on=date(2020, 6, 30)
    )
    EnrollmentFactory(batch=catalogue["private"], joined_on=date(2026, 1, 1))
    response = office.get(URL)
    rows = {batch.name: batch for batch in response.context["page"].object_list}
    assert (rows["Guitar Beginners"].taken, rows["Guitar Beginners"].free) == (1, 2)
    assert rows["Guitar one-to-one"].free == 0
    assert b"Full" in response.content


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"q": "tabla"}, ["Tabla Foundation"]),
        ({"q": "JOSEPH"}, ["Guitar Beginners", "Guitar one-to-one"]),
        ({"q": "nothing like it"}, []),
        ({"kind": "private"}, ["Guitar one-to-one"]),
        ({"active": "inactive"}, ["Old Tabla"]),
        ({"active": "all", "q": "tabla"}, ["Old Tabla", "Tabla Foundation"]),
        ({"sort": "-fee"}, ["Guitar Beginners", "Guitar one-to-one", "Tabla Foundation"]),
        ({"sort": "fee"}, ["Tabla Foundation", "Guitar Beginners", "Guitar one-to-one"]),
        ({"sort": "free"}, ["Guitar one-to-one", "Guitar Beginners", "Tabla Foundation"]),
        ({"sort": "teacher"}, ["Tabla Foundation", "Guitar Beginners", "Guitar one-to-one"]),
    ],
)
def test_search_filters_and_sorting(office, catalogue, query, expected):
    assert names(office.get(URL, query)) == expected


def test_filters_by_instrument_and_teacher(office, catalogue):
    by_instrument = office.get(URL, {"instrument": catalogue["guitar_course"].pk})
    assert names(by_instrument) == ["Guitar Beginners", "Guitar one-to-one"]
    by_teacher = office.get(URL, {"teacher": catalogue["anil"].pk, "active": "all"})
    assert names(by_teacher) == ["Old Tabla", "Tabla Foundation"]


@pytest.mark.parametrize(
    "query",
    [
        {"instrument": "999999"},
        {"instrument": "abc"},
        {"teacher": "-1"},
        {"kind": "jazz"},
        {"sort": "password"},
        {"active": "maybe"},
        {"page": "9999"},
        {"page": "x"},
        {"q": "x" * 10_000},
    ],
)
def test_bad_query_values_are_ignored_not_errors(office, catalogue, query):
    assert office.get(URL, query).status_code == 200


def test_htmx_search_returns_only_the_results(office, catalogue):
    response = office.get(
        URL, {"q": "tabla"}, headers={"HX-Request": "true", "HX-Target": "batch-results"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="batch-results"' in html
    assert "Tabla Foundation" in html
    assert "<html" not in html
    assert "Guitar Beginners" not in html


def test_works_without_javascript(office, catalogue):
    html = office.get(URL).content.decode()
    assert 'method="get"' in html
    assert f'action="{URL}"' in html
    assert 'hx-get="' in html


def test_paginates_25_a_page(office, db):
    bulk_batches(30)
    first = office.get(URL)
    assert len(first.context["page"].object_list) == 25
    assert b"30 batches" in first.content
    second = office.get(URL, {"page": 2})
    assert len(second.context["page"].object_list) == 5
    assert "page=2" in first.content.decode()


def test_page_and_export_links_keep_the_filters(office, db):
    bulk_batches(30)
    html = office.get(URL, {"q": "bulk", "sort": "name", "page": 2}).content.decode()
    assert f'href="{EXPORT}?q=bulk&amp;sort=name"' in html  # every page: no page=
    assert 'href="?q=bulk&amp;sort=name&amp;page=1"' in html


@pytest.mark.parametrize("rows", [10, 1000])
def test_query_budget_does_not_grow(office, db, rows, django_assert_max_num_queries):
    bulk_batches(rows)
    # session, user, count, page, instrument and teacher choices (filter form)
    with django_assert_max_num_queries(6):
        response = office.get(URL, {"q": "bulk"})
    assert response.status_code == 200


def test_export_is_csv_of_every_filtered_batch(office, catalogue):
    EnrollmentFactory(batch=catalogue["guitar"], joined_on=date(2026, 1, 1))
    response = office.get(EXPORT, {"q": "guitar", "page": "2"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Batch", "Kind", "Instrument"]
    assert [row[0] for row in rows[1:]] == ["Guitar Beginners", "Guitar one-to-one"]
    guitar = rows[1]
    assert guitar[6:10] == ["3", "1", "2", "1500.00"]


def test_export_neutralises_spreadsheet_formulas(office, db):
    BatchFactory(name="=HYPERLINK(1)")
    rows = list(csv.reader(io.StringIO(office.get(EXPORT).content.decode("utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("rows", [10, 1000])
def test_export_query_budget(office, db, rows, django_assert_max_num_queries):
    bulk_batches(rows)
    with django_assert_max_num_queries(5):
        response = office.get(EXPORT)
    assert response.content.decode("utf-8-sig").count("\n") == rows + 1


def test_teacher_cannot_open_the_list(client, teacher):
    client.force_login(teacher)
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_page_and_fragment_are_cached_apart(office, catalogue):
    assert "HX-Request" in office.get(URL)["Vary"]
