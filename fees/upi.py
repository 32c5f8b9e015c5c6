"""UPI payment links and their QR codes, made on the server with segno.

A family opens `/fees/mine/`, scans the code with any UPI app (or taps the link on a
phone) and the app opens with the institute's UPI ID, name, the amount due and a note
that names the student, ready to confirm. The office still records the payment at the
desk when the UPI transaction id arrives: nothing here talks to a bank.

The link follows NPCI's `upi://pay` deep-link parameters: `pa` (payee address),
`pn` (payee name), `am` (amount, two decimals), `cu` (currency, always INR) and `tn`
(transaction note). Values are percent-encoded (spaces as %20, which every UPI app
reads; `+` is not).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote, urlencode

import segno
from django.core.exceptions import ValidationError

from accounts.validators import validate_upi_id  # the UPI ID is an accounts field
from musicbeats.money import CENT

# UPI apps truncate or refuse long notes and payee names; keep well within limits.
MAX_NOTE = 50
MAX_NAME = 50


def payment_uri(*, upi_id: str, payee_name: str, amount: Decimal, note: str = "") -> str:
    """The `upi://pay?...` link for paying `amount` rupees to `upi_id`."""
    validate_upi_id(upi_id)
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount <= 0:
        raise ValueError("A UPI payment link needs a positive amount.")
    params = {
        "pa": upi_id,
        "pn": " ".join(payee_name.split())[:MAX_NAME],
        "am": f"{amount:.2f}",
        "cu": "INR",
    }
    note = " ".join(note.split())[:MAX_NOTE]
    if note:
        params["tn"] = note
    # quote (not quote_plus): spaces become %20; "@" is kept readable in `pa`.
    return "upi://pay?" + urlencode(params, quote_via=quote, safe="@")


def qr_data_uri(uri: str) -> str:
    """An SVG QR code for `uri` as a data: URI, for an <img> (CSP allows data: images).

    Dark modules on a white quiet zone, so phones read it in dark mode too.
    """
    code = segno.make(uri, error="m", micro=False)
    return code.svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


@dataclass(frozen=True)
class UpiRequest:
    """What `/fees/mine/` shows for one amount: the link, its QR image and its words."""

    uri: str
    qr: str
    amount: Decimal
    payee: str
    upi_id: str
    note: str


def upi_request(*, institute, amount: Decimal, note: str) -> UpiRequest | None:
    """The UPI link and QR code for `amount`, or None when there is nothing to offer.

    None when the institute has no UPI ID, its currency is not INR (UPI moves rupees
    only), or nothing is due.
    """
    if not institute.upi_id or institute.currency != "INR" or amount is None or amount <= 0:
        return None
    try:
        uri = payment_uri(
            upi_id=institute.upi_id, payee_name=institute.name, amount=amount, note=note
        )
    except ValidationError:
        # A UPI ID saved before validation existed: show no code rather than a bad one.
        return None
    return UpiRequest(
        uri=uri,
        qr=qr_data_uri(uri),
        amount=amount,
        payee=institute.name,
        upi_id=institute.upi_id,
        note=" ".join(note.split())[:MAX_NOTE],
    )


def family_note(students) -> str:
    """The UPI note for paying all the children's dues at once: every roll number, so the
    office can split it, within UPI's 50-character note (`fees.upi.MAX_NOTE`)."""
    rolls = [student.roll_number for student in students]
    note = "Fees " + " ".join(rolls)
    if len(note) <= MAX_NOTE:
        return note
    # Too many or too long roll numbers: as many as fit, then how many more.
    kept = []
    for roll in rolls:
        more = f" +{len(rolls) - len(kept) - 1} more"
        if len("Fees " + " ".join([*kept, roll]) + more) > MAX_NOTE:
            break
        kept.append(roll)
    return "Fees " + " ".join(kept) + f" +{len(rolls) - len(kept)} more"
