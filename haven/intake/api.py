"""Report endpoints for partner organisations, after NCMEC's CyberTipline flow: submit, then finish or
retract. A key sees only its own organisation's reports: another organisation's report is a 404, as if it
did not exist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field, ValidationError

from haven.accounts.actions import Scope
from haven.accounts.api import ApiKeyAuth, api_key_of
from haven.audit.actions import record
from haven.core.paths import json_path
from haven.core.problems import problems
from haven.core.uploads import ONE_FILE, take_one_file
from haven.evidence.uploads import EvidenceUploadHandler, StoredUpload
from haven.intake.actions import (
    ConflictError,
    IntakeError,
    Submitted,
    attach_file,
    finish_report,
    retract_report,
    submit_reports,
)
from haven.intake.models import SOURCE_OF_ORGANISATION_KIND, Report, ReportStatus, Source
from haven.intake.schemas import ReportIn

router = Router(tags=["reports"])
BATCH_MAX = 1000


class MediaStatus(Schema):
    position: int
    sha256: str
    match_status: str
    matches: list[dict[str, Any]]


class ReportOut(Schema):
    id: UUID
    external_id: str | None
    status: str
    status_url: str
    received_at: datetime
    finished_at: datetime | None
    processed_at: datetime | None


class ReportDetail(ReportOut):
    media: list[MediaStatus]


class ReportPage(Schema):
    items: list[ReportOut]
    count: int


class ReportFilter(Schema):
    limit: int = Field(100, ge=1, le=1000, description="reports per page")
    offset: int = Field(0, ge=0, le=2**31 - 1)


class BatchIn(Schema):
    reports: list[dict[str, Any]] = Field(max_length=BATCH_MAX, description=f"up to {BATCH_MAX} reports")


class BatchError(Schema):
    path: str
    message: str


class BatchResult(Schema):
    index: int
    outcome: str = Field(description="created, existing, conflict or invalid")
    report: ReportOut | None = None
    errors: list[BatchError] = []


def _out(report: Report) -> ReportOut:
    return ReportOut(
        id=report.uid,
        external_id=report.external_id,
        status=report.status,
        status_url=reverse("api:report", kwargs={"report_id": report.uid}),
        received_at=report.received_at,
        finished_at=report.finished_at,
        processed_at=report.processed_at,
    )


def _own(request: HttpRequest, report_id: UUID) -> Report:
    report = Report.objects.filter(uid=report_id, organisation=api_key_of(request).organisation).first()
    if report is None:
        raise HttpError(404, f"no report {report_id} for this organisation")
    return report


def _submit(request: HttpRequest, items: list[ReportIn], key: str | None) -> list[Submitted | ConflictError]:
    api_key = api_key_of(request)
    source = SOURCE_OF_ORGANISATION_KIND.get(api_key.organisation.kind, Source.INDUSTRY)
    try:
        return submit_reports(
            items, organisation=api_key.organisation, source=source, idempotency_key=key, request=request
        )
    except IntakeError as exc:
        raise HttpError(400, str(exc)) from None


@router.post(
    "/reports",
    response={200: ReportOut, 201: ReportOut, **problems(409)},
    auth=ApiKeyAuth(Scope.REPORTS_WRITE),
    summary="Submit a report",
)
def submit(request: HttpRequest, payload: ReportIn) -> Status[ReportOut]:
    """Store a report; 201 when new. Sending the same body again (same `external_id`, or the same
    `Idempotency-Key` header) gives 200 and the same report; another body with either gives 409. The answer
    comes only after the report is committed. Call `finish` when the report is complete."""
    key = request.headers.get("Idempotency-Key", "").strip()[:200] or None
    (result,) = _submit(request, [payload], key)
    if isinstance(result, ConflictError):
        raise HttpError(409, str(result))
    return Status(201 if result.created else 200, _out(result.report))


@router.post(
    "/reports:batch",
    response=list[BatchResult],
    auth=ApiKeyAuth(Scope.REPORTS_WRITE),
    summary="Submit reports",
)
def submit_batch(request: HttpRequest, payload: BatchIn) -> list[BatchResult]:
    """Up to 1,000 reports in one call, each with its own result. Invalid reports are listed with the path of
    each bad field; the good ones go in. The reports are finished at once: a batch carries no files."""
    results: list[BatchResult | None] = []
    good: list[tuple[int, ReportIn]] = []
    for index, raw in enumerate(payload.reports):
        try:
            good.append((index, ReportIn.model_validate(raw)))
            results.append(None)
        except ValidationError as exc:
            errors = [
                BatchError(path=json_path(error["loc"], f"reports[{index}]"), message=error["msg"])
                for error in exc.errors()
            ]
            results.append(BatchResult(index=index, outcome="invalid", errors=errors))
    api_key = api_key_of(request)
    source = SOURCE_OF_ORGANISATION_KIND.get(api_key.organisation.kind, Source.INDUSTRY)
    stored = submit_reports(
        [item for _, item in good], organisation=api_key.organisation, source=source, finished=True,
        request=request, origin="batch API",
    )  # fmt: skip
    for (index, _), outcome in zip(good, stored, strict=True):
        if isinstance(outcome, ConflictError):
            results[index] = BatchResult(
                index=index,
                outcome="conflict",
                errors=[BatchError(path=f"reports[{index}]", message=str(outcome))],
            )
        else:
            kind = "created" if outcome.created else "existing"
            results[index] = BatchResult(index=index, outcome=kind, report=_out(outcome.report))
    return [r for r in results if r is not None]


@router.get(
    "/reports",
    response=ReportPage,
    auth=ApiKeyAuth(Scope.REPORTS_READ, Scope.REPORTS_WRITE),
    summary="List reports",
)
def list_reports(request: HttpRequest, filters: Query[ReportFilter]) -> ReportPage:
    """The calling organisation's reports, newest first."""
    key = api_key_of(request)
    reports = Report.objects.filter(organisation=key.organisation)
    page = reports[filters.offset : filters.offset + filters.limit]
    record("report.list", request=request, details={"organisation": key.organisation.slug})
    return ReportPage(items=[_out(r) for r in page], count=reports.count())


