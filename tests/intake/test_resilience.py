"""A real worker process, killed with -9 mid-job, and a real PostgreSQL server stopped and started under a
running worker: no report stays received for ever, and the worker does not exit."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haven.core.jobs import LOST
from haven.intake.models import Report
from tests.conftest import Orgs
from tests.intake.conftest import submitted

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="kills and restarts are tested on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]
# How the test may stop and start the server: CI's pg_ctl command line, e.g.
# "runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D /tmp/haven-ci-pg/data".
PG_CTL = os.environ.get("HAVEN_TEST_PG_CTL", "")


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgresql://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@contextmanager
def running_worker() -> Iterator[subprocess.Popen[str]]:
    env = {**os.environ, "HAVEN_DATABASE_URL": _database_url(), "HAVEN_LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "haven.cli", "worker", "--interval", "0.2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait(30)
        if worker.stdout is not None:
            worker.stdout.close()


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:  # the database may be coming back
            connections.close_all()
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def pg_ctl_run(command: list[str]) -> None:
    # The server started by pg_ctl keeps its output: not a pipe, which this process would wait on for ever.
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)


def status_of(report: Report) -> str:
    return str(Report.objects.values_list("status", flat=True).get(pk=report.pk))


def test_a_worker_killed_mid_job_leaves_nothing_stuck(orgs: Orgs, settings: Any) -> None:
    report = submitted(orgs.platform, "KILL-1")
    # Hold the report's row: the worker claims the job, then waits for the row, mid-job.
    with running_worker() as worker, transaction.atomic():
        Report.objects.select_for_update().get(pk=report.pk)
        wait_for(
            lambda: DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists(), 30, "the claim"
        )
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    assert status_of(report) == "received"
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING  # left running by the dead worker

    settings.JOB_TIMEOUT_SECONDS = settings.REQUEUE_AFTER_SECONDS = 1
    time.sleep(1.2)
    call_command("worker", "--burst")  # a surviving worker's chores, then its jobs
    assert status_of(report) == "processed"
    lost = DBTaskResult.objects.get(exception_class_path=LOST)
    assert lost.status == TaskResultStatus.FAILED


@pytest.mark.skipif(not PG_CTL, reason="HAVEN_TEST_PG_CTL (how to stop and start the server) is not set")
def test_a_worker_outlives_a_database_restart(orgs: Orgs) -> None:
    pg_ctl = shlex.split(PG_CTL)
    with running_worker() as worker:
        first = submitted(orgs.platform, "BEFORE-RESTART")
        wait_for(lambda: status_of(first) == "processed", 30, "the first report")
        connections.close_all()
        pg_ctl_run([*pg_ctl, "stop", "-m", "fast", "-w"])
        time.sleep(3)  # the worker's polls fail meanwhile
        assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
        pg_ctl_run([*pg_ctl, "restart", "-w"])  # on a stopped server: starts it with its last options
        connections.close_all()
        wait_for(Report.objects.exists, 30, "the database")
        second = submitted(orgs.platform, "AFTER-RESTART")
        wait_for(lambda: status_of(second) == "processed", 60, "the report after the restart")
        assert worker.poll() is None
