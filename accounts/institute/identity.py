"""What a receipt says about the institute beyond its name and contacts: its GSTIN and
its logo (issue 13, item 2). An abstract model that `Institute` inherits, so the fields
live on the one settings row, plus the checks of what the admin types or uploads.

The logo is stored in the row itself (a few KB of PNG, JPEG or WebP) and shown as a
`data:` URI: receipts, their print and their PDF then need no media server and no file
storage to back up (`make serve`, the backup command and the restore drill see it as
any other column).
"""

import base64
import re

from django.core.exceptions import ValidationError
from django.db import models

MAX_LOGO_BYTES = 200 * 1024
# A file's first bytes say what it is; its name and its declared type may lie.
LOGO_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
GSTIN = re.compile(r"[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]", re.ASCII)
GSTIN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def gstin_check_character(first14: str) -> str:
    """The 15th character of a GSTIN: a base-36 checksum of the first 14 (the GSTN's
    published scheme: alternate weights 1 and 2, sum of the product's base-36 digits)."""
    total = 0
    for index, char in enumerate(first14):
        product = GSTIN_ALPHABET.index(char) * (1 if index % 2 == 0 else 2)
        total += product // 36 + product % 36
    return GSTIN_ALPHABET[(36 - total % 36) % 36]


def validate_gstin(value: str) -> None:
    """Raise ValidationError unless `value` is a well-formed GSTIN with the right check
    character (a typo in one place is caught, as the GST portal does)."""
    if not GSTIN.fullmatch(value or ""):
        raise ValidationError(
            "Enter the 15-character GSTIN, like 27AAPFU0939F1ZV: the state code (2 digits), "
            "the PAN (10 characters), the entity number, Z and the check character.",
            code="invalid_gstin",
        )
    if gstin_check_character(value[:14]) != value[14]:
        raise ValidationError(
            "This GSTIN's last character does not match the rest: check it for a typo.",
            code="gstin_checksum",
        )


def logo_type(content: bytes) -> str:
    """The image type of an uploaded logo, read from its bytes; ValidationError if it is
    too big, not a PNG, JPEG or WebP, or not a whole image."""
    if len(content) > MAX_LOGO_BYTES:
        raise ValidationError(
            "The logo is larger than 200 KB: save a smaller PNG, JPEG or WebP.",
            code="logo_too_big",
        )
    kind = next(
        (kind for kind, signatures in LOGO_SIGNATURES.items() if content.startswith(signatures)),
        "image/webp" if content[:4] == b"RIFF" and content[8:12] == b"WEBP" else None,
    )
    if kind is None or not _whole_image(content):
        raise ValidationError(
            "The logo must be a PNG, JPEG or WebP image.", code="logo_not_an_image"
        )
    return kind


def _whole_image(content: bytes) -> bool:
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    return True


class ReceiptIdentity(models.Model):
    """The GSTIN and logo every printed receipt carries (fees/_receipt_identity.html)."""

    gstin = models.CharField(
        "GSTIN",
        max_length=15,
        blank=True,
        validators=[validate_gstin],
        help_text="Printed on receipts when set (15 characters). Leave empty if the "
        "institute is not registered for GST.",
    )
    logo = models.BinaryField(blank=True, default=b"", max_length=MAX_LOGO_BYTES)
    logo_type = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def logo_data_uri(self) -> str:
        """The logo as a `data:` URI for an `<img src>`, or "" without one."""
        if not self.logo or not self.logo_type:
            return ""
        return f"data:{self.logo_type};base64,{base64.b64encode(bytes(self.logo)).decode()}"