@router.get(
    "/reports/{uuid:report_id}",
    response=ReportDetail,
    auth=ApiKeyAuth(Scope.REPORTS_READ, Scope.REPORTS_WRITE),
    summary="A report's status",
    url_name="report",
)
def report_status(request: HttpRequest, report_id: UUID) -> ReportDetail:
    report = _own(request, report_id)
    record("report.view", request=request, obj=report)
    media = [
        MediaStatus(position=m.position, sha256=m.sha256, match_status=m.match_status, matches=m.matches)
        for m in report.media.all()
    ]
    return ReportDetail(**_out(report).model_dump(), media=media)


@router.post(
    "/reports/{uuid:report_id}/finish",
    response={200: ReportOut, **problems(409)},
    auth=ApiKeyAuth(Scope.REPORTS_WRITE),
    summary="Finish",
)
def finish(request: HttpRequest, report_id: UUID) -> ReportOut:
    """Close the report for processing. Finishing a finished report changes nothing."""
    return _change(request, report_id, finish_report)


@router.post(
    "/reports/{uuid:report_id}/retract",
    response={200: ReportOut, **problems(409)},
    auth=ApiKeyAuth(Scope.REPORTS_WRITE),
    summary="Retract",
)
def retract(request: HttpRequest, report_id: UUID) -> ReportOut:
    """Withdraw a report before it is finished."""
    return _change(request, report_id, retract_report)


class FileOut(Schema):
    sha256: str
    md5: str
    sha1: str
    size: int
    media_position: int


@router.post(
    "/reports/{uuid:report_id}/files",
    response={200: FileOut, **problems(409)},
    auth=ApiKeyAuth(Scope.REPORTS_WRITE),
    summary="Upload a file",
    openapi_extra=ONE_FILE,
)
def upload_file(request: HttpRequest, report_id: UUID) -> FileOut:
    """Send one file as `multipart/form-data` field `file`, before `finish`. It streams into the encrypted
    evidence store, hashed as it arrives; nothing is written in plaintext. It joins the media item that
    gives the same sha256 (or md5), or becomes a new one."""
    report = _own(request, report_id)
    if report.status != ReportStatus.OPEN:
        # Checked before a byte is stored; attach_file checks again under the row lock, and the evidence
        # sweep removes a blob left by a report finished in between.
        raise HttpError(409, f"files go to an open report; this one is {report.status}")
    upload = take_one_file(request, EvidenceUploadHandler(request, settings.EVIDENCE_MAX_BYTES))
    assert isinstance(upload, StoredUpload)
    try:
        item = attach_file(report, upload.stored.blob, file_name=upload.name or "", request=request)
    except IntakeError as exc:
        raise HttpError(409, str(exc)) from None
    blob = upload.stored.blob
    return FileOut(
        sha256=blob.sha256, md5=blob.md5, sha1=blob.sha1, size=blob.size, media_position=item.position
    )


def _change(request: HttpRequest, report_id: UUID, action: Callable[..., Report]) -> ReportOut:
    try:
        return _out(action(_own(request, report_id), request=request))
    except IntakeError as exc:
        raise HttpError(409, str(exc)) from None
