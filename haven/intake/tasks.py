from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django_tasks import task

from haven.intake.actions import fail_report
from haven.intake.models import Report, ReportStatus
from haven.intake.pipeline import steps

log = logging.getLogger(__name__)


@task()
def process_reports(report_ids: list[int]) -> dict[str, int]:
    """Run the pipeline on each received report, each in its own transaction.

    Safe to run twice, or on two workers at once: a report is read under a row lock, and one no longer
    received (processed, failed, retracted) is skipped, so each is processed once.

    A report whose step raises is rolled back and marked ``failed`` with the step and the error, and the
    job goes on with the next report. A lost connection is not the report's fault: it stops the job, and
    the worker's sweep makes a new one for the reports still waiting.
    """
    done = failed = 0
    for report_id in report_ids:
        step_name = "start"
        try:
            with transaction.atomic():
                report = Report.objects.select_for_update().filter(pk=report_id).first()
                if report is None or report.status != ReportStatus.RECEIVED:
                    continue
                for step_name, step in steps():
                    log.debug("report %s: %s", report.uid, step_name)
                    step(report)
                report.status, report.processed_at = ReportStatus.PROCESSED, timezone.now()
                report.save(update_fields=["status", "processed_at", "bundle"])
                done += 1
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:
            log.exception("report %s failed in step %s", report_id, step_name)
            fail_report(report_id, step=step_name, error=exc)
            failed += 1
    return {"processed": done, "failed": failed, "asked": len(report_ids)}
