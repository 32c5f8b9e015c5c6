"""Store every person's phone (and admission requests' guardian phones) in E.164, and let
families without an email sign in by phone where the number is theirs alone.

- A phone that reads as a valid number (Indian when it has no country code) becomes
  E.164: "98765 43210" → "+919876543210". One that cannot be read is left as it is and
  listed on the console (the office corrects it on the person's page, where the form
  then insists on a valid number).
- `phone_login` is turned on for active students and guardians with no email and a
  mobile number that no other active student or guardian has; when a guardian shares the
  number only with students (a child's record carrying the parent's phone), the guardian
  gets it. Shared numbers otherwise stay contact numbers, listed on the console.

Written against phonenumbers directly (not accounts.phones) so that later changes to
the app's code do not change what this migration did.
"""

from collections import defaultdict

import phonenumbers
from django.conf import settings
from django.db import migrations

FAMILY = ("student", "guardian")
TEXTABLE = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _e164(value):
    """(E.164 or None, number or None)."""
    try:
        number = phonenumbers.parse(" ".join(value.split()), getattr(settings, "PHONE_REGION", "IN"))
    except phonenumbers.NumberParseException:
        return None, None
    if not phonenumbers.is_valid_number(number):
        return None, None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), number


def normalise_phones(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    AdmissionRequest = apps.get_model("accounts", "AdmissionRequest")
    unreadable, changed = [], []
    mobiles = {}
    for user in User.objects.exclude(phone="").only("pk", "phone", "full_name"):
        e164, number = _e164(user.phone)
        if e164 is None:
            unreadable.append(f"user {user.pk} ({user.full_name}): {user.phone!r}")
            continue
        if phonenumbers.number_type(number) in TEXTABLE:
            mobiles[user.pk] = e164
        if e164 != user.phone:
            user.phone = e164
            changed.append(user)
    User.objects.bulk_update(changed, ["phone"], batch_size=500)

    requests = []
    for admission in AdmissionRequest.objects.exclude(guardian_phone="").only("pk", "guardian_phone"):
        e164, _number = _e164(admission.guardian_phone)
        if e164 is None:
            unreadable.append(f"admission request {admission.pk}: {admission.guardian_phone!r}")
        elif e164 != admission.guardian_phone:
            admission.guardian_phone = e164
            requests.append(admission)
    AdmissionRequest.objects.bulk_update(requests, ["guardian_phone"], batch_size=500)

    # Who signs in by phone: per number, the one family member without an email who has it.
    holders = defaultdict(list)
    family = User.objects.filter(role__in=FAMILY, is_active=True, pk__in=list(mobiles))
    for pk, role, email in family.values_list("pk", "role", "email"):
        holders[mobiles[pk]].append((pk, role, email))
    enable, shared = [], []
    for phone, people in holders.items():
        guardians = [p for p in people if p[1] == "guardian"]
        owner = people[0] if len(people) == 1 else (guardians[0] if len(guardians) == 1 else None)
        if owner is None:
            shared.append(f"{phone}: users {', '.join(str(p[0]) for p in people)}")
        elif not owner[2]:
            enable.append(owner[0])
    User.objects.filter(pk__in=enable).update(phone_login=True)

    if unreadable or shared:
        print()
        for line in unreadable:
            print(f"  phone left as it was (not a valid number): {line}")
        for line in shared:
            print(f"  phone sign-in not turned on (number shared): {line}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_user_phone_login")]

    operations = [migrations.RunPython(normalise_phones, migrations.RunPython.noop)]
