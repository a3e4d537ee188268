"""Report endpoints for partner organisations. A key sees only its own organisation's reports."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

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


@router.get("", response=ReportPage, auth=ApiKeyAuth(Scope.REPORTS_READ, Scope.REPORTS_WRITE), summary="List reports")
def list_reports(request: HttpRequest) -> ReportPage:
    """The calling organisation's reports, newest first. Empty until intake (issue 4) stores reports."""
    key = api_key_of(request)
    record("report.list", request=request, details={"organisation": key.organisation.slug})
    return ReportPage(items=[], count=0)
