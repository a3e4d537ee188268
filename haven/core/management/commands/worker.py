from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from haven.core.heap import freeze_startup_heap


class Command(BaseCommand):
    help = "Run background jobs from the database queue. --burst drains the queue and exits."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--burst", action="store_true", help="run every job that is waiting, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")

    def handle(self, *args: Any, **options: Any) -> None:
        worker_args = ["--interval", str(options["interval"]), "--no-startup-delay"]
        if options["burst"]:
            worker_args.append("--batch")
        freeze_startup_heap()
        call_command("db_worker", *worker_args)
