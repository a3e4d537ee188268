"""Match media against the bank: exact by md5, sha1 or sha256, and near-duplicate by PDQ in 8 orientations.

Each process holds one PDQ index, built from the database on first use. Changes reach it in place: this
process's own imports and status changes through the ``records_changed`` signal, and other processes'
through ``sync``, which reads the records the database stamped as changed since its last horizon (at most
once a second; ``changes.py`` says why that cannot miss a late commit).

A partner sees matches in the national list and in its own list only, and in the national list only
records that may be shared (``BankRecord.shareable``). The centre's own matching (reports, scans, staff)
sees every enabled list.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from django.db.models import Q

from haven.hashbank.changes import Horizon, horizon
from haven.hashbank.hashing import DIHEDRAL, MIN_MATCH_QUALITY, FileHashes
from haven.hashbank.hashtypes import EXACT, STRENGTH
from haven.hashbank.index import MultiIndex, hex_to_codes
from haven.hashbank.models import BankList, BankRecord, Status
from haven.hashbank.signals import lists_changed, records_changed

SYNC_INTERVAL = 1.0
APPLY_BATCH = 10_000  # ids a query: SQLite takes at most 32,766 parameters


@dataclass(frozen=True)
class Match:
    record: int
    category: str
    series: str
    distance: int
    variant: str
    list: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _matchable() -> Q:
    return Q(status=Status.ACTIVE, pdq__isnull=False) & (
        Q(pdq_quality__isnull=True) | Q(pdq_quality__gte=MIN_MATCH_QUALITY)
    )


def lookup_exact(md5: str | None, sha1: str | None, sha256: str | None) -> list[BankRecord]:
    query = Q()
    for name, value in (("md5", md5), ("sha1", sha1), ("sha256", sha256)):
        if value:
            query |= Q(**{name: value})
    if not query:
        return []
    return list(BankRecord.objects.filter(query))


def partner_list(slug: str) -> str:
    return f"partner:{slug}"


class Matcher:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: MultiIndex | None = None
        self._horizon = Horizon(0)
        self._last_sync = 0.0
        self._lists: dict[int, BankList] = {}
        self._lists_read = -math.inf

    def enabled_lists(self) -> dict[int, BankList]:
        """The enabled lists, read at most once a sync interval: a scan does not query them per file. A
        change made in this process applies at once (``forget_lists``); another process's within a second."""
        with self._lock:
            if time.monotonic() - self._lists_read >= SYNC_INTERVAL:
                self._lists = {bl.pk: bl for bl in BankList.objects.filter(enabled=True)}
                self._lists_read = time.monotonic()
            return self._lists

    def forget_lists(self) -> None:
        with self._lock:
            self._lists_read = -math.inf

    def _build(self) -> MultiIndex:
        started = horizon()
        rows = [(i, p) for i, p in BankRecord.objects.filter(_matchable()).values_list("id", "pdq") if p]
        index = MultiIndex()
        index.build(np.array([r[0] for r in rows], dtype=np.int64), hex_to_codes([r[1] for r in rows]))
        self._horizon = started
        self._last_sync = time.monotonic()
        return index

    def index(self) -> MultiIndex:
        with self._lock:
            if self._index is None:
                self._index = self._build()
            elif time.monotonic() - self._last_sync >= SYNC_INTERVAL:
                self._sync_locked()
            return self._index

    def _sync_locked(self) -> None:
        started = horizon()
        changed = list(BankRecord.objects.filter(self._horizon.since()).values_list("id", flat=True))
        self._apply(changed)
        self._horizon = started
        self._last_sync = time.monotonic()

    def _apply(self, record_ids: list[int]) -> None:
        if self._index is None or not record_ids:
            return
        for start in range(0, len(record_ids), APPLY_BATCH):
            batch = record_ids[start : start + APPLY_BATCH]
            live = {
                i: p
                for i, p in BankRecord.objects.filter(_matchable(), id__in=batch).values_list("id", "pdq")
                if p
            }
            gone = [i for i in batch if i not in live]
            if gone:
                self._index.remove(np.array(gone, dtype=np.int64))
            if live:
                self._index.add(np.array(list(live), dtype=np.int64), hex_to_codes(list(live.values())))

    def refresh(self, record_ids: list[int]) -> None:
        with self._lock:
            self._apply(record_ids)

    def reset(self) -> None:
        with self._lock:
            self._index = None
            self._lists_read = -math.inf

    def _closest(self, hashes: FileHashes, *, radius: int) -> dict[int, tuple[int, str]]:
        """Each record found, with its best distance and how it matched (an exact hash's name, or the PDQ
        orientation)."""
        best: dict[int, tuple[int, str]] = {}
        for found in lookup_exact(hashes.md5, hashes.sha1, hashes.sha256):
            kind = next(n for n in STRENGTH if getattr(found, n) and getattr(found, n) == getattr(hashes, n))
            best[found.pk] = (0, kind)
        if hashes.matchable and hashes.pdq:
            variants = hashes.dihedral or [hashes.pdq]
            results = self.index().search(hex_to_codes(variants), radius)
            for variant, hits in zip(DIHEDRAL, results, strict=False):
                for hit in hits:
                    if hit.id not in best or hit.distance < best[hit.id][0]:
                        best[hit.id] = (hit.distance, variant)
        return best

    def match(self, hashes: FileHashes, *, partner: str | None = None) -> list[Match]:
        """Every enabled list's matches for one file's hashes, best distance per record and list. With
        ``partner`` (an organisation's slug), only what that partner may see: the national list's shareable
        records and anything in its own list."""
        lists = self.enabled_lists()
        own = partner_list(partner) if partner is not None else None
        if partner is not None:
            lists = {pk: bl for pk, bl in lists.items() if bl.name in {"national", own}}
        if not lists:
            return []
        best = self._closest(hashes, radius=max(bl.pdq_threshold for bl in lists.values()))
        if not best:
            return []
        records = (
            BankRecord.objects.filter(id__in=best).exclude(status=Status.DISABLED).prefetch_related("sources")
        )
        matches = []
        for rec in records:
            distance, variant = best[rec.pk]
            exact = variant in EXACT
            if not exact and rec.status != Status.ACTIVE:
                continue
            for list_id in sorted({s.bank_list_id for s in rec.sources.all()}):
                bank_list = lists.get(list_id)
                if bank_list is None or not (exact or distance <= bank_list.pdq_threshold):
                    continue
                if partner is not None and bank_list.name != own and not rec.shareable:
                    continue
                matches.append(Match(rec.pk, rec.category, rec.series, distance, variant, bank_list.name))
        return sorted(matches, key=lambda m: (m.distance, m.record, m.list))


_matcher = Matcher()


def matcher() -> Matcher:
    return _matcher


def _records_changed(sender: object, record_ids: list[int], **kwargs: Any) -> None:
    _matcher.refresh(record_ids)


def _lists_changed(sender: object, **kwargs: Any) -> None:
    _matcher.forget_lists()


records_changed.connect(_records_changed, dispatch_uid="haven.hashbank.matcher")
lists_changed.connect(_lists_changed, dispatch_uid="haven.hashbank.matcher")
