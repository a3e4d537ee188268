"""Synthetic reports: invented people and identifiers from reserved ranges only."""

from __future__ import annotations

import copy
from typing import Any

from haven.accounts.models import Organisation
from haven.intake.actions import Submitted, submit_reports
from haven.intake.models import Report
from haven.intake.schemas import ReportIn
from tests.test_cli import env, seeded  # noqa: F401  (fixtures: a migrated, demo-seeded SQLite file)

SHA = "ab" * 32


def a_report(external_id: str | None = "ESP-2026-000123", **changes: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "external_id": external_id,
        "incident": {
            "type": "online_enticement", "occurred_at": "2026-11-20T13:05:00Z",
            "summary": "An adult asked a child for pictures.", "imminent_danger": False,
            "annotations": ["sextortion"],
        },
        "reported_persons": [{
            "name": None, "date_of_birth": None, "age_estimate": None,
            "identifiers": [
                {"kind": "email", "value": "someone@example.com"},
                {"kind": "phone", "value": "07700 900123", "region": "GB"},
                {"kind": "username", "platform": "examplechat", "value": "name_on_platform"},
                {"kind": "account_id", "platform": "examplechat", "value": "88127"},
                {"kind": "ip", "value": "192.0.2.10", "port": 51234, "seen_at": "2026-11-20T13:01:00Z",
                 "event": "login"},
                {"kind": "device_id", "value": "device-0001"},
                {"kind": "url", "value": "https://example.com/p/1"},
                {"kind": "payment_id", "value": "pay-0001"},
            ],
            "location": {"country": "GB", "postcode": "M1 1AE"},
        }],
        "victims": [{"age_estimate": 13, "identifiers": [], "location": {}}],
        "media": [{"sha256": SHA, "md5": None, "pdq": None, "file_name": "img1.jpg",
                   "viewed_by_reporter": True, "publicly_available": False, "annotations": []}],
        "reporter": {"organisation": "Example Platform Ltd", "contact_email": "safety@example.com"},
    }  # fmt: skip
    report = copy.deepcopy(report)
    for path, value in changes.items():
        target: Any = report
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return report


def submitted(organisation: Organisation, external_id: str, *, finished: bool = True) -> Report:
    """One report with no media from ``organisation``, stored (and, if ``finished``, queued)."""
    (result,) = submit_reports(
        [ReportIn.model_validate(a_report(external_id, media=[]))], organisation=organisation,
        source="industry", finished=finished,
    )  # fmt: skip
    assert isinstance(result, Submitted)
    return result.report
