from tests.notifications.smtp import smtp_busy, smtp_down, smtp_server  # noqa: F401
