"""Report endpoints for partner organisations. A key sees only its own organisation's reports."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from haven.accounts.actions import Scope
from haven.accounts.api import ApiKeyAuth, api_key_of
from haven.audit.actions import record

router = Router(tags=["reports"])


class ReportSummary(Schema):
    id: str
    external_id: str | None
    status: str


class ReportPage(Schema):
    items: list[ReportSummary]
    count: int


class ReportFilter(Schema):
    limit: int = Field(100, ge=1, le=1000, description="reports per page")
    offset: int = Field(0, ge=0)


@router.get(
    "", response=ReportPage, auth=ApiKeyAuth(Scope.REPORTS_READ, Scope.REPORTS_WRITE), summary="List reports"
)
def list_reports(request: HttpRequest, filters: Query[ReportFilter]) -> ReportPage:
    """The calling organisation's reports, newest first. Empty until intake (issue 4) stores reports."""
    key = api_key_of(request)
    record("report.list", request=request, details={"organisation": key.organisation.slug})
    return ReportPage(items=[], count=0)
