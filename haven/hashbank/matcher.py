"""Match media against the bank: exact by md5, sha1 or sha256, near-duplicate by PDQ in 8 orientations, and
for a still image neither knows, by the second, robust stage (``robust.py``: crops, overlays, small turns).

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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from django.db.models import Q

from haven.hashbank.changes import Horizon, horizon
from haven.hashbank.hashing import DIHEDRAL, MIN_MATCH_QUALITY, FileHashes
from haven.hashbank.hashtypes import EXACT, STRENGTH
from haven.hashbank.index import Codes, MultiIndex, hex_to_codes
from haven.hashbank.models import BankList, BankRecord, ImageFeatures, Status, VideoFrame
from haven.hashbank.robust import VERSION as ROBUST_VERSION
from haven.hashbank.robust import Evidence, FeatureIndex, Features, verify
from haven.hashbank.signals import lists_changed, records_changed
from haven.hashbank.video import Frame, VideoHashes, VideoMatch, compare, good_distinct, ranges

SYNC_INTERVAL = 1.0
# A video is known when this share of its good frames is in a banked video, or of the banked video's in it
# (a clip cut from a known video; a compilation holding a known clip), as vPDQ's percentages do.
VIDEO_MATCH_SHARE = 0.5
VIDEO_CANDIDATES = 50  # banked videos compared in full per query, those sharing the most frames first
APPLY_BATCH = 10_000  # ids a query: SQLite takes at most 32,766 parameters


@dataclass(frozen=True)
class Match:
    """One banked record a file matched: by an exact hash (``variant`` names it), by PDQ in one of eight
    orientations (``distance`` in bits), or by the second, robust stage (``variant`` "robust", no distance,
    and the ``evidence`` of the points that agreed)."""

    record: int
    category: str
    series: str
    distance: int | None
    variant: str
    list: str
    evidence: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        if self.evidence is None:
            data.pop("evidence")
        return data


@dataclass(frozen=True)
class VideoHit:
    """A banked record that a query video matched, and how: ``file`` (the same file), ``vpdq`` (enough of
    the frames of a banked video) or ``image`` (a banked still image seen in the video's frames)."""

    record: int
    category: str
    series: str
    list: str
    found: VideoMatch
    how: str

    def as_json(self) -> dict[str, Any]:
        how = self.how
        # ``variant`` and ``distance`` as an image's match has them, for the pages that list both.
        return {"record": self.record, "category": self.category, "series": self.series, "list": self.list,
                "how": how, "variant": how, "distance": 0 if how == "file" else None,
                **self.found.as_json()}  # fmt: skip


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
        # Banked videos' good frames: one index of frame ids, and each frame's record.
        self._frames: MultiIndex | None = None
        self._record_of: dict[int, int] = {}
        self._frames_of: dict[int, list[int]] = {}
        # Banked still images' second-stage features (robust.py).
        self._robust: FeatureIndex | None = None

    def enabled_lists(self) -> dict[int, BankList]:
        """The enabled lists, read at most once a sync interval: a scan does not query them per file. A
        change made in this process applies at once (``forget_lists``); another process's within a second."""
        with self._lock:
            if time.monotonic() - self._lists_read >= SYNC_INTERVAL:
                self._lists = {bl.pk: bl for bl in BankList.objects.filter(enabled=True)}
                self._lists_read = time.monotonic()
            return self._lists

    def visible_lists(self, partner: str | None) -> tuple[dict[int, BankList], str | None]:
        """The enabled lists a match may come from, and the partner's own list's name: for a partner (an
        organisation's slug), the national list and its own; for the centre, every one."""
        lists = self.enabled_lists()
        if partner is None:
            return lists, None
        own = partner_list(partner)
        return {pk: bl for pk, bl in lists.items() if bl.name in {"national", own}}, own

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
            self._ensure_locked()
            assert self._index is not None
            return self._index

    def _ensure_locked(self) -> None:
        if self._index is None:
            self._index = self._build()
            self._frames = self._build_frames()
            self._robust = self._build_robust()
        elif time.monotonic() - self._last_sync >= SYNC_INTERVAL:
            self._sync_locked()

    def _feature_rows(self, record_ids: list[int] | None) -> Iterator[tuple[int, np.ndarray[Any, Any]]]:
        """The active records' current features, as (record, descriptors)."""
        rows = ImageFeatures.objects.filter(version=ROBUST_VERSION, record__status=Status.ACTIVE).values_list(
            "record_id", "data"
        )
        if record_ids is not None:
            rows = rows.filter(record_id__in=record_ids)
        for record_id, data in rows.iterator(chunk_size=2000):
            yield record_id, Features.from_bytes(bytes(data)).descriptors

    def _build_robust(self) -> FeatureIndex:
        index = FeatureIndex()
        index.build(self._feature_rows(None))
        return index

    def frame_index(self) -> MultiIndex:
        self.index()
        assert self._frames is not None
        return self._frames

    def _frame_rows(self, record_ids: list[int] | None) -> list[tuple[int, int, str]]:
        rows = VideoFrame.objects.filter(
            quality__gte=MIN_MATCH_QUALITY, record__status=Status.ACTIVE
        ).values_list("id", "record_id", "pdq")
        if record_ids is not None:
            rows = rows.filter(record_id__in=record_ids)
        return list(rows)

    def _build_frames(self) -> MultiIndex:
        rows = self._frame_rows(None)
        self._record_of, self._frames_of = {}, {}
        self._remember(rows)
        index = MultiIndex()
        index.build(np.array([r[0] for r in rows], dtype=np.int64), hex_to_codes([r[2] for r in rows]))
        return index

    def _remember(self, rows: list[tuple[int, int, str]]) -> None:
        for frame_id, record_id, _ in rows:
            self._record_of[frame_id] = record_id
            self._frames_of.setdefault(record_id, []).append(frame_id)

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
            self._apply_frames(batch)
            self._apply_features(batch)

    def _apply_features(self, record_ids: list[int]) -> None:
        """A changed record leaves the feature index, and comes back with its current features if it is
        active and has them."""
        if self._robust is None:
            return
        self._robust.remove(record_ids)
        for record_id, descriptors in self._feature_rows(record_ids):
            self._robust.add(record_id, descriptors)

    def _apply_frames(self, record_ids: list[int]) -> None:
        """A changed record's frames leave the frame index, and its current good ones (if it is active)
        come back."""
        if self._frames is None:
            return
        old = [f for r in record_ids for f in self._frames_of.pop(r, [])]
        if old:
            self._frames.remove(np.array(old, dtype=np.int64))
            for frame_id in old:
                self._record_of.pop(frame_id, None)
        rows = self._frame_rows(record_ids)
        if rows:
            self._remember(rows)
            self._frames.add(
                np.array([r[0] for r in rows], dtype=np.int64), hex_to_codes([r[2] for r in rows])
            )

    def refresh(self, record_ids: list[int]) -> None:
        with self._lock:
            self._apply(record_ids)

    def reset(self) -> None:
        with self._lock:
            self._index = None
            self._frames = None
            self._robust = None
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
        lists, own = self.visible_lists(partner)
        if not lists:
            return []
        best = self._closest(hashes, radius=max(bl.pdq_threshold for bl in lists.values()))
        matches = []
        for rec, bank_list in _listed(best, lists, own, partner, exact=lambda r: best[r][1] in EXACT):
            distance, variant = best[rec.pk]
            if variant in EXACT or distance <= bank_list.pdq_threshold:
                matches.append(Match(rec.pk, rec.category, rec.series, distance, variant, bank_list.name))
        if not matches and hashes.features:
            matches = self._robust_matches(hashes.features, lists, own, partner)
        return sorted(matches, key=lambda m: (m.distance is None, m.distance or 0, m.record, m.list))

    def _robust_matches(
        self, data: bytes, lists: dict[int, BankList], own: str | None, partner: str | None
    ) -> list[Match]:
        """The second stage, for a still image the exact and PDQ stages did not know: the candidates that
        share the most feature words with it, each verified geometrically against its banked features."""
        try:
            query = Features.from_bytes(data)
        except ValueError:
            return []
        with self._lock:
            self._ensure_locked()
            assert self._robust is not None
            candidates = [r for r, _ in self._robust.candidates(query.descriptors)]
        stored = dict(
            ImageFeatures.objects.filter(record_id__in=candidates, version=ROBUST_VERSION).values_list(
                "record_id", "data"
            )
        )
        proven: dict[int, Evidence] = {}
        for record_id in candidates:
            if record_id in stored:
                evidence = verify(query, Features.from_bytes(bytes(stored[record_id])))
                if evidence is not None:
                    proven[record_id] = evidence
        return [
            Match(rec.pk, rec.category, rec.series, None, "robust", bank_list.name, proven[rec.pk].as_json())
            for rec, bank_list in _listed(proven, lists, own, partner, exact=lambda r: False)
        ]

    def match_video(self, hashes: VideoHashes, *, partner: str | None = None) -> list[VideoHit]:
        """The banked videos a video matches: the same file (by md5, sha1 or sha256), or enough of its good
        frames, or of theirs, within the list's PDQ threshold (``VIDEO_MATCH_SHARE``). The frame index gives
        the candidates; each is then compared whole (``video.compare``), for both shares and the matched
        stretches. What a partner may see is as for ``match``."""
        lists, own = self.visible_lists(partner)
        if not lists:
            return []
        found: dict[int, tuple[str, VideoMatch]] = {}
        whole = VideoMatch(1.0, 1.0, [], [], 0)  # the same file: nothing to compare
        for rec in lookup_exact(hashes.md5, hashes.sha1, hashes.sha256):
            found[rec.pk] = ("file", whole)
        query = good_distinct(hashes.frames)
        radius = max(bl.pdq_threshold for bl in lists.values())
        if query:
            codes = hex_to_codes([f.pdq for f in query])
            votes: dict[int, int] = {}
            for hits in self.frame_index().search(codes, radius):
                for record_id in {self._record_of.get(hit.id) for hit in hits} - {None}:
                    assert record_id is not None
                    votes[record_id] = votes.get(record_id, 0) + 1
            for record_id in sorted(votes, key=lambda r: (-votes[r], r))[:VIDEO_CANDIDATES]:
                if record_id in found:
                    continue
                banked = [Frame(i, t, p, q) for i, t, p, q in VideoFrame.objects.filter(record_id=record_id)
                          .values_list("index", "seconds", "pdq", "quality")]  # fmt: skip
                compared = compare(query, banked, threshold=radius)
                if compared.known(VIDEO_MATCH_SHARE):
                    found[record_id] = ("vpdq", compared)
            self._stills_in(query, codes, radius, found)
        return self._visible(found, lists, own, partner)

    def _stills_in(
        self, query: list[Frame], codes: Codes, radius: int, found: dict[int, tuple[str, VideoMatch]]
    ) -> None:
        """Banked still images that the video's frames show: one frame within the threshold is enough, as
        for an image. The share is of the video's frames; the stretches are where the image is seen."""
        seen: dict[int, list[float]] = {}
        for frame, hits in zip(query, self.index().search(codes, radius), strict=True):
            for hit in hits:
                seen.setdefault(hit.id, []).append(frame.seconds)
        for record_id, times in seen.items():
            if record_id not in found:
                match = VideoMatch(len(times) / len(query), 1.0, ranges(times), [], len(times))
                found[record_id] = ("image", match)

    def _visible(
        self,
        found: dict[int, tuple[str, VideoMatch]],
        lists: dict[int, BankList],
        own: str | None,
        partner: str | None,
    ) -> list[VideoHit]:
        out = [
            VideoHit(rec.pk, rec.category, rec.series, bank_list.name, found[rec.pk][1], found[rec.pk][0])
            for rec, bank_list in _listed(found, lists, own, partner, exact=lambda r: found[r][0] == "file")
        ]
        return sorted(out, key=lambda h: (-max(h.found.query_share, h.found.banked_share), h.record, h.list))


def _listed(
    record_ids: Iterable[int],
    lists: dict[int, BankList],
    own: str | None,
    partner: str | None,
    *,
    exact: Callable[[int], bool],
) -> Iterator[tuple[BankRecord, BankList]]:
    """Each found record in each visible list that holds it, as a match may show it: never a disabled record,
    a disputed one only when it matched exactly, and for a partner, the national list's records only when
    they are shareable (its own list's always)."""
    records = (
        BankRecord.objects.filter(id__in=list(record_ids))
        .exclude(status=Status.DISABLED)
        .prefetch_related("sources")
    )
    for rec in records:
        if not exact(rec.pk) and rec.status != Status.ACTIVE:
            continue
        for list_id in sorted({s.bank_list_id for s in rec.sources.all()}):
            bank_list = lists.get(list_id)
            if bank_list is None or (partner is not None and bank_list.name != own and not rec.shareable):
                continue
            yield rec, bank_list


_matcher = Matcher()


def matcher() -> Matcher:
    return _matcher


def _records_changed(sender: object, record_ids: list[int], **kwargs: Any) -> None:
    _matcher.refresh(record_ids)


def _lists_changed(sender: object, **kwargs: Any) -> None:
    _matcher.forget_lists()


records_changed.connect(_records_changed, dispatch_uid="haven.hashbank.matcher")
lists_changed.connect(_lists_changed, dispatch_uid="haven.hashbank.matcher")
