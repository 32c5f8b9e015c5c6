"""Phone numbers: one way to read what people type, one way to store it.

Every phone a person or the office enters (people forms, the admission form, the
profile, the CSV import, the phone sign-in form) goes through `normalise_phone`, so it is
stored in E.164 (`+919876543210`): the same number is the same string everywhere, which
phone sign-in and its per-number rate limit rely on. A number without a country code is
read as Indian (`PHONE_REGION`, default `IN`): "98765 43210", "098765 43210" and
"+91 98765-43210" are all `+919876543210`.
"""

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

INVALID_PHONE = (
    "Enter a valid phone number, e.g. 98450 12345 or +91 98450 12345 "
    "(with the country code for a number outside India)."
)
# Longer than any phone number anyone types; the stored E.164 form has at most 16.
TYPED_MAX_LENGTH = 30


def parse_phone(value: str) -> phonenumbers.PhoneNumber:
    """The number `value` stands for; ValidationError when it is not a valid one."""
    try:
        number = phonenumbers.parse(value, settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(INVALID_PHONE, code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID_PHONE, code="invalid_phone")
    return number


def normalise_phone(value: str | None) -> str:
    """`value` in E.164 (`+919876543210`), or "" for nothing typed.

    Raises ValidationError (with a message for the form) when it is not a valid number.
    """
    value = " ".join((value or "").split())
    if not value:
        return ""
    if len(value) > TYPED_MAX_LENGTH:
        raise ValidationError(INVALID_PHONE, code="invalid_phone")
    return phonenumbers.format_number(parse_phone(value), phonenumbers.PhoneNumberFormat.E164)


def normalise_or_none(value: str | None) -> str | None:
    """E.164 for a valid number, "" for nothing, None when it cannot be read (the data
    migration leaves such numbers as they are)."""
    try:
        return normalise_phone(value)
    except ValidationError:
        return None


def is_mobile(e164: str) -> bool:
    """Whether a stored (E.164) number can receive a text: a mobile, or a number whose
    plan does not tell (the US, for one)."""
    kind = phonenumbers.number_type(phonenumbers.parse(e164))
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


class PhoneField(forms.CharField):
    """A phone number typed any usual way; cleaned to E.164 ("" when left empty)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", TYPED_MAX_LENGTH)
        kwargs.setdefault("label", "Phone")
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"type": "tel", "autocomplete": "tel", "inputmode": "tel"})
        return attrs

    def to_python(self, value):
        return normalise_phone(super().to_python(value))
