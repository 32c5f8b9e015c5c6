"""`python manage.py send_lesson_reminders`: remind families of tomorrow's private lessons.

Run once a day by cron (e.g. at 18:00 in the institute's zone). Does nothing unless the
institute's "Remind families the day before a private lesson" switch is on; running it
twice sends once (see attendance/timetable/reminders.py).
"""

from django.core.management.base import BaseCommand

from attendance.timetable.reminders import send_lesson_reminders


class Command(BaseCommand):
    help = "Remind families of tomorrow's private lessons (when the institute's switch is on)."

    def handle(self, *args, **options):
        made = send_lesson_reminders()
        self.stdout.write(f"{made} lesson reminders queued.")
