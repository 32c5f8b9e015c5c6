"""Dates the institute counts in: financial years (April to March), months, date ranges.

Summaries and statements take `?from=YYYY-MM-DD&to=YYYY-MM-DD`. `parse_range` reads
them strictly (ISO dates only), refuses a range that runs backwards or is longer than
`MAX_RANGE_DAYS`, and defaults to the financial year containing today:

    period = parse_range(request.GET)
    if period.errors: ...            # clear messages for the page, never a 500
    period.start, period.end         # inclusive dates
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

# A financial year in India runs from 1 April to 31 March.
FY_START_MONTH = 4
# Three financial years and a day or two: long enough to compare years, short enough
# that a month-by-month table stays readable and every query stays bounded.
MAX_RANGE_DAYS = 3 * 366
# An ISO date is ten characters; anything much longer is not a date (and is not echoed).
MAX_INPUT_LENGTH = 10
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# Years the institute could have records for (keeps month arithmetic far from year 9999).
MIN_YEAR, MAX_YEAR = 1950, 2200


def financial_year_start(day: date) -> date:
    """1 April of the financial year that contains `day`."""
    year = day.year if day.month >= FY_START_MONTH else day.year - 1
    return date(year, FY_START_MONTH, 1)


def financial_year(day: date) -> tuple[date, date]:
    """(1 April, 31 March) of the financial year that contains `day`."""
    start = financial_year_start(day)
    return start, date(start.year + 1, FY_START_MONTH, 1) - timedelta(days=1)


def financial_year_label(day: date) -> str:
    """`2026-27` for any day from 1 April 2026 to 31 March 2027."""
    start = financial_year_start(day)
    return f"{start.year}-{(start.year + 1) % 100:02d}"


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after `day`'s month."""
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def month_end(day: date) -> date:
    return next_month(day) - timedelta(days=1)


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of `month`'s month."""
    return month_start(month), month_end(month)


def parse_month(text: str) -> date:
    """`2026-11` → date(2026, 11, 1); ValueError on anything else."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        return date(year, month, 1)
    except (ValueError, AttributeError):
        raise ValueError(f"{text!r} is not a month like 2026-11.") from None


def months_between(start: date, end: date) -> list[date]:
    """The first day of every month that overlaps start..end (inclusive), in order."""
    months = []
    current = month_start(start)
    while current <= end:
        months.append(current)
        current = next_month(current)
    return months


@dataclass(frozen=True)
class Period:
    """An inclusive date range, with what went wrong reading it (if anything)."""

    start: date
    end: date
    errors: dict[str, str] = field(default_factory=dict)
    # The raw values as typed (trimmed), to show back in the form.
    raw_from: str = ""
    raw_to: str = ""

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def months(self) -> list[date]:
        return months_between(self.start, self.end)

    @property
    def is_financial_year(self) -> bool:
        return (self.start, self.end) == financial_year(self.start)

    @property
    def label(self) -> str:
        if self.is_financial_year:
            return f"Financial year {financial_year_label(self.start)}"
        return f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"

    def querystring(self) -> str:
        return f"from={self.start.isoformat()}&to={self.end.isoformat()}"


def _parse_one(value: str, name: str, errors: dict) -> date | None:
    if len(value) > MAX_INPUT_LENGTH:
        errors[name] = "Enter a date as YYYY-MM-DD (for example 2026-04-01)."
        return None
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        errors[name] = f"“{value}” is not a date: enter it as YYYY-MM-DD (for example 2026-04-01)."
        return None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        errors[name] = f"Enter a date between the years {MIN_YEAR} and {MAX_YEAR}."
        return None
    return day


def parse_range(params, *, today: date | None = None) -> Period:
    """Read `from` and `to` out of a QueryDict (or dict), defaulting to the current FY.

    A missing `from` means the start of the financial year of `to` (or of today); a
    missing `to` means the end of the financial year of `from`. Invalid input comes
    back in `errors` (keyed `from`, `to` or `range`) with the default period as
    start/end, so the caller can still draw the form.
    """
    today = today or timezone.localdate()
    raw_from = (params.get("from") or "").strip()
    raw_to = (params.get("to") or "").strip()
    errors: dict[str, str] = {}
    start = _parse_one(raw_from, "from", errors) if raw_from else None
    end = _parse_one(raw_to, "to", errors) if raw_to else None
    shown_from = raw_from if len(raw_from) <= MAX_INPUT_LENGTH else ""
    shown_to = raw_to if len(raw_to) <= MAX_INPUT_LENGTH else ""
    if errors:
        default_start, default_end = financial_year(today)
        return Period(default_start, default_end, errors, shown_from, shown_to)
    if start is None and end is None:
        start, end = financial_year(today)
    elif start is None:
        start = financial_year_start(end)
    elif end is None:
        end = financial_year(start)[1]
    if start > end:
        errors["range"] = (
            f"The start date ({start:%d %b %Y}) is after the end date ({end:%d %b %Y})."
        )
    elif (end - start).days + 1 > MAX_RANGE_DAYS:
        errors["range"] = "Choose a range of at most three years."
    if errors:
        default_start, default_end = financial_year(today)
        return Period(default_start, default_end, errors, shown_from, shown_to)
    return Period(start, end, {}, raw_from, raw_to)


def parse_day(value: str | None, *, today: date | None = None) -> tuple[date, str]:
    """One `?date=YYYY-MM-DD` (default today): (the date, an error message or "")."""
    today = today or timezone.localdate()
    value = (value or "").strip()
    if not value:
        return today, ""
    errors: dict[str, str] = {}
    day = _parse_one(value, "date", errors)
    if day is None:
        return today, errors["date"]
    return day, ""


def presets(today: date | None = None) -> list[tuple[str, str]]:
    """Common ranges as (label, querystring): this and last financial year, this and last
    month."""
    today = today or timezone.localdate()
    this_start, this_end = financial_year(today)
    last_start, last_end = financial_year(this_start - timedelta(days=1))
    month = month_start(today)
    last_month = month_start(month - timedelta(days=1))

    def qs(start, end):
        return f"from={start.isoformat()}&to={end.isoformat()}"

    return [
        (f"This financial year ({financial_year_label(today)})", qs(this_start, this_end)),
        (f"Last financial year ({financial_year_label(last_start)})", qs(last_start, last_end)),
        (f"This month ({month:%b %Y})", qs(month, month_end(month))),
        (f"Last month ({last_month:%b %Y})", qs(last_month, month_end(last_month))),
    ]
