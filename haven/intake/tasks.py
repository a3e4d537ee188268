from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django_tasks import task

from haven.intake.actions import Processed, fail_report, process_report

log = logging.getLogger(__name__)


@task()
def process_reports(report_ids: list[int]) -> dict[str, int]:
    """Run the pipeline on each received report, each in its own transaction (``process_report``).

    Safe to run twice, or on two workers at once: a report is read under a row lock, and one no longer
    received (processed, failed, retracted) is skipped, so each is processed once.

    A report whose step raises is rolled back and marked ``failed`` with the step and the error, and the
    job goes on with the next report. A lost connection is not the report's fault: it stops the job, and
    the worker's chores make a new one for the reports still waiting.
    """
    done = failed = 0
    for report_id in report_ids:
        progress = Processed()
        try:
            done += process_report(report_id, progress)
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:
            log.exception("report %s failed in step %s", report_id, progress.step)
            fail_report(report_id, step=progress.step, error=exc)
            failed += 1
    return {"processed": done, "failed": failed, "asked": len(report_ids)}
