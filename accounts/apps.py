from django.apps import AppConfig
from django.core import checks


class AccountsConfig(AppConfig):
    verbose_name = "People and accounts"
    name = "accounts"

    def ready(self):
        # Registers the `<id:…>` URL converter every app's URLs use, before any URLconf
        # is loaded (accounts is the app every other one builds on).
        import musicbeats.ids  # noqa: F401
        from accounts.checks import check_views_declare_access

        checks.register(check_views_declare_access, checks.Tags.urls)

        from musicbeats.security_log import connect_signals

        # Logins, failed logins and logouts go to the security log (JSON lines).
        connect_signals()

        from django.db.models.signals import post_delete, post_save

        from accounts.institute import memory
        from accounts.models import Institute

        # Pages keep the institute's name and currency in memory; a save replaces them.
        post_save.connect(memory.saved, sender=Institute)
        post_delete.connect(memory.forget, sender=Institute)

        from accounts.sessions import receivers

        # Sign-in stamps and tracks the session; logout, password changes and resets
        # end the person's other sessions (accounts/sessions/receivers.py).
        receivers.connect()
        from allauth.mfa import signals as mfa_signals
        from django.contrib.auth.signals import user_logged_in

        from accounts.twofactor import state

        # Whether the person has an authenticator app is kept in their session.
        user_logged_in.connect(state.logged_in)
        mfa_signals.authenticator_removed.connect(state.authenticator_removed)
