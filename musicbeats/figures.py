"""Several one-row figures from different tables, read in one query.

A staff dashboard shows a dozen counts and sums, each an aggregate of another table
(people, admission requests, batches, enrolments, the month's dues, today's lessons).
Asked one by one they cost a query each, and the round trips add up (issue 16: the office
dashboard took 18 queries). Each app still builds its own figures, as an aggregate
queryset that is not run (`Figures.aggregate`); `read_at_once` runs them all as derived
tables of one SELECT:

    SELECT * FROM (SELECT COUNT(...) FROM accounts_user) AS part0
                  CROSS JOIN (SELECT SUM(...) FROM fees_charge WHERE ...) AS part1 ...

Every part is an aggregate without GROUP BY, so it is exactly one row (zeros or NULLs on
an empty table) and the cross join is one row. Each value goes through the ORM's own
converters (a money sum comes back an exact Decimal on SQLite too), and each part keeps
the plan it would have alone: SQLite does not flatten an aggregate subquery into a join,
and PostgreSQL plans each derived table on its own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet, Value


def one_row(queryset: QuerySet, **aggregates) -> QuerySet:
    """`queryset.aggregate(**aggregates)` as a queryset that is not run yet: one row of
    the aggregates over the whole queryset (no GROUP BY). Not for a queryset Django
    knows to be empty before running it (`filter(pk__in=[])`, `.none()`): it writes no
    SQL for those (EmptyResultSet)."""
    return (
        queryset.order_by()
        .values(_all=Value(1))  # a constant to group by is no grouping at all
        .annotate(**aggregates)
        .values(*aggregates)
    )


@dataclass(frozen=True)
class OneRow:
    """A one-row SELECT of our own SQL (no ORM converters: values as the database gives
    them), and how many columns it has."""

    sql: str
    params: tuple
    width: int


@dataclass(frozen=True)
class Figures:
    """What one selector reads: one-row querysets (or `OneRow`s), and `finish`, which
    makes its figures from their rows (one dict per part, in order). `finish` may read
    more itself (a list, a cached figure): those queries are its own."""

    parts: tuple[QuerySet | OneRow, ...]
    finish: Callable[..., Any]

    @classmethod
    def aggregate(cls, queryset: QuerySet, finish: Callable[[dict], Any] = dict, **aggregates):
        """The figures of one aggregate, `queryset.aggregate(**aggregates)` at once."""
        return cls((one_row(queryset, **aggregates),), finish)


def _rows(parts: list[QuerySet | OneRow]) -> list[dict]:
    """Each one-row part's row, from one query."""
    compiled, sqls, params = [], [], []
    for number, part in enumerate(parts):
        if isinstance(part, OneRow):
            sql, part_params, compiler = part.sql, part.params, None
        else:
            compiler = part.query.get_compiler(connection=connection)
            sql, part_params = compiler.as_sql()
        compiled.append((part, compiler))
        sqls.append(f"({sql}) AS {connection.ops.quote_name(f'part{number}')}")
        params.extend(part_params)
    with connection.cursor() as cursor:
        # The parts' SQL is the ORM's or our own, values are parameters: no input in it.
        cursor.execute("SELECT * FROM " + " CROSS JOIN ".join(sqls), params)  # noqa: S608
        names = [column[0] for column in cursor.description]
        row = cursor.fetchone()
    rows, start = [], 0
    for part, compiler in compiled:
        if compiler is None:
            end = start + part.width
            rows.append(dict(zip(names[start:end], row[start:end], strict=True)))
            start = end
            continue
        columns = compiler.select  # (expression, sql, alias) per column, set by as_sql()
        values = list(row[start : start + len(columns)])
        start += len(columns)
        converters = compiler.get_converters([expression for expression, _sql, _a in columns])
        if converters:
            values = next(iter(compiler.apply_converters([values], converters)))
        rows.append({alias: value for (_e, _s, alias), value in zip(columns, values, strict=True)})
    return rows


def read_at_once(*figures: Figures) -> list:
    """Each of `figures` finished, from one query (then whatever each `finish` reads)."""
    rows = iter(_rows([part for figure in figures for part in figure.parts]))
    return [figure.finish(*[next(rows) for _ in figure.parts]) for figure in figures]
