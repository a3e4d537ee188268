from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from haven.intake.models import Report, ReportStatus
from haven.intake.pipeline import steps

log = logging.getLogger(__name__)


@task()
def process_reports(report_ids: list[int]) -> dict[str, int]:
    """Run the pipeline on each received report. A report already processed (a job run twice, or two
    workers) is skipped: the status moves under a row lock, in the same transaction as the steps."""
    done = 0
    for report_id in report_ids:
        with transaction.atomic():
            report = Report.objects.select_for_update().filter(pk=report_id).first()
            if report is None or report.status != ReportStatus.RECEIVED:
                continue
            for name, step in steps():
                log.debug("report %s: %s", report.uid, name)
                step(report)
            report.status, report.processed_at = ReportStatus.PROCESSED, timezone.now()
            report.save(update_fields=["status", "processed_at", "bundle"])
            done += 1
    return {"processed": done, "asked": len(report_ids)}
