from datetime import date

import pytest

from musicbeats.dates import (
    financial_year,
    financial_year_label,
    month_bounds,
    month_end,
    months_between,
    parse_day,
    parse_month,
    parse_range,
)

TODAY = date(2026, 11, 14)


@pytest.mark.parametrize(
    "day,start,end,label",
    [
        (date(2026, 4, 1), date(2026, 4, 1), date(2027, 3, 31), "2026-27"),
        (date(2027, 3, 31), date(2026, 4, 1), date(2027, 3, 31), "2026-27"),
        (date(2026, 3, 31), date(2025, 4, 1), date(2026, 3, 31), "2025-26"),
        (date(1999, 12, 31), date(1999, 4, 1), date(2000, 3, 31), "1999-00"),
    ],
)
def test_financial_year_runs_april_to_march(day, start, end, label):
    assert financial_year(day) == (start, end)
    assert financial_year_label(day) == label


def test_financial_year_helpers():
    assert financial_year_label(date(2026, 3, 31)) == "2025-26"
    assert financial_year_label(date(2026, 4, 1)) == "2026-27"
    assert financial_year_label(date(2099, 12, 1)) == "2099-00"
    assert financial_year(date(2027, 1, 5)) == (date(2026, 4, 1), date(2027, 3, 31))


def test_months_between_lists_every_overlapping_month():
    assert months_between(date(2026, 11, 20), date(2027, 2, 1)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
    assert month_end(date(2028, 2, 3)) == date(2028, 2, 29)


def test_month_bounds_run_from_the_first_to_the_last_day():
    assert month_bounds(date(2028, 2, 15)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert month_bounds(date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))


def test_parse_month_reads_year_and_month_only():
    assert parse_month(" 2026-11 ") == date(2026, 11, 1)


@pytest.mark.parametrize("text", ["2026-13", "2026-11-05", "November", "", None])
def test_parse_month_refuses_anything_else(text):
    with pytest.raises(ValueError, match="is not a month like 2026-11"):
        parse_month(text)


def test_no_dates_means_the_current_financial_year():
    period = parse_range({}, today=TODAY)
    assert period.is_valid
    assert (period.start, period.end) == (date(2026, 4, 1), date(2027, 3, 31))
    assert period.label == "Financial year 2026-27"
    assert len(period.months) == 12


def test_a_full_range_is_read_as_given():
    period = parse_range({"from": "2026-05-03", "to": "2026-06-30"}, today=TODAY)
    assert (period.start, period.end) == (date(2026, 5, 3), date(2026, 6, 30))
    assert period.querystring() == "from=2026-05-03&to=2026-06-30"


def test_one_end_fills_the_other_from_its_financial_year():
    assert parse_range({"from": "2025-06-01"}, today=TODAY).end == date(2026, 3, 31)
    assert parse_range({"to": "2025-06-01"}, today=TODAY).start == date(2025, 4, 1)


@pytest.mark.parametrize(
    "params,key",
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "abc"}, "from"),
        ({"to": "01/04/2026"}, "to"),
        ({"from": "20260401"}, "from"),
        ({"from": "2026-W01-1"}, "from"),
        ({"from": "9999-12-31"}, "from"),
        ({"from": "x" * 10_000}, "from"),
        ({"from": "2026-06-01", "to": "2026-05-01"}, "range"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "range"),
    ],
)
def test_bad_input_comes_back_as_a_message_with_the_default_period(params, key):
    period = parse_range(params, today=TODAY)
    assert not period.is_valid
    assert key in period.errors
    assert (period.start, period.end) == financial_year(TODAY)
    assert len(period.raw_from) <= 10


def test_parse_day():
    assert parse_day("", today=TODAY) == (TODAY, "")
    assert parse_day("2026-01-02", today=TODAY) == (date(2026, 1, 2), "")
    day, error = parse_day("yesterday", today=TODAY)
    assert day == TODAY and "YYYY-MM-DD" in error
