"""Reports built from identifiers, for linking tests. Every identifier is invented, from reserved ranges."""

from __future__ import annotations

from typing import Any

from haven.intake.actions import Submitted, submit_reports
from haven.intake.models import Report
from haven.intake.schemas import ReportIn
from haven.intel.linking import link_report
from haven.intel.models import Member, Subject
from tests.conftest import Orgs
from tests.intake.conftest import a_report


def ident(kind: str, value: str, platform: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "value": value, "platform": platform, **extra}


def person(*identifiers: dict[str, Any], country: str | None = None) -> dict[str, Any]:
    return {"identifiers": list(identifiers), "location": {"country": country} if country else None}


def report_of(external_id: str, *people: dict[str, Any]) -> dict[str, Any]:
    return a_report(external_id, reported_persons=list(people), victims=[], media=[])


def submit(orgs: Orgs, *reports: dict[str, Any], link: bool = True) -> list[Report]:
    results = submit_reports(
        [ReportIn.model_validate(r) for r in reports], organisation=orgs.platform, source="industry"
    )
    stored = [r.report for r in results if isinstance(r, Submitted)]
    assert len(stored) == len(reports)
    if link:
        for report in stored:
            link_report(report)
    return stored


def groups() -> set[frozenset[str]]:
    """The subjects, each as the set of its members' "external_id/person"."""
    found: dict[int, set[str]] = {}
    for subject, external_id, person_ in Member.objects.values_list(
        "subject_id", "report__external_id", "person"
    ):
        found.setdefault(subject, set()).add(f"{external_id}/{person_}")
    return {frozenset(g) for g in found.values()}


def together(*names: str) -> frozenset[str]:
    return frozenset(n if "/" in n else f"{n}/0" for n in names)


def subject_of(external_id: str, person_: int = 0) -> Subject:
    """The subject of a report's reported person, which must have been linked."""
    subject = Member.objects.get(report__external_id=external_id, person=person_).subject
    assert subject is not None
    return subject
