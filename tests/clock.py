"""The test suite's clock: every test runs at a pinned instant in the institute's zone.

Without an option the suite runs at `DEFAULT_NOW`, an ordinary Wednesday morning, so it
passes the same on any real day. `--as-of` (or `MUSICBEATS_TEST_NOW`) moves it:

    pytest --as-of 2027-04-01T00:30          # the whole suite as of that IST instant
    pytest -m dates --as-of edges            # the date-sensitive tests on every edge day
    pytest -m dates --as-of database-edges   # ...on the edges where the database matters
    pytest --as-of now                       # the real clock (to try today)

Several instants (comma-separated, or `edges`) run each `dates`-marked test once per
instant; unmarked tests then run once, at the default.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

INSTITUTE_ZONE = ZoneInfo("Asia/Kolkata")

DEFAULT_NOW = "2026-11-18T10:00"

# The days on which date arithmetic goes wrong, each as an IST wall-clock time.
EDGES = (
    "2026-11-30T10:00",  # the last day of a 30-day month
    "2026-12-01T10:00",  # the 1st of a month
    "2026-12-31T23:30",  # 31 December, a lesson at 23:30
    "2027-01-01T00:30",  # 1 January at 00:30 IST: UTC is still on 31 December
    "2027-02-28T10:00",  # a Sunday, and the last day of February
    "2027-03-31T23:30",  # 31 March, the last evening of the financial year
    "2027-04-01T00:30",  # 1 April at 00:30 IST: UTC is still in the previous financial year
    "2028-02-29T10:00",  # 29 February
)

# The edges where the database's own date handling can differ from SQLite's (the UTC
# day still behind at 00:30 IST, a month's, a year's and a financial year's first day,
# 29 February): `.ci/run` runs PostgreSQL's date-sensitive tests at these, SQLite's at
# every edge (the rest of the date arithmetic is Python's, the same on both).
DATABASE_EDGES = (
    "2026-12-01T10:00",
    "2027-01-01T00:30",
    "2027-04-01T00:30",
    "2028-02-29T10:00",
)


def parse_instants(text: str) -> list[datetime | None]:
    """`--as-of` text to aware instants; None stands for the real clock."""
    text = (text or "").strip()
    if not text:
        return [parse_instant(DEFAULT_NOW)]
    instants = []
    for part in text.split(","):
        part = part.strip()
        if part == "edges":
            instants.extend(parse_instant(edge) for edge in EDGES)
        elif part == "database-edges":
            instants.extend(parse_instant(edge) for edge in DATABASE_EDGES)
        elif part == "now":
            instants.append(None)
        else:
            instants.append(parse_instant(part))
    return instants


def parse_instant(text: str) -> datetime:
    """`2027-04-01` or `2027-04-01T00:30` as a wall-clock time in the institute's zone."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=INSTITUTE_ZONE)
    return moment


def label(instant: datetime | None) -> str:
    return "now" if instant is None else instant.strftime("%Y-%m-%dT%H:%M")
