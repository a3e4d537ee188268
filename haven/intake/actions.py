"""The functions that change reports. A batch is one transaction with one audit entry, so the batch API and
the bulk import are not held to one audit append per report."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from haven.accounts.models import Organisation, User
from haven.audit.actions import AuditActor, record
from haven.core.bulk import JsonText, insert_many, next_ids
from haven.evidence import store as evidence_store
from haven.evidence.models import Blob
from haven.hashbank.actions import add_records, get_or_create_list
from haven.hashbank.importing import RecordInput
from haven.hashbank.models import SELF_REFERRAL_LIST, BankRecord
from haven.intake.models import (
    Conversation,
    Identifier,
    MatchStatus,
    PublicLimitKey,
    PublicSubmission,
    Report,
    ReportMedia,
    ReportNote,
    ReportStatus,
    SelfReferral,
    clean_self_referral_reference,
    self_referral_digest,
    self_referral_reference,
)
from haven.intake.pipeline import steps
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
    item: ReportIn, text: str, digest: str, *, organisation: Organisation | None,
    source: str, key: tuple[str, str] | None, finished: bool,
) -> Report:  # fmt: skip
    now = timezone.now()
    report = Report(
        organisation=organisation,
        source=source,
        external_id=item.external_id,
        idempotency_key=key[1] if key is not None and key[0] == "idempotency_key" else None,
        body_sha256=digest,
        status=ReportStatus.RECEIVED if finished else ReportStatus.OPEN,
        incident_type=item.incident.type,
        occurred_at=item.incident.occurred_at,
        imminent_danger=item.incident.imminent_danger,
        received_at=now,
        finished_at=now if finished else None,
        queued_at=now if finished else None,
    )
    # The payload is stored from ``text``; in memory it stays deferred, so reading it loads the stored copy
    # instead of parsing every report of a batch that nobody reads back.
    del report.__dict__["payload"]
    return report


def _people(item: ReportIn) -> list[tuple[bool, list[list[IdentifierIn]]]]:
    return [
        (False, [p.identifiers for p in item.reported_persons]),
        (True, [v.identifiers for v in item.victims]),
    ]


REPORT_COLUMNS = (
    "uid", "organisation", "source", "external_id", "idempotency_key", "body_sha256", "status",
    "incident_type", "occurred_at", "imminent_danger", "payload", "received_at", "finished_at", "queued_at",
    "failure", "failures",
)  # fmt: skip
IDENTIFIER_COLUMNS = (
    "report", "on_victim", "person", "kind", "value", "platform", "region", "port", "seen_at", "event",
)  # fmt: skip
MEDIA_COLUMNS = (
    "report", "position", "md5", "sha1", "sha256", "pdq", "file_name", "viewed_by_reporter",
    "publicly_available", "match_status", "matches",
)  # fmt: skip


def _store(new: list[tuple[ReportIn, Report, str]]) -> None:
    """Insert the reports, then their identifiers and media, as plain multi-row INSERTs (COPY on
    PostgreSQL, with ids drawn from the sequence first)."""
    ids = next_ids(Report, len(new))
    rows = [
        (r.uid, r.organisation_id, r.source, r.external_id, r.idempotency_key, r.body_sha256, r.status,
         r.incident_type, r.occurred_at, r.imminent_danger, JsonText(text), r.received_at, r.finished_at,
         r.queued_at, "", 0)
        for _, r, text in new
    ]  # fmt: skip
    if ids is not None:
        insert_many(Report, ("id", *REPORT_COLUMNS), [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
        by_uid = {r.uid: pk for (_, r, _), pk in zip(new, ids, strict=True)}
    else:
        insert_many(Report, REPORT_COLUMNS, rows)
        by_uid = {}
        uids = [r.uid for _, r, _ in new]
        for start in range(0, len(uids), 500):
            by_uid.update(Report.objects.filter(uid__in=uids[start : start + 500]).values_list("uid", "id"))
    identifiers: list[tuple[Any, ...]] = []
    media: list[tuple[Any, ...]] = []
    for item, report, _ in new:
        report.pk = by_uid[report.uid]
        report._state.adding = False
        identifiers += [
            (report.pk, on_victim, index, i.kind, i.value, i.platform or "", i.region or "", i.port,
             i.seen_at, i.event or "")
            for on_victim, people in _people(item)
            for index, person in enumerate(people)
            for i in person
        ]  # fmt: skip
        media += [
            (report.pk, position, (m.md5 or "").lower(), (m.sha1 or "").lower(), (m.sha256 or "").lower(),
             (m.pdq or "").lower(), m.file_name or "", m.viewed_by_reporter, m.publicly_available,
             MatchStatus.PENDING, [])
            for position, m in enumerate(item.media)
        ]  # fmt: skip
    insert_many(Identifier, IDENTIFIER_COLUMNS, identifiers)
    insert_many(ReportMedia, MEDIA_COLUMNS, media)
    _store_conversations([(item, report) for item, report, _ in new if item.conversations])


def _store_conversations(reports: list[tuple[ReportIn, Report]]) -> None:
    """Each conversation into the evidence store, encrypted, and a row that points at it."""
    rows = []
    for item, report in reports:
        for position, chat in enumerate(item.conversations):
            data = chat.model_dump_json(by_alias=True).encode()
            stored = evidence_store.put(data, max_bytes=max(settings.EVIDENCE_MAX_BYTES, len(data)))
            rows.append(Conversation(
                report=report, position=position, external_id=chat.id or "", platform=chat.platform or "",
                participants=len(chat.participants), messages=len(chat.messages), blob=stored.blob,
            ))  # fmt: skip
    Conversation.objects.bulk_create(rows)


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
        digest = body_sha256(item.canonical())
        prepared.append((item, item.payload(), digest, _key_of(item, idempotency_key, digest, content_keys)))
    with transaction.atomic():
        existing = _existing(organisation, [key for *_, key in prepared if key is not None])
        results: list[Submitted | ConflictError | None] = []
        new: list[tuple[int, ReportIn, Report, str]] = []
        for item, text, digest, key in prepared:
            found = existing.get(key) if key is not None else None
            if found is None:
                report = _new_report(
                    item, text, digest, organisation=organisation, source=source,
                    key=key, finished=finished,
                )  # fmt: skip
                if key is not None:
                    existing[key] = report  # a repeat later in the same batch finds this one
                new.append((len(results), item, report, text))
                results.append(None)
            elif found.body_sha256 == digest:
                results.append(Submitted(found, created=False))
            else:
                field, value = key  # type: ignore[misc]  # found implies a key
                results.append(ConflictError(f"{field} {value!r} is already used by another report"))
        _store([(item, report, text) for _, item, report, text in new])
        for index, _, report, _ in new:
            results[index] = Submitted(report, created=True)
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
            _enqueue([report.pk for _, _, report, _ in new])
    return [r for r in results if r is not None]


JOB_SIZE = 500


def _enqueue(report_ids: list[int]) -> None:
    """Make processing jobs for these reports, in the caller's transaction.

    The queue is a table in the same database, so the jobs commit with the reports or not at all: no
    report can be acknowledged and then lost between the commit and the enqueue. (Jobs made after the
    commit, as STYLE.md's side effects are, would leave that window open.)
    """
    from haven.intake.tasks import process_reports  # noqa: PLC0415  (tasks imports the pipeline)

    for start in range(0, len(report_ids), JOB_SIZE):
        process_reports.enqueue(report_ids[start : start + JOB_SIZE])


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
        report.queued_at = report.finished_at
        report.save(update_fields=["status", "finished_at", "queued_at"])
        record("intake.report_finished", actor=actor, request=request, obj=report)
        _enqueue([report.pk])
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


def attach_file(
    report: Report,
    blob: Blob,
    *,
    file_name: str,
    actor: AuditActor | None = None,
    request: HttpRequest | None = None,
) -> ReportMedia:
    """Tie an uploaded file to an open report: to the media item that already gives its hash, or as a new
    item. Uploading the same file again changes nothing."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.OPEN:
            raise IntakeError(f"files go to an open report; this one is {report.status}")
        media = list(report.media.all())
        item = next((m for m in media if m.sha256 == blob.sha256), None) or next(
            (m for m in media if not m.sha256 and m.md5 == blob.md5 and m.md5), None
        )
        if item is None:
            item = ReportMedia(report=report, position=len(media), file_name=file_name[:255])
        if item.blob_id == blob.pk:
            return item
        item.blob, item.sha256, item.md5, item.sha1 = blob, blob.sha256, blob.md5, blob.sha1
        item.save()
        record(
            "intake.report_file",
            actor=actor,
            request=request,
            obj=report,
            details={"sha256": blob.sha256, "size": blob.size, "position": item.position},
        )
    return item


def assign_report(
    report: Report, assignee: User | None, *, actor: User, request: HttpRequest | None = None
) -> Report:
    """Give the report to an analyst, or take it back (``None``)."""
    with transaction.atomic():
        before = report.assignee.username if report.assignee else None
        report.assignee = assignee
        report.save(update_fields=["assignee"])
        record(
            "intake.report_assigned",
            actor=actor,
            request=request,
            obj=report,
            details={"from": before, "to": assignee.username if assignee else None},
        )
    return report


def add_note(report: Report, text: str, *, author: User, request: HttpRequest | None = None) -> ReportNote:
    text = text.strip()
    if not text:
        raise IntakeError("a note needs some text")
    with transaction.atomic():
        note = ReportNote.objects.create(report=report, author=author, text=text[:5000])
        record("intake.report_note", actor=author, request=request, obj=report, details={"note": note.pk})
    return note


def _day_key(day: Any) -> bytes:
    key, _ = PublicLimitKey.objects.get_or_create(day=day, defaults={"key": secrets.token_bytes(32)})
    return bytes(key.key)


def admit_public_report(address: str | None, *, per_hour: int) -> bool:
    """Whether the public form may take one more report from ``address`` this hour; if so, count it.

    The address itself is never kept: only its HMAC under a random key of the day, and that key is
    deleted when the day is over (so the count starts again at midnight). The digests go after a day.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        PublicLimitKey.objects.filter(day__lt=today).delete()
        PublicSubmission.objects.filter(at__lt=now - timedelta(days=1)).delete()
        digest = hmac.new(_day_key(today), (address or "").encode(), hashlib.sha256).hexdigest()
        recent = PublicSubmission.objects.filter(digest=digest, at__gte=now - timedelta(hours=1))
        if recent.count() >= per_hour:
            return False
        PublicSubmission.objects.create(digest=digest, at=now)
    return True


@dataclass
class Processed:
    """Where ``process_report`` got to: the step running when it stopped, if it did."""

    step: str = "start"


def process_report(report_id: int, progress: Processed) -> bool:
    """Run the pipeline's steps on a received report (``pipeline.steps()``: matching, bundling, and the
    steps later apps register), and mark it processed, in one transaction under the report's row lock.
    Returns whether it ran; a report no longer received is left alone. An error rolls the whole report
    back; the caller marks it failed (``fail_report``), in a transaction of its own.

    The steps write the report's media matches, its bundle, its subjects: they are this action's parts,
    and run only inside it. Processing is not audited report by report: it is the system's own work,
    recorded on the report (``processed_at``) and in the job, and an audit entry each would put the audit
    chain's lock on the path of every report.
    """
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status != ReportStatus.RECEIVED:
            return False
        for progress.step, step in steps():
            step(report)
        report.status, report.processed_at = ReportStatus.PROCESSED, timezone.now()
        report.save(update_fields=["status", "processed_at", "bundle"])
    return True


def fail_report(report_id: int, *, step: str, error: BaseException) -> None:
    """Mark a received report ``failed``, with the step and the error that stopped it, so it waits for a
    person instead of blocking the rest of its job. Does nothing to a report no longer received."""
    reason = f"{step}: {type(error).__name__}: {error}"[:2000]
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status != ReportStatus.RECEIVED:
            return
        report.status, report.failure = ReportStatus.FAILED, reason
        report.failures += 1
        report.save(update_fields=["status", "failure", "failures"])
        record("intake.report_failed", obj=report, details={"step": step, "error": type(error).__name__,
                                                             "failures": report.failures})  # fmt: skip


def retry_report(report: Report, *, actor: User, request: HttpRequest | None = None) -> Report:
    """Send a failed report through processing again (once its cause is fixed). The reason it failed
    stays on the audit trail."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.FAILED:
            raise IntakeError(f"only a failed report can be retried; this one is {report.status}")
        before = report.failure
        report.status, report.failure, report.queued_at = ReportStatus.RECEIVED, "", timezone.now()
        report.save(update_fields=["status", "failure", "queued_at"])
        record("intake.report_retried", actor=actor, request=request, obj=report, details={"failure": before})
        _enqueue([report.pk])
    return report


