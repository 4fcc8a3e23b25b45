"""Delete call events and attempts older than an age, in batches (see callbacks/retention.py)."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from callbacks import retention


class Command(BaseCommand):
    help = "Delete call events and callback attempts older than N days, in small batches."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=settings.CALLBACK_RETENTION_DAYS or None,
            help="Age in days (default: CALLBACK_RETENTION_DAYS; required when that is 0).",
        )
        parser.add_argument("--batch-size", type=int, default=settings.CALLBACK_RETENTION_BATCH)

    def handle(
        self, *args: Any, older_than_days: int | None, batch_size: int, **options: Any
    ) -> None:
        if not older_than_days or older_than_days < 1:
            raise CommandError(
                "Give --older-than-days N (at least 1): CALLBACK_RETENTION_DAYS is 0, "
                "which keeps everything."
            )
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        deleted = retention.purge(older_than_days, batch_size)
        self.stdout.write(
            f"Deleted {deleted['events']} call events and {deleted['attempts']} attempts."
        )
