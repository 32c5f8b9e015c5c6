"""Database ids from the outside world: URL segments, query parameters, form fields.

Every table's primary key is a 64-bit integer, so an id is 1..2**63-1. A larger number
("/fees/payments/99999999999999999999/") names nothing; it must be a 404 (in a URL) or an
ignored/refused value (in a query or a form), never an overflow deep in the database
driver (SQLite raises OverflowError on such a value: a 500).

- In URLs, `<id:pk>` instead of `<int:pk>`: the `id` converter, registered here, matches
  only 1..2**63-1, so any other number is a 404 before a view runs. Django forbids
  redefining its own `int` converter, hence a new name.
- In code reading a query parameter, `parse_id(value)`: the id, or None.
- In forms, `IdModelChoiceField` (or `IdChoiceMixin` on a ModelChoiceField subclass):
  a value that is not an id is "not one of the choices", without asking the database.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import register_converter

MAX_ID = 2**63 - 1
_MAX_DIGITS = len(str(MAX_ID))


def parse_id(value) -> int | None:
    """`value` as a database id (1..2**63-1), or None when it is anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    text = str(value or "").strip()
    # isascii: str.isdigit() also accepts "²" and other digits int() refuses or reads.
    if not (text.isascii() and text.isdigit()) or len(text) > _MAX_DIGITS:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdConverter:
    """`<id:pk>`: a database id in a URL, 1..2**63-1 (digits only, no sign).

    Reversing accepts 0 (and any non-negative integer of up to 19 digits): pages
    reverse `pk=0` once to build a prefix for many rows' links. Such a URL resolves to
    nothing, a 404, like any id outside the range.
    """

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            # A ValueError tells the resolver "no match": the URL is a 404.
            raise ValueError(f"{value} is not a database id.")
        return number

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")


class IdChoiceMixin:
    """For a ModelChoiceField keyed by a model's integer primary key: a submitted value
    that is not an id is an invalid choice, answered before any query."""

    def to_python(self, value):
        if (
            self.to_field_name in (None, "pk", "id")
            and value not in self.empty_values
            and not isinstance(value, self.queryset.model)
            and parse_id(value) is None
        ):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class IdModelChoiceField(IdChoiceMixin, forms.ModelChoiceField):
    pass


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField whose values must each be an id (1..2**63-1)."""

    def _check_values(self, value):
        if self.to_field_name in (None, "pk", "id"):
            for pk in value:
                if not isinstance(pk, self.queryset.model) and parse_id(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)
