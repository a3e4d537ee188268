"""The functions that change reports. A batch is one transaction with one audit entry, so the batch API and
the bulk import are not held to one audit append per report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from haven.accounts.models import Organisation
from haven.audit.actions import AuditActor, record
from haven.intake.models import Identifier, Report, ReportMedia, ReportStatus
from haven.intake.schemas import IdentifierIn, ReportIn, body_sha256

RETRIES = 3  # a concurrent batch that took the same external id first: look again and retry


class IntakeError(ValueError):
    """A request that breaks a rule of intake; the message says which."""


class ConflictError(IntakeError):
    """The external id or idempotency key is taken by a different report."""


@dataclass(frozen=True)
class Submitted:
    report: Report
    created: bool


def _key_of(
    item: ReportIn, idempotency_key: str | None, digest: str, content_keys: bool
) -> tuple[str, str] | None:
    if item.external_id:
        return ("external_id", item.external_id)
    if idempotency_key:
        return ("idempotency_key", idempotency_key)
    if content_keys:
        return ("idempotency_key", f"body:{digest}")
    return None


def _existing(
    organisation: Organisation | None, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], Report]:
    found: dict[tuple[str, str], Report] = {}
    for field in ("external_id", "idempotency_key"):
        values = [v for f, v in keys if f == field]
        owned = (
            Report.objects.filter(organisation=organisation)
            if organisation
            else Report.objects.filter(organisation__isnull=True)
        )
        for start in range(0, len(values), 500):
            for report in owned.filter(**{f"{field}__in": values[start : start + 500]}):
                found[(field, str(getattr(report, field)))] = report
    return found


def _new_report(
    item: ReportIn, canonical: dict[str, Any], digest: str, *, organisation: Organisation | None,
    source: str, key: tuple[str, str] | None, finished: bool,
) -> Report:  # fmt: skip
    now = timezone.now()
    return Report(
        organisation=organisation,
        source=source,
        external_id=item.external_id,
        idempotency_key=key[1] if key is not None and key[0] == "idempotency_key" else None,
        body_sha256=digest,
        status=ReportStatus.RECEIVED if finished else ReportStatus.OPEN,
        incident_type=item.incident.type,
        occurred_at=item.incident.occurred_at,
        imminent_danger=item.incident.imminent_danger,
        payload=canonical,
        received_at=now,
        finished_at=now if finished else None,
    )


def _people(item: ReportIn) -> list[tuple[bool, list[list[IdentifierIn]]]]:
    return [
        (False, [p.identifiers for p in item.reported_persons]),
        (True, [v.identifiers for v in item.victims]),
    ]


def _rows(report: Report, item: ReportIn) -> tuple[list[Identifier], list[ReportMedia]]:
    identifiers = [
        Identifier(
            report=report, on_victim=on_victim, person=index, kind=i.kind, value=i.value,
            platform=i.platform or "", region=i.region or "", port=i.port, seen_at=i.seen_at,
            event=i.event or "",
        )
        for on_victim, people in _people(item)
        for index, person in enumerate(people)
        for i in person
    ]  # fmt: skip
    media = [
        ReportMedia(
            report=report, position=position, md5=(m.md5 or "").lower(), sha1=(m.sha1 or "").lower(),
            sha256=(m.sha256 or "").lower(), pdq=(m.pdq or "").lower(), file_name=m.file_name or "",
            viewed_by_reporter=m.viewed_by_reporter, publicly_available=m.publicly_available,
        )
        for position, m in enumerate(item.media)
    ]  # fmt: skip
    return identifiers, media


def submit_reports(
    items: list[ReportIn],
    *,
    organisation: Organisation | None,
    source: str,
    idempotency_key: str | None = None,
    finished: bool = False,
    actor: AuditActor | None = None,
    request: HttpRequest | None = None,
    origin: str = "",
    content_keys: bool = False,
) -> list[Submitted | ConflictError]:
    """Store each report, or find it again; one result per item, in order.

    A report is found again by its organisation and external id (or idempotency key; with ``content_keys``,
    a report with neither is keyed by its body, so a re-run import finds it). The same body again
    returns the stored report; a different body is a ConflictError, and the stored report is left alone.
    Returns only after the commit, so an acknowledged report is durable. ``finished`` reports (bulk import,
    the batch API, the public form) go straight to processing; single API reports wait for
    ``finish_report``.
    """
    for attempt in range(RETRIES):
        try:
            return _submit(
                items, organisation=organisation, source=source, idempotency_key=idempotency_key,
                finished=finished, actor=actor, request=request, origin=origin, content_keys=content_keys,
            )  # fmt: skip
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _submit(
    items: list[ReportIn], *, organisation: Organisation | None, source: str, idempotency_key: str | None,
    finished: bool, actor: AuditActor | None, request: HttpRequest | None, origin: str, content_keys: bool,
) -> list[Submitted | ConflictError]:  # fmt: skip
    if idempotency_key is not None and len(items) != 1:
        raise IntakeError("an Idempotency-Key applies to one report, not a batch")
    prepared = []
    for item in items:
        canonical = item.canonical()
        digest = body_sha256(canonical)
        prepared.append((item, canonical, digest, _key_of(item, idempotency_key, digest, content_keys)))
    with transaction.atomic():
        existing = _existing(organisation, [key for *_, key in prepared if key is not None])
        results: list[Submitted | ConflictError | None] = []
        new: list[tuple[int, ReportIn, Report]] = []
        for item, canonical, digest, key in prepared:
            found = existing.get(key) if key is not None else None
            if found is None:
                report = _new_report(
                    item, canonical, digest, organisation=organisation, source=source,
                    key=key, finished=finished,
                )  # fmt: skip
                if key is not None:
                    existing[key] = report  # a repeat later in the same batch finds this one
                new.append((len(results), item, report))
                results.append(None)
            elif found.body_sha256 == digest:
                results.append(Submitted(found, created=False))
            else:
                field, value = key  # type: ignore[misc]  # found implies a key
                results.append(ConflictError(f"{field} {value!r} is already used by another report"))
        reports = Report.objects.bulk_create([report for *_, report in new], batch_size=500)
        identifiers: list[Identifier] = []
        media: list[ReportMedia] = []
        for (index, item, _), report in zip(new, reports, strict=True):
            rows = _rows(report, item)
            identifiers += rows[0]
            media += rows[1]
            results[index] = Submitted(report, created=True)
        Identifier.objects.bulk_create(identifiers, batch_size=1000)
        ReportMedia.objects.bulk_create(media, batch_size=1000)
        record(
            "intake.reports_submitted",
            actor=actor,
            request=request,
            details={"organisation": organisation.slug if organisation else None, "source": source,
                     "created": len(new), "origin": origin[:200],
                     "again": sum(1 for r in results if isinstance(r, Submitted) and not r.created),
                     "conflicts": sum(1 for r in results if isinstance(r, ConflictError))},
        )  # fmt: skip
        if finished and new:
            ids = [report.pk for report in reports]
            transaction.on_commit(lambda: _enqueue(ids))
    return [r for r in results if r is not None]


def _enqueue(report_ids: list[int]) -> None:
    from haven.intake.tasks import process_reports  # noqa: PLC0415  (tasks imports the pipeline)

    for start in range(0, len(report_ids), 500):
        process_reports.enqueue(report_ids[start : start + 500])


def finish_report(
    report: Report, *, actor: AuditActor | None = None, request: HttpRequest | None = None
) -> Report:
    """Close an open report for processing. Finishing it again changes nothing."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == ReportStatus.RETRACTED:
            raise IntakeError("the report was retracted")
        if report.status != ReportStatus.OPEN:
            return report
        report.status, report.finished_at = ReportStatus.RECEIVED, timezone.now()
        report.save(update_fields=["status", "finished_at"])
        record("intake.report_finished", actor=actor, request=request, obj=report)
        pk = report.pk
        transaction.on_commit(lambda: _enqueue([pk]))
    return report


def retract_report(
    report: Report, *, actor: AuditActor | None = None, request: HttpRequest | None = None
) -> Report:
    """Withdraw an open report, as the CyberTipline allows before finish. Retracting it again changes
    nothing."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == ReportStatus.RETRACTED:
            return report
        if report.status != ReportStatus.OPEN:
            raise IntakeError("a finished report cannot be retracted")
        report.status = ReportStatus.RETRACTED
        report.save(update_fields=["status"])
        record("intake.report_retracted", actor=actor, request=request, obj=report)
    return report
