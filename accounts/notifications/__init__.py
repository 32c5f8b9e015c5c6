"""Notifications: the outbox and inbox (models), texts, channels, sending tasks.

`accounts.notifications.service.notify` is the way to tell someone something."""
