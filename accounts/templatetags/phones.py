"""`{{ person.phone|phone }}`: a stored (E.164) number as people read it.

`+919845044444` shows as `+91 98450 44444`; a number that cannot be read (one the data
migration left as it was) shows as stored. Links keep E.164: `href="tel:{{ phone }}"`.
"""

import phonenumbers
from django import template

register = template.Library()


@register.filter(name="phone")
def phone(value):
    if not value:
        return value
    try:
        number = phonenumbers.parse(str(value), None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
