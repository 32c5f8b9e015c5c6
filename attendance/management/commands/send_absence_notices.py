"""`python manage.py send_absence_notices`: tell families of absences that stayed absent.

Run every few minutes by cron (e.g. `*/5 * * * *`). Does nothing unless the institute's
"Tell guardians when a student is marked absent" switch is on; a mark is told about
once, and only after it stayed absent for the institute's grace minutes (see
attendance/rollcall/absence_notices.py for why).
"""

from django.core.management.base import BaseCommand

from attendance.rollcall.absence_notices import send_absence_notices


class Command(BaseCommand):
    help = "Tell guardians of recent absences (when the institute's switch is on)."

    def handle(self, *args, **options):
        made = send_absence_notices()
        self.stdout.write(f"{made} absence notices queued.")
