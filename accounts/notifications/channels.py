"""Text messages (SMS, WhatsApp) to a phone: one small interface, backends by settings.

    from accounts.notifications.channels import send_text
    send_text("+919876543210", "Your MusicBeats sign-in code: 123456")

`send_text` hands a `TextMessage` to the backend named by the `TEXT_CHANNEL_BACKEND`
setting (environment variable of the same name):

- `accounts.notifications.channels.ConsoleBackend` (the default): prints each message to
  standard output, so `make run` shows the sign-in codes in its terminal. Nothing leaves
  the machine.
- `accounts.notifications.channels.LocmemBackend` (the tests): appends each message to
  `accounts.notifications.channels.outbox`, a list like `django.core.mail.outbox`,
  emptied before every test.
- A real provider (an SMS gateway such as MSG91, Twilio or Gupshup, or the WhatsApp
  Business API): write a subclass of `TextBackend` whose `send` posts `message.to` and
  `message.body` to the provider (reading its keys from settings), and raises
  `TextNotSent` when the provider refuses; point `TEXT_CHANNEL_BACKEND` at it. Nothing
  else changes. Numbers are always E.164 (`accounts.phones`).

The notifications outbox (issue 14) will record and retry through this same function.
"""

import sys
import threading
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


class Channel:
    SMS = "sms"
    WHATSAPP = "whatsapp"


@dataclass(frozen=True)
class TextMessage:
    to: str  # E.164, e.g. +919876543210
    body: str
    channel: str = Channel.SMS


class TextNotSent(Exception):
    """The provider refused or could not be reached."""


class TextBackend:
    """Base class of the text backends: `send` one message or raise `TextNotSent`."""

    def send(self, message: TextMessage) -> None:
        raise NotImplementedError


class ConsoleBackend(TextBackend):
    """Prints each message (while developing: `make run` shows the codes)."""

    _lock = threading.Lock()

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, message: TextMessage) -> None:
        with self._lock:
            self.stream.write(f"[{message.channel} to {message.to}] {message.body}\n")
            self.stream.flush()


# What LocmemBackend sent, oldest first (tests read it; tests/conftest.py empties it).
outbox: list[TextMessage] = []


class LocmemBackend(TextBackend):
    """Keeps each message in `outbox` (tests)."""

    def send(self, message: TextMessage) -> None:
        outbox.append(message)


def get_backend() -> TextBackend:
    return import_string(settings.TEXT_CHANNEL_BACKEND)()


def send_text(number: str, text: str, *, channel: str = Channel.SMS) -> None:
    """Send `text` to the phone `number` (E.164) on `channel` through the configured
    backend. Raises `TextNotSent` when the backend could not send it."""
    get_backend().send(TextMessage(to=number, body=text, channel=channel))