def requeue_waiting_reports(*, waiting_longer_than: timedelta) -> int:
    """Make new jobs for reports still ``received`` long after their last job was made: that job was lost
    (its worker was killed, or the database went away under it). Safe on many workers at once: each
    report is taken under a row lock that the others skip. A duplicate job is harmless, since processing
    skips a report that is no longer received."""
    cutoff = timezone.now() - waiting_longer_than
    with transaction.atomic():
        ids = list(
            Report.objects.select_for_update(skip_locked=True)
            .filter(status=ReportStatus.RECEIVED, queued_at__lt=cutoff)
            .order_by("queued_at")
            .values_list("id", flat=True)[: 10 * JOB_SIZE]
        )
        if not ids:
            return 0
        Report.objects.filter(id__in=ids).update(queued_at=timezone.now())
        record("intake.reports_requeued", details={"reports": len(ids)})
        _enqueue(ids)
    return len(ids)


MAX_SELF_REFERRED_FILES = 50


@dataclass(frozen=True)
class SelfReferredFile:
    """What a young person's browser sends of one file: its SHA-256, and for a photo its PDQ and quality."""

    sha256: str
    pdq: str | None = None
    quality: int | None = None


@dataclass(frozen=True)
class SelfReferred:
    reference: str
    referral: SelfReferral
    created: bool


