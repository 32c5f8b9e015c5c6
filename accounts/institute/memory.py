"""The institute's settings row as pages read it: the one source of its name (pages,
footer, login page, admission form, emails) and of its currency (the `money` filter).

Every page shows the name (the footer), so reading the row per request would add a
query to every page. Instead each process keeps a copy of the row in memory for `TTL`
seconds: saving the row puts the saved values there at once in the process that saved
it, and deleting it forgets them (signals in `accounts/apps.py`); other processes
(gunicorn workers, other machines) read it again within `TTL` seconds. A page costs no
query for it, except the first after `TTL`. Reading never writes: without a row, the
defaults show (an unsaved `Institute`).

Only the name and the currency are read from here; fee rules and roll-call windows
keep reading `Institute.get()` inside their own transactions, where staleness matters.
"""

import copy
import time

TTL = 30.0  # seconds another worker may show the old name or currency after a save

_cached = None  # (Institute, monotonic time it expires) or None


def forget(**kwargs) -> None:
    global _cached
    _cached = None


def remember_institute(institute, **kwargs) -> None:
    """Keep a copy of a row just read (a view hands it over) or just saved (post_save):
    the next page reads it from memory. A copy, so that changing the caller's object
    without saving it changes nothing here."""
    global _cached
    _cached = (copy.copy(institute), time.monotonic() + TTL)


def saved(instance, **kwargs) -> None:
    remember_institute(instance)


def current_institute():
    """The Institute row (accounts.models.Institute): read only; do not change it."""
    cached = _cached
    if cached is not None and cached[1] > time.monotonic():
        return cached[0]
    from accounts.models import Institute

    institute = Institute.objects.filter(pk=1).first() or Institute(pk=1)
    remember_institute(institute)
    return _cached[0]


def institute_name() -> str:
    return current_institute().name


def current_currency() -> str:
    return current_institute().currency
