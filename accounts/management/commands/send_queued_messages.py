"""`manage.py send_queued_messages`: the outbox's fallback, from cron or a systemd timer.

Every minute (README, Operations):
    * * * * *  cd /srv/musicbeats && .venv/bin/python manage.py send_queued_messages --quiet

Sends each queued message whose time has come: a retry whose `next_try_at` has passed
(the tasks backend could not defer it) or a send whose task never ran (the queue was
down). Each send claims its row first (accounts/notifications/tasks.py), so this command
running twice, or beside the task worker, sends nothing twice. A message left "sending"
too long (a worker died mid-send) is marked failed, never resent by itself: the office
resends it from the outbox page if the person did not get it.
"""

from django.core.management.base import BaseCommand

from accounts.notifications.outbox import due_messages, mark_interrupted
from accounts.notifications.tasks import deliver


class Command(BaseCommand):
    help = "Send the queued messages that are due (retries, sends whose task never ran)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="print nothing")

    def handle(self, *args, quiet=False, **options):
        interrupted = mark_interrupted()
        outcomes: dict[str, int] = {}
        for pk in due_messages():
            status = deliver(pk)
            outcomes[status] = outcomes.get(status, 0) + 1
        if not quiet:
            done = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
            self.stdout.write(
                f"Due messages: {done or 'none'}. Interrupted sends marked failed: {interrupted}."
            )