def submit_self_referral(token: str, files: list[SelfReferredFile]) -> SelfReferred:
    """Take a self-referral: the hashes join the ``self-referral`` list, waiting for grading, and the
    person gets a reference number. ``token`` is the random value the page made when it opened: the same
    token gives the same reference, so a page sent twice (a double click, a reload) makes one
    self-referral. Nothing of the sender is kept: no address, no browser, no name of any file."""
    if not 1 <= len(files) <= MAX_SELF_REFERRED_FILES:
        raise IntakeError(f"files: send 1 to {MAX_SELF_REFERRED_FILES} files at a time")
    secret = hmac.new(settings.SECRET_KEY.encode(), b"self-referral|" + token.encode(), hashlib.sha256)
    reference = self_referral_reference(secret.digest())
    digest = self_referral_digest(reference)
    try:
        with transaction.atomic():
            referral = SelfReferral.objects.create(digest=digest)
            bank_list = get_or_create_list(SELF_REFERRAL_LIST)
            items = [
                RecordInput(sha256=f.sha256, pdq=f.pdq, pdq_quality=f.quality, source=SELF_REFERRAL_LIST)
                for f in files
            ]
            add_records(items, bank_list, origin="self-referral")
            referral.records.set(BankRecord.objects.filter(sha256__in={f.sha256 for f in files}))
            record("intake.self_referral", obj=referral, details={"files": len(files)})
    except IntegrityError:
        # The same page sent twice at once, and the other request made it; or a real fault.
        made = SelfReferral.objects.filter(digest=digest).first()
        if made is None:
            raise
        return SelfReferred(reference, made, created=False)
    return SelfReferred(reference, referral, created=True)


def find_self_referral(typed: str) -> SelfReferral | None:
    """The self-referral a typed reference number stands for, if any."""
    reference = clean_self_referral_reference(typed)
    if reference is None:
        return None
    return SelfReferral.objects.filter(digest=self_referral_digest(reference)).first()
