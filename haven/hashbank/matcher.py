"""Match media against the bank: exact by md5, sha1 or sha256, and near-duplicate by PDQ in 8 orientations.

Each process holds one PDQ index, built from the database on first use. Changes reach it in place: this
process's own imports and status changes through ``refresh_records``, and other processes' through ``sync``,
which reads the records updated since the last look (at most once a second).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from django.db.models import Q
from django.utils import timezone

from haven.hashbank.actions import STRENGTH, lookup_exact
from haven.hashbank.hashing import DIHEDRAL, MIN_MATCH_QUALITY, FileHashes
from haven.hashbank.index import MultiIndex, hex_to_codes
from haven.hashbank.models import BankList, BankRecord, Status

SYNC_INTERVAL = 1.0


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


class Matcher:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: MultiIndex | None = None
        self._synced_to = timezone.now()
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
        started = timezone.now()
        rows = [(i, p) for i, p in BankRecord.objects.filter(_matchable()).values_list("id", "pdq") if p]
        index = MultiIndex()
        index.build(np.array([r[0] for r in rows], dtype=np.int64), hex_to_codes([r[1] for r in rows]))
        self._synced_to = started
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
        started = timezone.now()
        changed = list(
            BankRecord.objects.filter(updated_at__gte=self._synced_to).values_list("id", flat=True)
        )
        self._apply(changed)
        self._synced_to = started
        self._last_sync = time.monotonic()

    def _apply(self, record_ids: list[int]) -> None:
        if self._index is None or not record_ids:
            return
        live = {
            i: p
            for i, p in BankRecord.objects.filter(_matchable(), id__in=record_ids).values_list("id", "pdq")
            if p
        }
        gone = [i for i in record_ids if i not in live]
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

    def match(self, hashes: FileHashes) -> list[Match]:
        """Every enabled list's matches for one file's hashes, best distance per record and list."""
        lists = self.enabled_lists()
        if not lists:
            return []
        best: dict[int, tuple[int, str]] = {}
        for found in lookup_exact(hashes.md5, hashes.sha1, hashes.sha256):
            kind = next(n for n in STRENGTH if getattr(found, n) and getattr(found, n) == getattr(hashes, n))
            best[found.pk] = (0, kind)
        if hashes.matchable and hashes.pdq:
            variants = hashes.dihedral or [hashes.pdq]
            radius = max(bl.pdq_threshold for bl in lists.values())
            results = self.index().search(hex_to_codes(variants), radius)
            for variant, hits in zip(DIHEDRAL, results, strict=False):
                for hit in hits:
                    if hit.id not in best or hit.distance < best[hit.id][0]:
                        best[hit.id] = (hit.distance, variant)
        if not best:
            return []
        records = (
            BankRecord.objects.filter(id__in=best).exclude(status=Status.DISABLED).prefetch_related("sources")
        )
        matches = []
        for rec in records:
            distance, variant = best[rec.pk]
            exact = variant in STRENGTH
            if not exact and rec.status != Status.ACTIVE:
                continue
            for list_id in sorted({s.bank_list_id for s in rec.sources.all()}):
                bank_list = lists.get(list_id)
                if bank_list is not None and (exact or distance <= bank_list.pdq_threshold):
                    matches.append(Match(rec.pk, rec.category, rec.series, distance, variant, bank_list.name))
        return sorted(matches, key=lambda m: (m.distance, m.record, m.list))


_matcher = Matcher()


def matcher() -> Matcher:
    return _matcher


def refresh_records(record_ids: list[int]) -> None:
    _matcher.refresh(record_ids)
