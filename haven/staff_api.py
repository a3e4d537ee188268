"""The staff API at /api/v1/staff: the centre's own tools read the queue, a report's or a subject's
priority, and a report's proposed route, as JSON. Staff sign in through the staff pages (the session
carries their second factor); partners' keys are refused here and partners never see a priority. Every
read is audited as the matching page's is. Read only."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from haven.accounts.api import StaffSession, staff_of
from haven.audit.actions import record
from haven.core.access import Permission
from haven.intake.models import Report, reference_of
from haven.intel.models import Subject
from haven.referrals.models import ProposedRoute
from haven.triage.models import Band, Priority
from haven.triage.views import clock, filtered_queue

router = Router(tags=["staff"], auth=StaffSession(Permission.REPORTS_VIEW))


class PriorityOut(Schema):
    band: str = Field(description="the band in force: the supervisor's override if there is one")
    score: int
    deadline: datetime | None
    reasons: list[dict[str, Any]] = Field(description="each: factor, points, fact (where it came from), text")
    computed_band: str
    override: dict[str, Any] | None
    policy_version: int
    overdue: bool
    clock: str = Field(description="the time left, or overdue by, in words")


class RouteOut(Schema):
    forces: list[dict[str, str]] = Field(description="one force, or the candidates on a boundary; or none")
    reason: str
    agencies: list[dict[str, str]] = Field(
        description="the child's side: one children's services agency, or a boundary's candidates; or none"
    )
    agency_reason: str


class QueueItem(Schema):
    id: UUID
    reference: str
    received_at: datetime
    incident_type: str
    source: str
    organisation: str | None
    assignee: str | None
    priority: PriorityOut
    route: RouteOut | None


class QueuePage(Schema):
    count: int
    items: list[QueueItem]


class SubjectOut(Schema):
    id: UUID
    reference: str
    reports: list[str]
    priority: PriorityOut | None


class QueueFilter(Schema):
    band: Band | None = None
    force: str | None = Field(None, max_length=100, description="a force's code: reports routed to it")
    assignee: Literal["me", "none"] | None = None
    overdue: bool = False
    chats: bool = Field(False, description="only reports with an urgent conversation flag")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=2**31 - 1)


def _priority(priority: Priority, now: datetime) -> PriorityOut:
    text, overdue = clock(priority.deadline, now)
    return PriorityOut(**priority.as_json(), overdue=overdue, clock=text)


def _item(priority: Priority, route: ProposedRoute | None, now: datetime) -> QueueItem:
    report = priority.report
    assert report is not None
    return QueueItem(
        id=report.uid,
        reference=report.reference,
        received_at=report.received_at,
        incident_type=report.incident_type,
        source=report.source,
        organisation=report.organisation.name if report.organisation else None,
        assignee=report.assignee.username if report.assignee else None,
        priority=_priority(priority, now),
        route=RouteOut(
            forces=route.forces,
            reason=route.reason,
            agencies=route.agencies,
            agency_reason=route.agency_reason,
        )
        if route
        else None,
    )


def _routes(priorities: list[Priority]) -> dict[int | None, ProposedRoute]:
    ids = [p.report_id for p in priorities]
    found = ProposedRoute.objects.filter(report_id__in=ids)
    return {r.report_id: r for r in found}


@router.get("/staff/queue", response=QueuePage, summary="The analysts' queue")
def queue(request: HttpRequest, filters: Query[QueueFilter]) -> QueuePage:
    """Reports waiting for the centre, most urgent first (band, then deadline), with their priority,
    clock and proposed route; the queue page's filters."""
    chosen = filters.model_dump(exclude={"limit", "offset"})
    rows = filtered_queue(staff_of(request), **chosen)
    used = {k: v for k, v in chosen.items() if v}
    record("triage.queue", request=request, details={"filters": used, "api": True})
    page = list(rows[filters.offset : filters.offset + filters.limit])
    routes, now = _routes(page), timezone.now()
    return QueuePage(count=rows.count(), items=[_item(p, routes.get(p.report_id), now) for p in page])


@router.get("/staff/reports/{uuid:report_id}", response=QueueItem, summary="A report's priority and route")
def report_priority(request: HttpRequest, report_id: UUID) -> QueueItem:
    report = get_object_or_404(Report.objects.select_related("organisation", "assignee"), uid=report_id)
    priority = get_object_or_404(Priority, report=report)
    priority.report = report
    record("report.view", request=request, obj=report, details={"api": True})
    return _item(priority, ProposedRoute.objects.filter(report=report).first(), timezone.now())


@router.get("/staff/subjects/{uuid:subject_id}", response=SubjectOut, summary="A subject's priority")
def subject_priority(request: HttpRequest, subject_id: UUID) -> SubjectOut:
    subject = get_object_or_404(Subject, uid=subject_id)
    priority = Priority.objects.filter(subject=subject).first()
    uids = Report.objects.filter(members__subject=subject).distinct().order_by("received_at", "id")
    record("intel.subject_view", request=request, obj=subject, details={"api": True})
    return SubjectOut(
        id=subject.uid,
        reference=subject.reference,
        reports=[reference_of(uid) for uid in uids.values_list("uid", flat=True)],
        priority=_priority(priority, timezone.now()) if priority else None,
    )
