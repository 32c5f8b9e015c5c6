from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "fees"

    def ready(self):
        from django.db.backends.signals import connection_created

        from fees import ledger_lock

        # SQLite's DELETE trigger on fees_payment asks this function (migration 0002).
        connection_created.connect(ledger_lock.register_sqlite_function)
