"""`python manage.py send_fee_reminders`: today's fee reminders (run it once a day, e.g.
from cron at 09:00 in the institute's zone).

Which steps fall today (before, on, after the due day) comes from the institute's
settings; each family that still owes gets one message (fees/reminders.py). Running it
again the same day sends nothing twice. `--date YYYY-MM-DD` runs it as of another day
(to catch up a missed day). The messages are queued for the task worker; `--deliver`
sends them from this process instead (with `make run`'s console mailer, the emails
print here).
"""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.notifications.models import Channel
from fees.reminders import send_fee_reminders


class Command(BaseCommand):
    help = "Send today's fee reminders (idempotent: a second run the same day sends nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="day", help="YYYY-MM-DD: run as of this day (default: today)."
        )
        parser.add_argument(
            "--site-url", default=settings.SITE_URL, help="The site's address for links."
        )
        parser.add_argument(
            "--deliver", action="store_true", help="Send the messages now, not via the worker."
        )

    def handle(self, *args, day=None, site_url="", deliver=False, **options):
        today = self.parse_day(day) if day else timezone.localdate()
        result = send_fee_reminders(today=today, site_url=site_url.rstrip("/"))
        if not result.steps:
            self.stdout.write(f"No reminder step falls on {today:%d %b %Y}.")
            return
        outside = [m for m in result.messages if m.channel != Channel.INAPP]
        if deliver:
            from accounts.notifications.tasks import deliver as deliver_now

            for message in outside:
                deliver_now(message.pk)
        steps = ", ".join(f"{s.name} (due {s.due_day:%d %b %Y})" for s in result.steps)
        self.stdout.write(
            f"{today:%d %b %Y}: {steps}. {result.families} families owe; "
            f"{len(result.messages)} new messages ({len(outside)} by email or text)."
        )

    @staticmethod
    def parse_day(text: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--date {text!r} is not a day (YYYY-MM-DD).") from None
