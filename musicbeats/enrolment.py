"""The one implementation of "which enrolments are open" (issue 10, item 3).

Plain Q builders, not model methods: accounts may not import attendance (where
Enrollment lives), and a Q also works through relations (`prefix="enrollments__"`)
and inside aggregate filters (`Count(..., filter=...)`), which a QuerySet method cannot.

An enrolment is open on day D when joined_on <= D and (left_on is null or left_on >= D):
the leaving day is the last day it is open.
"""

from datetime import date

from django.db.models import Q


def not_ended_by(day: date, prefix: str = "") -> Q:
    """Enrolments still open on `day` or later: no leaving date, or leaving on/after `day`.
    (Those that start after `day` count too: they hold their seat.)"""
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": day})


def open_during(start: date, end: date, prefix: str = "") -> Q:
    """Enrolments open on at least one day from `start` to `end`, inclusive."""
    return Q(**{f"{prefix}joined_on__lte": end}) & not_ended_by(start, prefix)


def open_on(day: date, prefix: str = "") -> Q:
    """Enrolments open on `day`."""
    return open_during(day, day, prefix)
