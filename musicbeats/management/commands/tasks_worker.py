"""`manage.py tasks_worker`: the worker for whichever task queue the settings chose.

TASKS_BACKEND=database (the default) runs django-tasks-db's `db_worker`; TASKS_BACKEND=rq
(or TASKS_URL=redis://…) runs django-rq's `rqworker` with its scheduler (retries wait in
RQ's scheduled-job registry until their time). `make run` starts it beside runserver;
production runs it next to `make serve` (`make worker`, or a systemd unit: README).
With the `immediate` backend tasks run inside the request and there is nothing to run.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the background task worker for TASKS_BACKEND (database or rq)."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="run what is due now, then stop")

    def handle(self, *args, burst=False, **options):
        backend = settings.TASKS_BACKEND
        if backend == "database":
            extra = ["--batch", "--no-startup-delay"] if burst else []
            call_command("db_worker", "--queue-name", "default", *extra)
        elif backend == "rq":
            extra = ["--burst"] if burst else []
            # django-tasks-rq's Job runs a django.tasks Task (and reports its result).
            job_class = "django_tasks_rq.backend.Job"
            call_command(
                "rqworker", "default", "--with-scheduler", "--job-class", job_class, *extra
            )
        else:
            raise CommandError(
                f"TASKS_BACKEND={backend!r} runs tasks inside each request: no worker needed."
            )
