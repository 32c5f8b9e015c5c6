"""`manage.py check_attendance_tallies`: compare the per-lesson mark tallies the
database keeps (attendance.rollcall.tallies) with the marks, and with `--repair` write
them again. Exit status 1 when they differ (a nightly cron line notices)."""

from django.core.management.base import BaseCommand, CommandError

from attendance.rollcall.tallies import differences, rebuild


class Command(BaseCommand):
    help = "Check the kept lesson tallies against the marks; --repair rewrites them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="Write the tallies again from the marks."
        )

    def handle(self, *args, repair=False, **options):
        found = differences()
        if not found:
            self.stdout.write("Lesson tallies agree with the marks.")
            return
        for line in found:
            self.stderr.write(line)
        if not repair:
            raise CommandError(
                f"{len(found)} lesson tally(ies) differ from the marks; "
                "`manage.py check_attendance_tallies --repair` writes them again."
            )
        rebuild()
        left = differences()
        if left:  # pragma: no cover - a rebuild reads the same marks it compares with
            raise CommandError(f"{len(left)} tally(ies) still differ after the repair.")
        self.stdout.write(f"Repaired: {len(found)} lesson tally(ies) written again from the marks.")
