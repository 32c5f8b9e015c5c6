"""A real SMTP server for the outbox tests (aiosmtpd on 127.0.0.1, a free port).

    def test_x(smtp_server):          # accepts every message, keeps them
        ...                           # MAILERS now points at it
        assert smtp_server.messages[0]["To"] == "a@example.test"

    def test_y(smtp_busy):            # answers every message `451 4.3.0 Try again later`
        ...

`smtp_refused_port` is a port where nothing listens (a mail server that is down).
"""

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


class Recorder:
    """Accepts every message and keeps it (an email.message.EmailMessage each)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class Busy(Recorder):
    """A server that is there but cannot take mail now: a temporary (4xx) refusal."""

    def __init__(self):
        super().__init__()
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        self.refused += 1
        return "451 4.3.0 Try again later"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp_mailers(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }


def _serve(handler, settings):
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = smtp_mailers(controller.port)
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(settings):
    """A working SMTP server; MAILERS sends to it for this test."""
    yield from _serve(Recorder(), settings)


@pytest.fixture
def smtp_busy(settings):
    """An SMTP server that answers 451 to every message; MAILERS sends to it."""
    yield from _serve(Busy(), settings)


@pytest.fixture
def smtp_down(settings):
    """MAILERS points at a port where nothing listens (connection refused)."""
    settings.MAILERS = smtp_mailers(free_port())
