"""Django's `flush`, allowed past the payment ledger's SQLite DELETE trigger.

Emptying the whole database (a developer's reset, the test suite between transactional
tests) is the only delete of payments there is; see fees/ledger_lock.py.
"""

from django.core.management.commands import flush

from fees.ledger_lock import unlocked_for_flush


class Command(flush.Command):
    def handle(self, **options):
        with unlocked_for_flush():
            return super().handle(**options)
