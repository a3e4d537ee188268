"""The functions that change the bank. A bulk import writes one audit entry for the whole batch."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from haven.accounts.models import User
from haven.audit.actions import AuditActor, name_of, record
from haven.hashbank.importing import BankError, ImportSummary, RecordInput, add_chunk, add_rows
from haven.hashbank.index import DEFAULT_MAX_RADIUS
from haven.hashbank.models import (
    LIST_NAME_PATTERN,
    SELF_REFERRAL_LIST,
    BankList,
    BankRecord,
    Category,
    GradingVerdict,
    ImageFeatures,
    RecordEvent,
    RecordSource,
    Status,
    VideoFrame,
)
from haven.hashbank.robust import VERSION as ROBUST_VERSION
from haven.hashbank.signals import lists_changed, records_changed

LIST_NAME = re.compile(LIST_NAME_PATTERN)


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
            f"list name {name!r}: expected 'national', 'self-referral' or 'partner:<name>' (lowercase, "
            "digits, dashes)"
        )
    with transaction.atomic():
        bank_list, created = BankList.objects.get_or_create(
            name=name, defaults={"pdq_threshold": pdq_threshold}
        )
        if created:
            record("hashbank.list_created", actor=actor, request=request, obj=bank_list,
                   details={"list": name, "pdq_threshold": pdq_threshold})  # fmt: skip
    return bank_list


def mark_shared(record_ids: Iterable[int]) -> int:
    """Note when each of these records first became shareable in each of its lists, so that a hash list
    later sends ``remove`` for exactly the records it once sent."""
    sources = RecordSource.objects.filter(
        shared_at=None, record_id__in=list(record_ids), record__in=BankRecord.objects.shareable()
    )
    return sources.update(shared_at=timezone.now())


# Below this many items the row path is as quick as the chunk path's statements.
CHUNK_PATH_FROM = 100


def add_records(
    items: Iterable[RecordInput],
    bank_list: BankList,
    *,
    actor: AuditActor | None = None,
    request: HttpRequest | None = None,
    origin: str = "",
) -> ImportSummary:
    """Add or merge each item into ``bank_list``, in one transaction with one audit entry. Importing the
    same items again changes nothing. A long file goes through this a chunk at a time (``haven bank
    import``), so that a kill loses at most the chunk in flight, and running it again adds exactly that."""
    items = list(items)
    actor_name = name_of(actor)
    with transaction.atomic():
        if len(items) >= CHUNK_PATH_FROM:
            summary = add_chunk(items, bank_list, actor_name)
        else:
            summary = add_rows(items, bank_list, actor_name)
        mark_shared(summary.existing)  # a record created just now has no grade yet
        summary.touched += store_frames(items)
        summary.touched += store_features(items)
        # Last, so that the audit chain's lock is held only for the moment before the commit.
        record(
            "hashbank.import",
            actor=actor,
            request=request,
            object_type="hashbank.banklist",
            object_id=bank_list.pk,
            details={"list": bank_list.name, "origin": origin[:200], "created": summary.created,
                     "merged": summary.merged, "unchanged": summary.unchanged},
        )  # fmt: skip
        touched = summary.touched
    transaction.on_commit(lambda: _notify_changed(touched))
    return summary


def store_frames(items: list[RecordInput]) -> list[int]:
    """Give each video its frames, replacing any its record had, and stamp the record as changed (through
    ``duration``, which the change triggers watch), so that every matcher reloads them. Returns the
    records."""
    videos = {item.sha256: item for item in items if item.frames and item.sha256}
    if not videos:
        return []
    ids = dict(BankRecord.objects.filter(sha256__in=list(videos)).values_list("sha256", "id"))
    VideoFrame.objects.filter(record_id__in=list(ids.values())).delete()
    VideoFrame.objects.bulk_create(
        [
            VideoFrame(record_id=ids[sha], index=index, seconds=seconds, pdq=pdq.lower(), quality=quality)
            for sha, item in videos.items()
            if sha in ids
            for index, seconds, pdq, quality in item.frames
        ],
        batch_size=2000,
    )
    for sha, item in videos.items():
        if sha in ids:
            BankRecord.objects.filter(pk=ids[sha]).update(duration=item.duration)
    return list(ids.values())


def store_features(items: list[RecordInput]) -> list[int]:
    """Give each still image its second-stage features, replacing any its record had, and stamp the record
    (through ``robust``, which the change triggers watch). Returns the records."""
    images = {item.sha256: item.features for item in items if item.features and item.sha256}
    if not images:
        return []
    ids = dict(BankRecord.objects.filter(sha256__in=list(images)).values_list("sha256", "id"))
    ImageFeatures.objects.filter(record_id__in=list(ids.values())).delete()
    ImageFeatures.objects.bulk_create(
        [ImageFeatures(record_id=ids[sha], version=ROBUST_VERSION, data=data)
         for sha, data in images.items() if sha in ids],
        batch_size=500,
    )  # fmt: skip
    BankRecord.objects.filter(pk__in=list(ids.values())).update(robust=ROBUST_VERSION)
    return list(ids.values())


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


GRADES = (Category.A, Category.B, Category.C, Category.NOT_INDECENT, Category.UNCATEGORISED)


def give_verdict(
    record_obj: BankRecord,
    *,
    grader: User,
    category: str,
    series: str = "",
    victim_identified: bool = False,
    offender_identified: bool = False,
    settles: bool = False,
    request: HttpRequest | None = None,
) -> BankRecord:
    """Record one grader's grade, then recount the record's verification from every verdict.

    Graders in agreement set the category; two or more in agreement make the record verified. Graders who
    disagree leave the record disputed, so it stops matching until they agree or a supervisor's verdict
    ``settles`` it (only a disputed record can be settled). The record takes the series of the verdict that
    decided it, and a flag that any grader gives (flags only ever turn on).
    """
    if category not in GRADES:
        raise BankError(f"category: expected one of {', '.join(GRADES)}")
    series = series.strip()
    if len(series) > 100:
        raise BankError("series: 100 characters at most")
    with transaction.atomic():
        record_obj = BankRecord.objects.select_for_update().get(pk=record_obj.pk)
        if settles and record_obj.status != Status.DISPUTED:
            raise BankError(f"record {record_obj.pk}: only a disputed record can be settled")
        GradingVerdict.objects.update_or_create(
            record=record_obj,
            grader=grader,
            defaults={"category": category, "series": series, "victim_identified": victim_identified,
                      "offender_identified": offender_identified, "settles": settles},
        )  # fmt: skip
        before = {"category": record_obj.category, "graders": record_obj.graders,
                  "agree": record_obj.graders_agree, "status": record_obj.status}  # fmt: skip
        _recount(record_obj)
        record_obj.save()
        after = {"category": record_obj.category, "graders": record_obj.graders,
                 "agree": record_obj.graders_agree, "status": record_obj.status}  # fmt: skip
        if record_obj.shareable and _join_national_if_self_referred(record_obj, grader):
            after["joined"] = "national"
        given = {"verdict": category, "series": series, "victim_identified": victim_identified,
                 "offender_identified": offender_identified, "settles": settles}  # fmt: skip
        RecordEvent.objects.create(
            record=record_obj, actor=name_of(grader), kind="verdict",
            details={**given, "from": before, "to": after},
        )  # fmt: skip
        record("hashbank.record_verdict", actor=grader, request=request, obj=record_obj,
               details={**given, **after})  # fmt: skip
        mark_shared([record_obj.pk])
    transaction.on_commit(lambda: _notify_changed([record_obj.pk]))
    return record_obj


def _recount(record_obj: BankRecord) -> None:
    verdicts = list(record_obj.verdicts.order_by("at", "id"))
    settled = [v for v in verdicts if v.settles]
    record_obj.graders = len(verdicts)
    record_obj.graders_agree = bool(settled) or len({v.category for v in verdicts}) == 1
    if not record_obj.graders_agree:
        if record_obj.status == Status.ACTIVE:
            record_obj.status = Status.DISPUTED
        return
    deciding = settled[-1] if settled else verdicts[-1]
    record_obj.category = deciding.category
    record_obj.series = deciding.series or next(
        (v.series for v in reversed(verdicts) if v.series), record_obj.series
    )
    record_obj.victim_identified |= any(v.victim_identified for v in verdicts)
    record_obj.offender_identified |= any(v.offender_identified for v in verdicts)
    if record_obj.status == Status.DISPUTED and record_obj.graders >= 2:
        record_obj.status = Status.ACTIVE


def _join_national_if_self_referred(record_obj: BankRecord, grader: User) -> bool:
    """A self-referred record, once verified as indecent, joins the national list that industry takes
    (its source there says it was self-referred). Whether it joined just now."""
    if not record_obj.sources.filter(bank_list__name=SELF_REFERRAL_LIST).exists():
        return False
    national = get_or_create_list("national", actor=grader)
    _, joined = RecordSource.objects.get_or_create(
        record=record_obj, bank_list=national, source=SELF_REFERRAL_LIST
    )
    return joined


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
