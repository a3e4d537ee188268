"""The background worker: django-tasks' database worker, kept alive when the database goes away.

A worker outlives the database's restarts and fail-overs. When a query fails with a database error
(connection refused, dropped, or any other), it drops its connections and tries again after a pause that
doubles up to ``MAX_PAUSE`` seconds, instead of exiting and leaving the queue to nobody. A job interrupted
that way is left running; the chores give it up after ``HAVEN_JOB_TIMEOUT_SECONDS`` and make new jobs for
its reports.
"""

from __future__ import annotations

import logging
import time

from django.db import InterfaceError, OperationalError
from django_tasks_db.management.commands.db_worker import Worker

from haven.core.chores import ChoreThread, drop_connections

log = logging.getLogger(__name__)

FIRST_PAUSE = 1.0
MAX_PAUSE = 30.0


class ReconnectingWorker(Worker):
    """django-tasks' worker, restarted after a database error, with the chores running beside it."""

    def __init__(self, *, chores: bool = True, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]  # the parent's keyword arguments, passed on
        self.chore_thread = ChoreThread() if chores else None

    def run(self) -> None:
        if self.chore_thread is not None:
            self.chore_thread.start()
        try:
            self._run_until_done()
        finally:
            if self.chore_thread is not None:
                self.chore_thread.stop()

    def _run_until_done(self) -> None:
        pause = FIRST_PAUSE
        while self.running:
            started = time.monotonic()
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                if time.monotonic() - started > MAX_PAUSE:
                    pause = FIRST_PAUSE  # it had been working: this is a new outage
                log.warning("the database is unavailable (%s); trying again in %.0f s", exc, pause)
                drop_connections()
                time.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)
                self.startup_delay = False
