"""manage.py refresh_reports: count every hour the reports' rollup has noted as changed, at once
(after migration 0020, which notes every hour there is; the periodic task does it a batch budget
at a time)."""

from typing import Any

from django.core.management.base import BaseCommand

from ...reports import rollup


class Command(BaseCommand):
    help = "Count again every hour of the reports' rollup noted as changed (PostgreSQL)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not rollup.kept():
            self.stdout.write("This database keeps no rollup: reports count the callbacks.")
            return
        counted = rollup.refresh()
        self.stdout.write(f"Counted {counted} hours.")
