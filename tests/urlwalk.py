"""Walks the project's URL resolver: every pattern with its view and full name (the
walk the access check itself uses, accounts/checks.py)."""

from accounts.checks import Route, walk

__all__ = ["Route", "walk"]
