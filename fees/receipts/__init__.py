"""Receipts reaching the family: by email with the PDF (`fees.receipts.mail`) and the
office's "Send on WhatsApp" link (`fees.receipts.whatsapp`)."""
