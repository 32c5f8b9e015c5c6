from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "fees"

    def ready(self):
        from django.core.signals import request_started
        from django.db.backends.signals import connection_created

        from fees import ledger_lock
        from fees.templatetags.money import forget_currency

        # SQLite's DELETE trigger on fees_payment asks this function (migration 0002).
        connection_created.connect(ledger_lock.register_sqlite_function)
        # The money filter reads the institute's currency once per request.
        request_started.connect(forget_currency)
