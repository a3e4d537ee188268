"""Housekeeping of the job queue itself."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

LOST = "haven.core.jobs.WorkerLost"


def give_up_lost_jobs(*, running_longer_than: timedelta | None = None) -> int:
    """Mark as failed the jobs still ``running`` long after they started: their worker was killed or lost
    its database. What they were doing is not lost: the reports they held are still ``received``, and
    the intake chore makes new jobs for them. A conditional UPDATE, so two workers agree on it."""
    if running_longer_than is None:
        running_longer_than = timedelta(seconds=settings.JOB_TIMEOUT_SECONDS)
    cutoff = timezone.now() - running_longer_than
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=LOST,
        traceback=f"running for more than {running_longer_than}: its worker was lost",
    )
