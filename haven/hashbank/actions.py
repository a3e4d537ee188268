"""The functions that change the bank. A bulk import writes one audit entry for the whole batch."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from haven.accounts.models import User
from haven.audit.actions import AuditActor, name_of, record
from haven.hashbank.hashtypes import LENGTHS, STRENGTH, clean
from haven.hashbank.index import DEFAULT_MAX_RADIUS
from haven.hashbank.models import (
    BankList,
    BankRecord,
    Category,
    GradingVerdict,
    RecordEvent,
    RecordSource,
    Status,
)
from haven.hashbank.signals import lists_changed, records_changed

FLAGS = ("victim_identified", "offender_identified", "distributed")
LIST_NAME = re.compile(r"^(national|partner:[a-z0-9][a-z0-9-]{0,80})$")


class BankError(ValueError):
    """Input the bank refuses; the message says why."""


@dataclass
class RecordInput:
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    pdq: str | None = None
    pdq_quality: int | None = None
    category: str = Category.UNCATEGORISED
    series: str = ""
    source: str = ""
    # Flags only ever turn on: one source knowing a victim is identified is enough.
    victim_identified: bool = False
    offender_identified: bool = False
    distributed: bool = False

    def __post_init__(self) -> None:
        for name in LENGTHS:
            try:
                setattr(self, name, clean(name, getattr(self, name)))
            except ValueError as exc:
                raise BankError(str(exc)) from None
        if not (self.md5 or self.sha1 or self.sha256 or self.pdq):
            raise BankError("no hash: give at least one of md5, sha1, sha256, pdq")
        if self.category not in Category.values:
            raise BankError(f"category: expected one of {', '.join(Category.values)}, got {self.category!r}")
        if self.pdq_quality is not None and not 0 <= self.pdq_quality <= 100:
            raise BankError(f"pdq_quality: expected 0 to 100, got {self.pdq_quality}")
        self.series = self.series.strip()[:100]
        self.source = self.source.strip()[:200]


@dataclass
class ImportSummary:
    created: int = 0
    merged: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def get_or_create_list(
    name: str,
    *,
    pdq_threshold: int = 31,
    actor: AuditActor | None = None,
    request: HttpRequest | None = None,
) -> BankList:
    """The list called ``name``; made (and audited) the first time a list of that name is asked for."""
    if not LIST_NAME.fullmatch(name):
        raise BankError(
            f"list name {name!r}: expected 'national' or 'partner:<name>' (lowercase, digits, dashes)"
        )
    with transaction.atomic():
        bank_list, created = BankList.objects.get_or_create(
            name=name, defaults={"pdq_threshold": pdq_threshold}
        )
        if created:
            record("hashbank.list_created", actor=actor, request=request, obj=bank_list,
                   details={"list": name, "pdq_threshold": pdq_threshold})  # fmt: skip
    return bank_list


def mark_shared(record_ids: Iterable[int] | None = None, *, bank_list: BankList | None = None) -> int:
    """Note when each record first became shareable in each of its lists (all records, or these, or one
    list's), so that a hash list later sends ``remove`` for exactly the records it once sent."""
    sources = RecordSource.objects.filter(shared_at=None, record__in=BankRecord.objects.shareable())
    if record_ids is not None:
        sources = sources.filter(record_id__in=list(record_ids))
    if bank_list is not None:
        sources = sources.filter(bank_list=bank_list)
    return sources.update(shared_at=timezone.now())


def _find(item: RecordInput) -> BankRecord | None:
    for name in STRENGTH:
        value = getattr(item, name)
        if value:
            found = BankRecord.objects.filter(**{name: value}).first()
            if found is not None:
                return found
    if item.pdq and not (item.md5 or item.sha1 or item.sha256):
        return BankRecord.objects.filter(pdq=item.pdq, md5=None, sha1=None, sha256=None).first()
    return None


def _merge(existing: BankRecord, item: RecordInput, actor_name: str) -> bool:
    """Fill in what the record lacks. Returns whether anything changed."""
    changes: dict[str, object] = {}
    for name in (*STRENGTH, "pdq"):
        value = getattr(item, name)
        if value and not getattr(existing, name):
            taken = (
                name != "pdq" and BankRecord.objects.filter(**{name: value}).exclude(pk=existing.pk).exists()
            )
            if not taken:
                changes[name] = value
    if "pdq" in changes and item.pdq_quality is not None:
        changes["pdq_quality"] = item.pdq_quality
    if item.series and not existing.series:
        changes["series"] = item.series
    for flag in FLAGS:
        if getattr(item, flag) and not getattr(existing, flag):
            changes[flag] = True
    if item.category not in {Category.UNCATEGORISED, existing.category}:
        if existing.category == Category.UNCATEGORISED:
            changes["category"] = item.category
        elif existing.status != Status.DISPUTED:
            # Two sources disagree on the grade: a grader must resolve it, and the record stops matching
            # as verified until then.
            changes["status"] = Status.DISPUTED
    if not changes:
        return False
    for name, value in changes.items():
        setattr(existing, name, value)
    existing.save()
    RecordEvent.objects.create(
        record=existing,
        actor=actor_name,
        kind="merged",
        details=dict(changes) | {"source": item.source, "category_given": item.category},
    )
    return True


def add_records(
    items: Iterable[RecordInput],
    bank_list: BankList,
    *,
    actor: AuditActor | None = None,
    request: HttpRequest | None = None,
    origin: str = "",
) -> ImportSummary:
    """Add or merge each item into ``bank_list``. Importing the same items again changes nothing."""
    summary = ImportSummary()
    actor_name = name_of(actor)
    now = timezone.now()
    added: list[int] = []
    with transaction.atomic():
        for item in items:
            existing = _find(item)
            created = existing is None
            if existing is None:
                existing = BankRecord.objects.create(
                    md5=item.md5,
                    sha1=item.sha1,
                    sha256=item.sha256,
                    pdq=item.pdq,
                    pdq_quality=item.pdq_quality,
                    category=item.category,
                    series=item.series,
                    victim_identified=item.victim_identified,
                    offender_identified=item.offender_identified,
                    distributed=item.distributed,
                    first_seen=now,
                    last_seen=now,
                )
                RecordEvent.objects.create(
                    record=existing,
                    actor=actor_name,
                    kind="created",
                    details={"source": item.source, "list": bank_list.name},
                )
                changed = True
            else:
                changed = _merge(existing, item, actor_name)
            _, new_source = RecordSource.objects.get_or_create(
                record=existing, bank_list=bank_list, source=item.source
            )
            if created:
                summary.created += 1
            elif changed or new_source:
                summary.merged += 1
            else:
                summary.unchanged += 1
            if changed or new_source:
                added.append(existing.pk)
        mark_shared(added)
        record(
            "hashbank.import",
            actor=actor,
            request=request,
            object_type="hashbank.banklist",
            object_id=bank_list.pk,
            details={"list": bank_list.name, "origin": origin[:200], "created": summary.created,
                     "merged": summary.merged, "unchanged": summary.unchanged},
        )  # fmt: skip
    transaction.on_commit(lambda: _notify_changed(added))
    return summary


def _notify_changed(record_ids: list[int]) -> None:
    records_changed.send(sender=BankRecord, record_ids=record_ids)


def set_status(
    record_obj: BankRecord,
    status: str,
    *,
    actor: AuditActor | None = None,
    request: HttpRequest | None = None,
) -> BankRecord:
    if status not in Status.values:
        raise BankError(f"status: expected one of {', '.join(Status.values)}")
    with transaction.atomic():
        old = record_obj.status
        BankRecord.objects.filter(pk=record_obj.pk).update(status=status, updated_at=timezone.now())
        record_obj.status = status
        RecordEvent.objects.create(
            record=record_obj,
            actor=name_of(actor),
            kind="status",
            details={"from": old, "to": status},
        )
        record(
            "hashbank.record_status",
            actor=actor,
            request=request,
            obj=record_obj,
            details={"from": old, "to": status},
        )
        mark_shared([record_obj.pk])
    transaction.on_commit(lambda: _notify_changed([record_obj.pk]))
    return record_obj


def record_hits(record_ids: Iterable[int]) -> None:
    """Count one sighting per id (repeat an id for several) and move last_seen to now.

    A plain UPDATE: it leaves ``updated_at`` alone, so a hit never makes the index re-read a record.
    """
    by_count: dict[int, list[int]] = {}
    for record_id, count in Counter(record_ids).items():
        by_count.setdefault(count, []).append(record_id)
    now = timezone.now()
    for count, ids in by_count.items():
        BankRecord.objects.filter(id__in=ids).update(hit_count=F("hit_count") + count, last_seen=now)


GRADES = (Category.A, Category.B, Category.C, Category.NOT_INDECENT)


def give_verdict(
    record_obj: BankRecord,
    *,
    grader: User,
    category: str,
    request: HttpRequest | None = None,
) -> BankRecord:
    """Record one grader's category, then recount the record's verification from every verdict.

    Graders in agreement set the category; two or more in agreement make the record verified and settle a
    dispute. Graders who disagree leave the record disputed, so it stops matching until they agree.
    """
    if category not in GRADES:
        raise BankError(f"category: expected one of {', '.join(GRADES)}")
    with transaction.atomic():
        record_obj = BankRecord.objects.select_for_update().get(pk=record_obj.pk)
        GradingVerdict.objects.update_or_create(
            record=record_obj, grader=grader, defaults={"category": category}
        )
        verdicts = set(record_obj.verdicts.values_list("category", flat=True))
        before = {"category": record_obj.category, "graders": record_obj.graders,
                  "agree": record_obj.graders_agree, "status": record_obj.status}  # fmt: skip
        record_obj.graders = record_obj.verdicts.count()
        record_obj.graders_agree = len(verdicts) == 1
        if record_obj.graders_agree:
            record_obj.category = category
            if record_obj.status == Status.DISPUTED and record_obj.graders >= 2:
                record_obj.status = Status.ACTIVE
        elif record_obj.status == Status.ACTIVE:
            record_obj.status = Status.DISPUTED
        record_obj.save()
        after = {"category": record_obj.category, "graders": record_obj.graders,
                 "agree": record_obj.graders_agree, "status": record_obj.status}  # fmt: skip
        RecordEvent.objects.create(
            record=record_obj,
            actor=name_of(grader),
            kind="verdict",
            details={"verdict": category, "from": before, "to": after},
        )
        record(
            "hashbank.record_verdict",
            actor=grader,
            request=request,
            obj=record_obj,
            details={"verdict": category, **after},
        )
        mark_shared([record_obj.pk])
    transaction.on_commit(lambda: _notify_changed([record_obj.pk]))
    return record_obj


def update_list(
    bank_list: BankList,
    *,
    pdq_threshold: int,
    enabled: bool,
    actor: AuditActor | None = None,
    request: HttpRequest | None = None,
) -> BankList:
    if not 0 <= pdq_threshold <= DEFAULT_MAX_RADIUS:
        raise BankError(f"pdq_threshold: must be 0 to {DEFAULT_MAX_RADIUS}")
    with transaction.atomic():
        before = {"pdq_threshold": bank_list.pdq_threshold, "enabled": bank_list.enabled}
        bank_list.pdq_threshold, bank_list.enabled = pdq_threshold, enabled
        bank_list.save(update_fields=["pdq_threshold", "enabled"])
        after = {"pdq_threshold": pdq_threshold, "enabled": enabled}
        record(
            "hashbank.list_update",
            actor=actor,
            request=request,
            obj=bank_list,
            details={"from": before, "to": after},
        )
    transaction.on_commit(lambda: lists_changed.send(sender=BankList))
    return bank_list
