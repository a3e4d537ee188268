from __future__ import annotations

import logging
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME

from haven.core.chores import run_due
from haven.core.heap import freeze_startup_heap
from haven.core.worker import ReconnectingWorker


class Command(BaseCommand):
    help = (
        "Run background jobs from the database queue, and the periodic chores. --burst runs the chores once, "
        "drains the queue and exits."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--burst", action="store_true", help="run every job that is waiting, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("django_tasks_db", "haven"):
            logger = logging.getLogger(name)
            if not logger.handlers:
                logger.addHandler(logging.StreamHandler(self.stderr))
            logger.setLevel(logging.INFO if options["verbosity"] else logging.WARNING)
        burst = options["burst"]
        if burst:
            run_due({}, 0.0)
        worker = ReconnectingWorker(
            chores=not burst,
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=options["interval"],
            batch=burst,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        freeze_startup_heap()
        worker.configure_signals()
        worker.run()
