"""Reports scored through the real pipeline, for the triage tests."""

from __future__ import annotations

from typing import Any

from haven.intake.actions import Processed, Submitted, process_report, submit_reports
from haven.intake.models import Report
from haven.intake.schemas import ReportIn
from tests.conftest import Orgs
from tests.intake.conftest import a_report


def report(external_id: str, **changes: Any) -> dict[str, Any]:
    return a_report(external_id, **{"media": [], **changes})


def processed(orgs: Orgs, *reports: dict[str, Any]) -> list[Report]:
    """Submit the reports and run the pipeline on each, as the worker's job does."""
    results = submit_reports(
        [ReportIn.model_validate(r) for r in reports],
        organisation=orgs.platform,
        source="industry",
        finished=True,
    )
    stored = [r.report.pk for r in results if isinstance(r, Submitted)]
    assert len(stored) == len(reports)
    for pk in stored:
        assert process_report(pk, Processed())
    return [Report.objects.get(pk=pk) for pk in stored]
