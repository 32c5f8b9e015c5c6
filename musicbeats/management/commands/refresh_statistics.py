"""`manage.py refresh_statistics`: ANALYZE every table (a nightly job; musicbeats.db_stats)."""

from django.core.management.base import BaseCommand

from musicbeats.db_stats import refresh_statistics


class Command(BaseCommand):
    help = "Gather the query planner's statistics for every table (PostgreSQL or SQLite)."

    def handle(self, *args, **options):
        refresh_statistics()
        self.stdout.write("Planner statistics refreshed.")
