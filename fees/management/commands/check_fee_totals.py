"""`manage.py check_fee_totals`: compare the payment totals the database keeps (per day
and method, per student; fees.reports.totals) with the ledger, and with `--repair` write
them again. Exit status 1 when they differ (a nightly cron line notices)."""

from django.core.management.base import BaseCommand, CommandError

from fees.reports.totals import differences, rebuild


class Command(BaseCommand):
    help = "Check the kept payment totals against the ledger; --repair rewrites them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="Write the totals again from the ledger."
        )

    def handle(self, *args, repair=False, **options):
        found = differences()
        if not found:
            self.stdout.write("Payment totals agree with the ledger.")
            return
        for line in found:
            self.stderr.write(line)
        if not repair:
            raise CommandError(
                f"{len(found)} payment total(s) differ from the ledger; "
                "`manage.py check_fee_totals --repair` writes them again."
            )
        rebuild()
        left = differences()
        if left:  # pragma: no cover - a rebuild reads the same ledger it compares with
            raise CommandError(f"{len(left)} total(s) still differ after the repair.")
        self.stdout.write(f"Repaired: {len(found)} total(s) written again from the ledger.")
