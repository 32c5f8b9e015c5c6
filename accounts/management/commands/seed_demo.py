"""Demo data: `python manage.py seed_demo [--scale large] [--if-empty]`.

Creates the demo accounts the README lists (password `musicbeats-demo`) and a believable
institute, one app at a time (SEEDERS, in order: each builds on the one before). Running
it again changes nothing. `--scale large` adds thousands of rows with bulk inserts,
for `make bench`.
"""

from importlib import import_module

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from accounts.models import User
from musicbeats.db_stats import refresh_statistics

SEEDERS = [
    "accounts.demo",
    "attendance.classes.demo",
    "accounts.intake.demo",
    "attendance.timetable.demo",
    "attendance.rollcall.demo",
    "fees.demo",
    "attendance.teaching.notes.demo",
    "fees.payroll.demo",
    "attendance.teaching.exams.demo",
    "attendance.teaching.progress.demo",
]


class Command(BaseCommand):
    help = "Create the demo institute (idempotent). --scale large adds bulk data."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "large"], default="small")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has people (used by `make run`).",
        )

    def handle(self, *args, scale, if_empty, **options):
        if if_empty and User.objects.exists():
            self.stdout.write("The database already has people: demo data left as it is.")
        else:
            password = make_password(DEMO_PASSWORD)
            for module in SEEDERS:
                with transaction.atomic():
                    report = import_module(module).seed(scale=scale, password=password)
                self.stdout.write(f"{module}: {report}")
            # The planner's statistics for the tables just filled (musicbeats.db_stats).
            refresh_statistics()
        self.stdout.write(f"\nDemo logins (password: {DEMO_PASSWORD})")
        for email, _name, _phone, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role.label:<13} {email}")
