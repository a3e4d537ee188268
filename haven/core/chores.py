"""Periodic chores that the workers run between jobs: re-queueing reports whose job was lost, giving up on
jobs whose worker died, sweeping unreferenced evidence and expired sessions.

Apps register their chores from ``AppConfig.ready()``, as they register pipeline steps, so that core
imports none of them. Every chore must be safe to run on several workers at once, and to run again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, connections

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chore:
    name: str
    every: float  # seconds
    run: Callable[[], object]


_chores: dict[str, Chore] = {}


def register_chore(name: str, every: float, run: Callable[[], object]) -> None:
    """Run ``run`` about every ``every`` seconds on each worker. Registering a name again replaces it."""
    _chores[name] = Chore(name, every, run)


def chores() -> list[Chore]:
    return sorted(_chores.values(), key=lambda c: c.name)


def drop_connections() -> None:
    """Close this thread's database connections, forgetting any that are already broken (closing one of
    those raises)."""
    for connection in connections.all():
        try:
            connection.close()
        except (OperationalError, InterfaceError):
            connection.connection = None


def run_due(last_run: dict[str, float], now: float) -> None:
    """Run every chore that is due; a failing chore is logged and tried again at its next turn."""
    for chore in chores():
        if now - last_run.get(chore.name, -chore.every) < chore.every:
            continue
        last_run[chore.name] = now
        try:
            outcome = chore.run()
        except (OperationalError, InterfaceError) as exc:
            log.warning("chore %s: the database is unavailable (%s)", chore.name, exc)
            drop_connections()
        except Exception:
            log.exception("chore %s failed", chore.name)
        else:
            if outcome:
                log.info("chore %s: %s", chore.name, outcome)


class ChoreThread(threading.Thread):
    """Runs the chores in the background of a worker process, on its own database connection."""

    def __init__(self, tick: float = 5.0) -> None:
        super().__init__(name="haven-chores", daemon=True)
        self.tick = tick
        self.stopping = threading.Event()

    def run(self) -> None:
        last_run: dict[str, float] = {}
        try:
            while not self.stopping.is_set():
                run_due(last_run, time.monotonic())
                self.stopping.wait(self.tick)
        finally:
            drop_connections()

    def stop(self) -> None:
        self.stopping.set()
