from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "fees"

    def ready(self):
        from django.db.backends.signals import connection_created

        from accounts.notifications import attachments
        from fees import ledger_lock
        from fees.receipts import pdf

        # SQLite's DELETE trigger on fees_payment asks this function (migration 0002).
        connection_created.connect(ledger_lock.register_sqlite_function)
        # The receipt mailed to a family carries its PDF (fees.receipts.mail).
        attachments.register(pdf.ATTACHMENT, pdf.attachment)
