"""Notifications: what people are told and how it reaches them (see DESIGN.md).

For now this holds the text channel (SMS / WhatsApp) that phone sign-in uses,
`accounts.notifications.channels`; the outbox, inbox and message templates of issue 14
will live beside it.
"""
