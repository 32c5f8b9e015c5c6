"""Notifications' rows (kept in the accounts app's label; accounts/models.py imports them).

- `Message`: the outbox. Every message anyone is sent is one row: to whom, kind, channel,
  the event it tells of, its text, status and attempts. In-app rows (channel "inapp") are
  the user's inbox. Unique on (to, event, channel): a message is sent at most once per
  (person, event, channel).
- `Preference`: a user's choice of channels per kind; `ChannelDefault`: the institute's
  defaults (the office's); neither set: email on when the person has an address.
- `MessageTemplate`: the office's text for a kind (else `texts.DEFAULTS`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["Channel", "ChannelDefault", "Kind", "Message", "MessageTemplate", "Preference"]


class Kind(models.TextChoices):
    FEE_REMINDER = "fee_reminder", "Fee reminders"
    LESSON_CHANGE = "lesson_change", "Lesson changes"
    LESSON_REMINDER = "lesson_reminder", "Lesson reminders"
    ABSENCE = "absence", "Absence notices"
    RECEIPT = "receipt", "Receipts"
    ACCOUNT = "account", "Account and sign-in"  # always sent: never opted out


class Channel(models.TextChoices):
    INAPP = "inapp", "In the app"
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"


class Message(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    event = models.CharField(max_length=200, help_text="The happening this message tells of.")
    to = models.CharField(max_length=254, help_text="Email, E.164 phone, or user:<id> in-app.")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)
    link = models.CharField(max_length=300, blank=True, help_text="A path in the app.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["to", "event", "channel"], name="message_once_per_person_event_channel"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "channel", "read_at"], name="message_inbox"),
            models.Index(fields=["status", "next_try_at"], name="message_due"),
            models.Index(fields=["-created_at", "-id"], name="message_newest"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.to} by {self.channel} ({self.status})"


class Preference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="preference_once_per_kind_channel"
            ),
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind} {self.channel}: {self.enabled}"


class ChannelDefault(models.Model):
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "channel"], name="channel_default_once"),
        ]

    def __str__(self):
        return f"default {self.kind} {self.channel}: {self.enabled}"


class MessageTemplate(models.Model):
    kind = models.CharField(max_length=20, choices=Kind.choices)
    language = models.CharField(max_length=10, default="en")
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=4000)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="template_once_per_kind"),
        ]

    def __str__(self):
        return f"{self.kind} ({self.language})"
