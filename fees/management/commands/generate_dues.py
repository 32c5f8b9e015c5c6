"""`python manage.py generate_dues --month 2026-11`: the month's dues from enrolments.

Runs any number of times without doubling anything (one monthly due per enrolment and
month is a unique constraint). Without --month, the current month. --dry-run lists what
it would create.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fees.services import generate_dues, plan_monthly_dues
from musicbeats.dates import month_start, parse_month


class Command(BaseCommand):
    help = "Create the monthly dues of a month from enrolments (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM; default: this month.")
        parser.add_argument("--dry-run", action="store_true", help="Only list what it would do.")

    def handle(self, *args, month=None, dry_run=False, **options):
        try:
            first = parse_month(month) if month else month_start(timezone.localdate())
        except ValueError as error:
            raise CommandError(str(error)) from None
        if dry_run:
            planned = plan_monthly_dues(first)
            for due in planned:
                self.stdout.write(
                    f"{due.enrollment.student.roll_number}  {due.description}  {due.amount}"
                )
            self.stdout.write(f"{len(planned)} dues would be created for {first:%B %Y}.")
            return
        made = generate_dues(month=first)
        self.stdout.write(f"{made} dues created for {first:%B %Y}.")
