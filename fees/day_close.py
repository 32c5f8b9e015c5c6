"""Closing the day (issue 13, item 5): the office counts, sees the difference per method,
closes; a closed day is locked.

- `close_day` stores the counts beside a snapshot of what the ledger says for the day
  (`DayClose`). A day is closed once; a close is never reopened or edited (the snapshot
  and counts are what the office signed off; a later correction is an override, below,
  recorded per payment, so the close and every change after it stay readable).
- `ensure_day_open` is the one check every write of a payment calls: a payment dated on
  a closed day, or a void of one, needs the admin and a reason, and leaves a
  `DayCloseOverride` row (who, when, why, which payment). Office staff get a
  `ValidationError` the page shows.

Both take the receipt counter row of the day's financial year (`Counter`, the row
`record_payment` already locks), so a payment recorded while the day is being closed is
either in the snapshot or refused, never lost between the two.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Counter, Role
from fees.models import DAY_METHODS, MAX_DAY_COUNT, DayClose, DayCloseOverride, Payment
from fees.reports.cash_close import totals_by_method
from musicbeats.dates import financial_year_label
from musicbeats.money import CENT, format_money, is_plain_amount

REASON_MAX = 300


def _day(on: date) -> str:
    return date_format(on, "j M Y")


def lock_year(day: date) -> None:
    """Take the receipt counter row of `day`'s financial year (see the module docstring).
    Every payment write takes it before it writes the payment: recording draws the receipt
    number from it, a void takes it before voiding. The payment totals' triggers (migration
    0011) then lock the day's and the student's totals rows, always after this one, so two
    writes never wait for each other the other way round (a deadlock)."""
    key = f"receipt:{financial_year_label(day)}"
    Counter.objects.bulk_create([Counter(key=key)], ignore_conflicts=True)
    list(Counter.objects.select_for_update().filter(key=key).values_list("key", flat=True))


def ensure_day_open(
    day: date,
    *,
    by,
    override_reason: str = "",
    payment: Payment | None = None,
    action: str = DayCloseOverride.Action.RECORD,
) -> DayCloseOverride | None:
    """Refuse a payment write on a closed `day` unless `by` is the admin and gives a
    reason; then record the override (for `payment`, when given) and return it.
    Call inside the write's transaction, after the write, so a refusal undoes it."""
    lock_year(day)
    close = DayClose.objects.select_related("closed_by").filter(day=day).first()
    if close is None:
        return None
    what = (
        "record a payment dated on it"
        if action == DayCloseOverride.Action.RECORD
        else ("void one of its payments")
    )
    closed = (
        f"{_day(day)} was closed by {close.closed_by.full_name} at "
        f"{timezone.localtime(close.closed_at):%H:%M}"
    )
    if getattr(by, "role", None) != Role.ADMIN:
        raise ValidationError(f"{closed}: only the admin may {what}, with a reason.")
    reason = " ".join((override_reason or "").split())
    if not reason:
        raise ValidationError(f"{closed}: say why you {what} (the reason is kept).")
    if len(reason) > REASON_MAX:
        raise ValidationError(f"Keep the reason to {REASON_MAX} characters.")
    return DayCloseOverride.objects.create(
        day_close=close, payment=payment, action=action, reason=reason, by=by
    )


def is_closed(day: date) -> bool:
    return DayClose.objects.filter(day=day).exists()


def clean_count(value, *, label: str) -> Decimal:
    """A counted amount: a plain number of rupees, 0 or more, two places at most, below
    ₹1,00,00,000. Blank is 0 (nothing taken by that method)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0.00")
    if isinstance(value, float):
        raise ValidationError(f"{label}: a Decimal, not a float.")
    if isinstance(value, str) and not is_plain_amount(value):
        raise ValidationError(f"{label}: write the amount with the digits 0-9 and one dot.")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{label} is not a number.") from None
    if not amount.is_finite():
        raise ValidationError(f"{label} is not a number.")
    if amount != amount.quantize(CENT):
        raise ValidationError(f"{label} has more than two decimal places.")
    if amount < 0:
        raise ValidationError(f"{label} cannot be negative.")
    if amount > MAX_DAY_COUNT:
        raise ValidationError(f"{label} must be at most {format_money(MAX_DAY_COUNT)}.")
    return amount.quantize(CENT)


def check_day(day: date) -> None:
    """Refuse a day that cannot be closed: one in the future, or one already closed."""
    if day > timezone.localdate():
        raise ValidationError(f"{_day(day)} has not come yet: a day is closed at its end.")
    close = DayClose.objects.select_related("closed_by").filter(day=day).first()
    if close is not None:
        raise ValidationError(
            f"{_day(day)} is already closed (by {close.closed_by.full_name} at "
            f"{timezone.localtime(close.closed_at):%d %b %H:%M}). A close is not reopened."
        )


@transaction.atomic
def close_day(*, day: date, counted: dict, note: str = "", by) -> DayClose:
    """Close `day`: the office's counts per method (`counted`: method → amount; a missing
    method is 0) beside the ledger's non-void totals now. Refused for a future day or a
    day already closed."""
    counts = {m: clean_count(counted.get(m), label=Payment.Method(m).label) for m in DAY_METHODS}
    note = " ".join((note or "").split())
    if len(note) > REASON_MAX:
        raise ValidationError(f"Keep the note to {REASON_MAX} characters.")
    lock_year(day)
    check_day(day)
    expected = {m: row.amount for m, row in totals_by_method(day).items()}
    fields = {f"counted_{m}": counts[m] for m in DAY_METHODS}
    fields |= {f"expected_{m}": expected[m] for m in DAY_METHODS}
    try:
        with transaction.atomic():
            return DayClose.objects.create(day=day, note=note, closed_by=by, **fields)
    except IntegrityError:
        # A close saved at the same moment elsewhere: that one stands.
        raise ValidationError(f"{_day(day)} is already closed.") from None
