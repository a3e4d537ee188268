from __future__ import annotations

import logging

from django_tasks import task

from haven.audit.verify import verify_chain

log = logging.getLogger(__name__)


@task()
def verify_audit_chain() -> dict[str, object]:
    """Check the chain in the background; the result is kept with the task and logged."""
    report = verify_chain()
    if report.problem is not None:
        log.error("audit chain broken at %s", report.problem)
    else:
        log.info("audit chain intact: %d entries", report.checked)
    return {
        "ok": report.ok,
        "checked": report.checked,
        "problem": str(report.problem) if report.problem else None,
    }
