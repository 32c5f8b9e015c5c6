"""`python manage.py generate_lessons --from 2026-11-01 --to 2026-11-30 [--dry-run]`.

Makes the dated lessons of every active slot for those dates (holidays and dates outside
a slot's term skipped). Running it again makes nothing twice.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from attendance.timetable.base import TimetableError
from attendance.timetable.generation import generate_lessons, plan_lessons


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date like 2026-11-30.") from None


class Command(BaseCommand):
    help = "Generate the lessons of the active weekly slots for a range of dates."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, type=iso_date)
        parser.add_argument("--to", dest="date_to", required=True, type=iso_date)
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be made; make nothing."
        )

    def handle(self, *args, date_from, date_to, dry_run, **options):
        try:
            if dry_run:
                plan = plan_lessons(date_from=date_from, date_to=date_to)
                made = f"{len(plan.new)} lessons would be created"
            else:
                plan = generate_lessons(date_from=date_from, date_to=date_to)
                made = f"{plan.created} lessons created"
        except TimetableError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"{made} from {date_from} to {date_to}; {plan.existing} already existed, "
            f"{plan.holidays} fell on holidays."
        )
